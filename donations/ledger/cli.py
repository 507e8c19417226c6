import click
from flask import Blueprint

from donations.ledger.totals import drift

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
