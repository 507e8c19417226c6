import click
from flask import Blueprint

from donations.receipts.services import send_queued

cli = Blueprint("outbox_cli", __name__, cli_group="outbox")


@cli.cli.command("send")
def send():
    """Send the receipts waiting in the outbox."""
    sent, failed = send_queued(limit=10_000)
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        raise SystemExit(1)
