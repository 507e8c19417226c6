"""`flask giftaid claim|schedule|statement` (docs/CONTRACT.md's command line)."""

from datetime import date
from pathlib import Path

import click
from flask import Blueprint, current_app

from donations.claims import schedule as schedules
from donations.claims import services, statements
from donations.claims.models import ClaimStatus
from donations.cli_support import iso_day, refused_as_click_errors, visible
from donations.gifts import donors
from donations.money import format_gbp
from donations.staff import audit
from donations.staff.audit import Action
from donations.transaction import commit

cli = Blueprint("giftaid_cli", __name__, cli_group="giftaid")


@cli.cli.command("claim")
@click.option("--from", "start", required=True, callback=iso_day, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", required=True, callback=iso_day, help="Last day, inclusive.")
def claim(start: date, end: date):
    """Create a draft claim of every eligible gift received in the period; print its
    reference."""
    with refused_as_click_errors(services.ClaimRefused):
        made = services.create(start, end, audit.COMMAND_LINE)
    gift_aid = sum(item.gift_aid_pence for item in made.items)
    commit()
    click.echo(made.reference)
    click.echo(
        f"{len(made.items)} gifts, {format_gbp(gift_aid)} Gift Aid; draft: check it, then "
        f"`giftaid schedule {made.reference} -o FILE.ods`.",
        err=True,
    )


@cli.cli.command("schedule")
@click.argument("reference")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--aggregate/--no-aggregate",
    default=False,
    help="Add up small gifts (GIFT_AID_AGGREGATE_LIMIT_PENCE) into aggregated rows.",
)
def schedule(reference: str, output: Path, aggregate: bool):
    """Write the claim's HMRC schedule (.ods; several files past 1,000 rows) and a CSV of the
    same rows beside it. Refused while any row would be refused by HMRC."""
    found = services.by_reference(reference.strip())
    if found is None:
        raise click.ClickException(f"No claim {visible(reference)}.")
    with refused_as_click_errors(services.ClaimRefused):
        if found.status == ClaimStatus.DRAFT:
            for change in services.refresh(found):
                click.echo(change, err=True)
    limit = current_app.config["GIFT_AID_AGGREGATE_LIMIT_PENCE"] if aggregate else 0
    made = schedules.build(found, limit)
    if made.problems:
        for row, problem in made.problems:
            click.echo(f"{' '.join(row.references)}: {problem}", err=True)
        commit()
        raise click.ClickException(
            f"{len(made.problems)} problems HMRC would refuse; fix the donors' details first."
        )
    for row, change in made.changes:
        click.echo(f"{' '.join(row.references)}: {change}", err=True)
    paths = _write(made, output)
    audit.record(
        Action.CLAIM_SCHEDULE, subject=found.reference, rows=len(made.rows), files=len(paths)
    )
    commit()
    for path in paths:
        click.echo(str(path))


def _write(made: schedules.Schedule, output: Path) -> list[Path]:
    contents = schedules.ods_files(made)
    if len(contents) == 1:
        paths = [output]
    else:
        paths = [
            output.with_name(f"{output.stem}-{n}-of-{len(contents)}{output.suffix}")
            for n in range(1, len(contents) + 1)
        ]
    for path, content in zip(paths, contents, strict=True):
        path.write_bytes(content)
    output.with_suffix(".csv").write_text(schedules.csv_text(made), encoding="utf-8")
    return paths


@cli.cli.command("statement")
@click.option(
    "--tax-year", "year", type=int, required=True, help="e.g. 2025 for the year from 6 April 2025."
)
@click.option("--email", default=None, help="One donor's e-mail address; else every donor.")
@click.option("--yes", is_flag=True, help="Queue them; without it, say only how many.")
def statement(year: int, email: str | None, yes: bool):
    """E-mail donors a statement of their gifts and Gift Aid in a tax year: every donor who
    gave with Gift Aid that year, or one (--email), once each (run it again: none twice)."""
    if not 2000 <= year <= 2100:
        raise click.BadParameter("a year like 2025", param_hint="--tax-year")
    if email is not None:
        donor = donors.by_email(email.strip().lower())
        if donor is None:
            raise click.ClickException(f"No donor with the e-mail address {visible(email)}.")
        found = [donor]
    else:
        found = statements.donors_of_year(year)
    label = statements.tax_year_label(year)
    if not yes:
        click.echo(f"{len(found)} donors would be sent their {label} statement; add --yes.")
        return
    queued = sum(statements.queue(donor, year) for donor in found)
    commit()
    click.echo(f"{queued} statements for {label} queued; `outbox work` sends them.")
