import time

import click
from flask import Blueprint

from donations.receipts.services import send_queued

cli = Blueprint("outbox_cli", __name__, cli_group="outbox")


@cli.cli.command("send")
def send():
    """Send the receipts waiting in the outbox (from cron, or by hand)."""
    sent, failed = send_queued(limit=10_000)
    click.echo(f"Sent {sent}, failed {failed}.")
    if failed:
        raise SystemExit(1)


@cli.cli.command("work")
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 3600),
    default=5.0,
    show_default=True,
    help="Seconds to wait when the outbox is empty.",
)
@click.option("--once", is_flag=True, help="Send what is waiting, then stop.")
def work(interval: float, once: bool):
    """Send receipts as they are written, for ever: run it beside gunicorn."""
    while True:
        sent, failed = send_queued(limit=100)
        if sent or failed:
            click.echo(f"Sent {sent}, failed {failed}.")
        if once:
            return
        if not sent:
            time.sleep(interval)
