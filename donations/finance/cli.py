from pathlib import Path

import click
from flask import Blueprint

from donations.finance import exports, listing
from donations.funds import services as funds
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
