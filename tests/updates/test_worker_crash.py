"""The outbox worker killed in the middle of sending an update, and started again: every
reader gets exactly one copy. The worker is the real `flask outbox work` in a process of its
own, killed with SIGKILL while the mail server holds one message at RCPT (after the worker
claimed it, before the server accepted it: the moment a crash could lose or double it)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy import func, select

from donations.extensions import db
from donations.receipts.models import OutboxMessage
from donations.transaction import commit
from donations.updates import services
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
READERS = 12


def worker(app, database_url: str, port: int, instance: Path, claim_seconds: int):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "DONATIONS_ENV": "development",
        "DONATIONS_INSTANCE": str(instance),
        "PUBLIC_URL": app.config["PUBLIC_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "false",
        "MAIL_FROM": "donations@charity.example",
        "OUTBOX_BULK_PER_MINUTE": "0",
        "OUTBOX_BATCH_SIZE": "5",
        "OUTBOX_CLAIM_SECONDS": str(claim_seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def waiting() -> int:
    db.session.rollback()
    return db.session.execute(
        select(func.count()).where(OutboxMessage.bulk.is_(True), OutboxMessage.sent_at.is_(None))
    ).scalar_one()


def test_a_worker_killed_mid_batch_and_restarted_sends_everyone_exactly_one_copy(
    mail_app, smtp, database_url, tmp_path
):
    mailbox, port = smtp
    for n in range(READERS):
        factories.payment("actimus", email=f"reader{n}@example.org", marketing_consent=True)
    update = services.save(None, fund_id=factories.fund("actimus").id, title="Crash", body="Hi")
    services.publish(update, send=True)
    commit()
    db.session.remove()
    mailbox.stall_at = mailbox.rcpts + 7

    first = worker(mail_app, database_url, port, tmp_path, claim_seconds=2)
    assert mailbox.stalled.wait(60), "the worker reached the mail server"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    sent_before = len(mailbox.titled("Crash"))
    assert 0 < sent_before < READERS, "killed in the middle of the batch"
    assert waiting() == READERS - sent_before, "the held message is neither sent nor lost"

    second = worker(mail_app, database_url, port, tmp_path, claim_seconds=2)
    try:
        deadline = time.monotonic() + 60
        while waiting() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    copies = Counter(parseaddr(m["To"])[1] for m in mailbox.titled("Crash"))
    assert copies == {f"reader{n}@example.org": 1 for n in range(READERS)}
