import sys
from datetime import UTC, date, datetime, time, timedelta

import click
from flask import Blueprint

from donations.money import format_gbp
from donations.payments import payouts
from donations.payments.gateway import GatewayError
from donations.payments.reconcile import reconcile
from donations.payments.webhooks.held import replay_all
from donations.transaction import commit, rollback

cli = Blueprint("payments_cli", __name__, cli_group="payments")


def _since(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("a date as YYYY-MM-DD, e.g. 2026-11-01") from error
    return datetime.combine(day, time.min, tzinfo=UTC)


@cli.cli.command("reconcile")
@click.option(
    "--since", required=True, help="From this date (YYYY-MM-DD). Stripe keeps events 30 days."
)
@click.option("--yes", is_flag=True, help="Apply the changes (without it: a dry run).")
def reconcile_command(since: str, yes: bool):
    """Apply what the webhooks missed, from Stripe's own lists (a dry run unless --yes)."""
    try:
        changes = reconcile(_since(since), apply=yes)
    except GatewayError as error:
        rollback()
        raise click.ClickException(f"Stripe could not be asked: {error}") from error
    for change in changes:
        click.echo(("Applied " if yes else "Would apply ") + str(change))
    if yes:
        commit()
    click.echo(
        f"{len(changes)} change{'s' if len(changes) != 1 else ''}{'' if yes else ' (dry run)'}."
    )


@cli.cli.command("payouts")
@click.option(
    "--since", help="Payouts made from this date (YYYY-MM-DD); by default the last 30 days."
)
@click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write every line to this CSV."
)
def payouts_command(since: str | None, csv_path: str | None):
    """Match each Stripe payout to the penny; exit 1 naming any that does not match."""
    start = _since(since) if since else datetime.now(UTC) - timedelta(days=30)
    found = payouts.reports(start)
    commit()
    for payout in found:
        state = "matches" if payout.reconciled else "DOES NOT MATCH"
        click.echo(
            f"{payout.payout_id}: {format_gbp(payout.amount_pence)} paid out, transactions net "
            f"{format_gbp(payout.net_pence)}, difference {format_gbp(payout.difference_pence)}: "
            f"{state}"
        )
        for line in payout.unmatched:
            click.echo(
                f"  not in our records: {line.type} {line.transaction_id} "
                f"net {format_gbp(line.net_pence)}"
            )
    if csv_path:
        with open(csv_path, "w", newline="", encoding="utf-8") as out:
            payouts.write_csv(found, out)
    if not found:
        click.echo("No payouts in that time.")
    if not all(payout.reconciled for payout in found):
        sys.exit(1)


@cli.cli.command("replay-held")
def replay_held():
    """Apply held events whose payment has since been recorded."""
    count = replay_all()
    commit()
    click.echo(f"{count} held event{'s' if count != 1 else ''} applied.")
