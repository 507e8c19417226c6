import click
from flask import Blueprint

from donations.funds.services import all_funds
from donations.ledger.services import totals_for
from donations.ledger.totals import drift
from donations.money import format_gbp

cli = Blueprint("totals_cli", __name__, cli_group="totals")


@cli.cli.command("check")
def check():
    """Recompute every fund's totals from the ledger; exit 1 naming any that drifted."""
    found = drift()
    for slug, figure, kept, fresh in found:
        click.echo(f"DRIFT {slug}: {figure} kept {kept}, ledger says {fresh}", err=True)
    if found:
        raise SystemExit(1)
    click.echo("Totals agree with the ledger.")
    for fund in all_funds():
        totals = totals_for(fund)
        click.echo(
            f"  {fund.slug}: raised {format_gbp(totals.raised_pence)}"
            f" + {format_gbp(totals.gift_aid_pence)} Gift Aid,"
            f" pending {format_gbp(totals.pending_pence)},"
            f" {totals.donor_count} donors, {totals.donation_count} gifts"
        )
