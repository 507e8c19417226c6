import click
from flask import Blueprint

from donations.cli_support import refused_as_click_errors
from donations.funds import services as funds
from donations.money import AmountError, format_gbp, parse_pounds
from donations.transaction import commit

cli = Blueprint("funds_cli", __name__, cli_group="funds")


def _pence(text: str) -> int:
    try:
        return parse_pounds(text)
    except AmountError as error:
        raise click.BadParameter(str(error)) from error


@cli.cli.command("list")
def list_funds():
    """List the funds with their goals (`totals check` shows what each has raised)."""
    for fund in funds.all_funds():
        click.echo(f"{fund.slug:20} {fund.name:35} goal {format_gbp(fund.goal_pence):>14}")


@cli.cli.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--goal", required=True, help="Goal in pounds, e.g. 50000")
@click.option("--summary", default="")
def add(slug: str, name: str, goal: str, summary: str):
    """Add a fund."""
    with refused_as_click_errors(funds.FundError):
        funds.add_fund(slug, name, _pence(goal), summary=summary)
    commit()
    click.echo(f"Added {slug}.")


@cli.cli.command("set-goal")
@click.argument("slug")
@click.argument("goal")
def set_goal(slug: str, goal: str):
    """Set a fund's goal, in pounds (e.g. 75000 or 75,000.00)."""
    with refused_as_click_errors(funds.FundError):
        fund = funds.set_goal(slug, _pence(goal))
    commit()
    click.echo(f"{fund.slug}: goal is now {format_gbp(fund.goal_pence)}.")
