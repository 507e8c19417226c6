"""The outbox: e-mail queued in the transaction that causes it and sent after that commits,
by `outbox work` beside gunicorn (or at once, in the laptop sandbox).

A message is written when it is sent, by the writer it names (`@writes`): a receipt from its
ledger entry, a research update for its reader. Everything else goes before bulk mail, which
goes in batches at OUTBOX_BULK_PER_MINUTE. A sender claims a message before sending it and
marks it sent after, each in its own commit; a sender that dies holding a claim lets it go
after OUTBOX_CLAIM_SECONDS, so a crash loses no one and a restart sends no one a second
copy (short of the instant between the server's "250" and our commit, which SMTP itself
cannot close: RFC 5321, 6.1). A permanent refusal (5xx) gives the message up and says so
(`address_refused`), so no one sends to that address again."""

import logging
import smtplib
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from blinker import Namespace
from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update

from donations import logs, transaction
from donations.extensions import db, utcnow
from donations.gifts.erasure import ERASED_ADDRESS
from donations.gifts.models import Donation
from donations.receipts.models import OutboxMessage

log = logging.getLogger(__name__)

#: sent as address_refused.send(address, reason=…) when a mail server refuses it for good
address_refused = Namespace().signal("address-refused")

#: who writes a message when it is sent, by its `writer`: each returns False when the
#: message is no longer wanted (its reader stopped asking for it), and it is given up
WRITERS: dict[str, Callable[[OutboxMessage], bool]] = {}


def writes(name: str):
    """Register the function that writes messages queued with this writer's name."""

    def register(write: Callable[[OutboxMessage], bool]):
        WRITERS[name] = write
        return write

    return register


def queue_message(
    to_address: str,
    subject: str,
    body: str,
    html_body: str | None,
    dedupe_key: str,
    *,
    donor_id: int | None = None,
) -> OutboxMessage | None:
    """Queue an e-mail already written (a tax-year statement, say), for a donor if given,
    sent after the commit; None when one with this key was queued before."""
    if _queued_before(dedupe_key):
        return None
    return queue(
        OutboxMessage(
            dedupe_key=dedupe_key,
            to_address=to_address,
            subject=subject,
            body=body,
            html_body=html_body,
            donor_id=donor_id,
        )
    )


def _queued_before(dedupe_key: str) -> bool:
    found = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    return db.session.execute(found).first() is not None


def queue(message: OutboxMessage) -> OutboxMessage:
    """Add a message to the outbox in the current transaction."""
    db.session.add(message)
    send_after_commit(bulk=message.bulk)
    return message


def send_after_commit(*, bulk: bool = False) -> None:
    """Where the site sends at once (the sandbox), send what is queued after the commit; a
    bulk message always waits for `outbox work`."""
    if current_app.config["SEND_RECEIPTS_AFTER_COMMIT"] and not bulk:
        transaction.after_commit(send_queued)


def sendable():
    """What a sender may take: not sent, not given up, and not held by a live sender."""
    lease = timedelta(seconds=current_app.config["OUTBOX_CLAIM_SECONDS"])
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.given_up_at.is_(None),
        or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < utcnow() - lease),
    )


def _claim(message_id: int) -> bool:
    """Take a message for sending; False when another sender took it first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, sendable())
        .values(claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _as_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    sender_domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2]
    email["Message-ID"] = f"<outbox-{message.id}@{sender_domain or 'localhost'}>"
    email["Date"] = formatdate(localtime=False)
    email["Reply-To"] = config["CONTACT_EMAIL"]
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


class Courier:
    """Hands messages to the mail server over one connection for a whole batch (or writes
    each to OUTBOX_DIR when there is no server)."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Courier":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def _connected(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            self.smtp = smtp
        return self.smtp

    def deliver(self, email: EmailMessage, message: OutboxMessage) -> None:
        if not self.config["MAIL_SERVER"]:
            folder = Path(self.config["OUTBOX_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{message.id:08d}.eml").write_bytes(bytes(email))
            return
        try:
            self._connected().send_message(email)
        except smtplib.SMTPRecipientsRefused:
            raise  # the server reset the transaction; the connection is still good
        except (OSError, smtplib.SMTPException):
            self.close()
            raise


def refused_for_good(error: Exception) -> bool:
    """A 5xx about this message or its address (not our own sender or sign-in)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _write(message: OutboxMessage) -> bool:
    if message.body is not None:
        return True
    return WRITERS[message.writer or "receipt"](message)


def _give_up(message: OutboxMessage, reason: str) -> None:
    message.given_up_at = utcnow()
    message.last_error = reason[:500]


def _send_one(courier: Courier, message_id: int) -> str:
    """Claim, write and send one message: "sent", "failed" (tried again later), "refused"
    (for good) or "dropped" (no longer wanted, or taken by another sender)."""
    if not _claim(message_id):
        return "dropped"
    message = db.session.get(OutboxMessage, message_id)
    if not _write(message):
        _give_up(message, "No longer wanted: the reader stopped asking for it.")
        db.session.commit()
        return "dropped"
    try:
        courier.deliver(_as_email(message), message)
    except (OSError, smtplib.SMTPException) as error:
        if refused_for_good(error):
            _give_up(message, str(error))
            address_refused.send(message.to_address, reason=str(error)[:300])
            outcome = "refused"
        else:
            message.claimed_at = None
            message.last_error = str(error)[:500]
            outcome = "failed"
    else:
        message.sent_at = utcnow()
        outcome = "sent"
    said = _what_to_log(message, outcome)
    db.session.commit()
    level = logging.INFO if outcome == "sent" else logging.WARNING
    log.log(level, "e-mail %s", outcome, extra=said)
    return outcome


def _what_to_log(message: OutboxMessage, outcome: str) -> dict:
    """Read before the commit: after it every attribute is fetched again, in a transaction
    that would stay open (holding its snapshot) until the next message or round."""
    said = {"message_id": message.id, "kind": kind_of(message), "outcome": outcome}
    donation = db.session.get(Donation, message.donation_id) if message.donation_id else None
    if donation is not None:
        said |= logs.about(donation)
    return said


def _waiting(bulk: bool, limit: int) -> list[int]:
    return list(
        db.session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.bulk.is_(bulk), sendable())
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )


class Pacer:
    """Keeps bulk mail at OUTBOX_BULK_PER_MINUTE (0: as fast as the server takes it)."""

    def __init__(self, per_minute: int, clock=time.monotonic, sleep=time.sleep) -> None:
        self.gap = 60 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at = clock()

    def wait(self) -> None:
        now = self.clock()
        if now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.gap


def send_queued(limit: int = 100, bulk: bool = False, pacer: Pacer | None = None):
    """Send what waits (one kind: bulk or not), one commit per message; returns (sent,
    failed), a refused message counted as failed."""
    counts = {"sent": 0, "failed": 0, "refused": 0, "dropped": 0}
    with Courier() as courier:
        for message_id in _waiting(bulk, limit):
            if pacer is not None:
                pacer.wait()
            counts[_send_one(courier, message_id)] += 1
    return counts["sent"], counts["failed"] + counts["refused"]


def send_batch(pacer: Pacer) -> tuple[int, int]:
    """What the worker does each time round: everything that is not bulk, then one batch of
    bulk mail at its pace."""
    sent, failed = send_queued(limit=100)
    size = current_app.config["OUTBOX_BATCH_SIZE"]
    bulk_sent, bulk_failed = send_queued(limit=size, bulk=True, pacer=pacer)
    return sent + bulk_sent, failed + bulk_failed


#: what a message is, from the start of its key
KINDS = {
    "receipt": "Receipt",
    "statement": "Tax-year statement",
    "update": "Research update",
    "declaration": "Gift Aid declaration's written record",
}


def kind_of(message: OutboxMessage) -> str:
    return KINDS.get(message.dedupe_key.split(":", 1)[0], "Message")


def messages_for(donor_id: int, donation_ids: list[int]) -> list[OutboxMessage]:
    """Every message written for a donor or about their gifts, newest first."""
    theirs = [OutboxMessage.donor_id == donor_id]
    if donation_ids:
        theirs.append(OutboxMessage.donation_id.in_(donation_ids))
    return list(
        db.session.execute(
            select(OutboxMessage).where(or_(*theirs)).order_by(OutboxMessage.id.desc())
        ).scalars()
    )


def move_donor(from_id: int, to_id: int) -> None:
    """Two donor records merged: the messages written for one are the other's."""
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.donor_id == from_id).values(donor_id=to_id)
    )


def forget_recipient(email: str, donation_ids: list[int]) -> int:
    """A donor asked to be forgotten: every message to them or about their gifts (receipts,
    statements, updates, sent or waiting) keeps only that it was queued, never to whom or
    what it said, and what is still waiting is never sent. The copies written under the
    outbox folder go once this commits."""
    aimed_at_them = [func.lower(OutboxMessage.to_address) == email.strip().lower()]
    if donation_ids:
        aimed_at_them.append(OutboxMessage.donation_id.in_(donation_ids))
    ids = list(db.session.execute(select(OutboxMessage.id).where(or_(*aimed_at_them))).scalars())
    if not ids:
        return 0
    given_up = OutboxMessage.given_up_at
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            to_address=ERASED_ADDRESS,
            subject=None,
            body=None,
            html_body=None,
            last_error=None,
            unsubscribe_url=None,
            given_up_at=case(
                (OutboxMessage.sent_at.is_(None), func.coalesce(given_up, utcnow())),
                else_=given_up,
            ),
        )
    )
    folder = Path(current_app.config["OUTBOX_DIR"])
    transaction.after_commit(lambda: _remove_copies(folder, ids))
    return len(ids)


def _remove_copies(folder: Path, ids: list[int]) -> None:
    for message_id in ids:
        (folder / f"{message_id:08d}.eml").unlink(missing_ok=True)
