from datetime import date
from pathlib import Path

import click
from flask import Blueprint

from donations.cli_support import iso_day, refused_as_click_errors
from donations.finance import exports, listing
from donations.funds import services as funds
from donations.payments import journal
from donations.payments.gateway import GatewayError
from donations.staff import audit
from donations.staff.audit import Action
from donations.transaction import commit

cli = Blueprint("exports_cli", __name__, cli_group="exports")

FILTER_OPTIONS = (
    ("--from", "start", "From this date (YYYY-MM-DD), UK time."),
    ("--to", "end", "To this date (YYYY-MM-DD), inclusive."),
    ("--fund", "fund", "A fund's slug."),
    ("--appeal", "appeal", "An appeal's slug."),
    ("--fundraiser", "fundraiser", "A fundraising page's web address (its slug)."),
    ("--status", "status", "created, pending, paid, failed or expired."),
    ("--channel", "channel", "online or offline."),
    ("--frequency", "frequency", "one-off, monthly or annual."),
    ("--gift-aid", "gift_aid", "yes or no."),
    ("--q", "q", "A reference, or part of a name or e-mail address."),
)
QUERY_NAMES = {"start": "from", "end": "to"}


def _with_filter_options(command):
    for flag, name, help_text in reversed(FILTER_OPTIONS):
        command = click.option(flag, name, help=help_text)(command)
    return command


@cli.cli.command("donations")
@_with_filter_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: .csv or .xlsx.",
)
def export_donations(output: Path, **given):
    """Export the records (the finance list's filters) to a CSV or XLSX file."""
    kind = output.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        raise click.BadParameter("the file must end .csv or .xlsx", param_hint="--output")
    args = {QUERY_NAMES.get(name, name): value for name, value in given.items() if value}
    try:
        filters = listing.parse_filters(args, [fund.slug for fund in funds.all_funds()])
    except listing.FilterError as error:
        flag = "--" + {"from": "from", "to": "to"}.get(error.field, error.field.replace("_", "-"))
        raise click.BadParameter(str(error), param_hint=flag) from error
    if kind == "csv":
        with output.open("wb") as out:
            rows = exports.write_csv(filters, out)
    else:
        rows = exports.write_xlsx(filters, str(output))
    audit.record(
        Action.EXPORT, format=kind, filters=filters.as_query(), rows=rows, file=str(output)
    )
    commit()
    click.echo(f"{rows:,} record{'s' if rows != 1 else ''} written to {output}.")


@cli.cli.command("journal")
@click.option("--from", "start", required=True, callback=iso_day, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", required=True, callback=iso_day, help="Last day, inclusive.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (.csv).",
)
def export_journal(start: date, end: date, output: Path):
    """The accounting journal (Xero's manual journal import) of every Stripe payout that
    arrived in the period, one journal per payout."""
    if output.suffix.lower() != ".csv":
        raise click.BadParameter("the file must end .csv", param_hint="--output")
    if end < start:
        raise click.BadParameter("the last day is before the first", param_hint="--to")
    with refused_as_click_errors(GatewayError):
        made = journal.journals_between(start, end)
    with output.open("w", newline="", encoding="utf-8") as out:
        journal.write_csv(made, out)
    lines = sum(len(one.lines) for one in made)
    audit.record(
        Action.EXPORT,
        format="journal",
        start=start.isoformat(),
        end=end.isoformat(),
        rows=lines,
        file=str(output),
    )
    commit()
    payouts = f"{len(made)} payout{'s' if len(made) != 1 else ''}"
    click.echo(f"{payouts}, {lines} lines, written to {output}.")
