import logging
import time

import click
from flask import Blueprint, current_app

from donations import health, logs
from donations.receipts.outbox import Pacer, send_batch, send_queued

log = logging.getLogger(__name__)

cli = Blueprint("outbox_cli", __name__, cli_group="outbox")


@cli.cli.command("send")
def send():
    """Send what waits in the outbox, once (from cron, or by hand): receipts and statements,
    then research updates at their pace."""
    sent, failed = send_queued(limit=10_000)
    pacer = Pacer(current_app.config["OUTBOX_BULK_PER_MINUTE"])
    bulk_sent, bulk_failed = send_queued(limit=100_000, bulk=True, pacer=pacer)
    click.echo(f"Sent {sent + bulk_sent}, failed {failed + bulk_failed}.")
    if failed or bulk_failed:
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
    """Send e-mail as it is queued, for ever: run it beside gunicorn. Receipts go first;
    research updates in batches of OUTBOX_BATCH_SIZE at OUTBOX_BULK_PER_MINUTE."""
    pacer = Pacer(current_app.config["OUTBOX_BULK_PER_MINUTE"])
    while True:
        logs.start_job("outbox")
        try:
            sent, failed = send_batch(pacer)
        except health.DATABASE_AWAY as error:
            health.forget_the_transaction()
            log.warning("outbox: the database is away (%s); trying again", type(error).__name__)
            sent, failed = 0, 0
        if sent or failed:
            click.echo(f"Sent {sent}, failed {failed}.", nl=True)
        if once and not sent:
            return
        if not sent:
            time.sleep(interval)
