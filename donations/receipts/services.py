"""Receipts through the outbox: queued in the paying transaction, written and sent after it
commits (by `outbox work`, or at once in the sandbox), so the webhook that records a payment
spends nothing on them."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import func, or_, select, update

from donations import transaction
from donations.extensions import db, utcnow
from donations.gifts.dates import next_payment
from donations.gifts.links import gift_aid_token, manage_token
from donations.gifts.models import Donation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.standing import gift_aid_due
from donations.receipts.models import OutboxMessage
from donations.uk_time import uk_date
from donations.web import absolute_url

#: where an erased donor's messages were addressed
ERASED_ADDRESS = "erased@invalid"


def queue_receipt(donation: Donation, entry: LedgerEntry) -> OutboxMessage:
    """Queue the receipt for a recorded payment in its transaction; it is written and sent
    after the commit."""
    message = OutboxMessage(
        dedupe_key=f"receipt:{entry.source_ref}",
        donation_id=donation.id,
        ledger_entry_id=entry.id,
        to_address=donation.email,
    )
    db.session.add(message)
    if current_app.config["SEND_RECEIPTS_AFTER_COMMIT"]:
        transaction.after_commit(send_queued)
    return message


def queue_message(
    to_address: str, subject: str, body: str, html_body: str | None, dedupe_key: str
) -> OutboxMessage | None:
    """Queue an e-mail already written (a tax-year statement, say), sent after the commit
    like a receipt; None when one with this key was queued before."""
    exists = db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if exists is not None:
        return None
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        to_address=to_address,
        subject=subject,
        body=body,
        html_body=html_body,
    )
    db.session.add(message)
    if current_app.config["SEND_RECEIPTS_AFTER_COMMIT"]:
        transaction.after_commit(send_queued)
    return message


def on_gift_paid(donation: Donation, entry: LedgerEntry) -> None:
    """Each online payment gets its receipt. An offline gift is thanked by the charity in the
    way it came (a letter for a cheque), so it is not e-mailed."""
    if entry.kind == EntryKind.PAYMENT and donation.email:
        queue_receipt(donation, entry)


def _write(message: OutboxMessage) -> None:
    """Write a queued receipt's text and HTML from the payment it is for (once: a retry sends
    the same words)."""
    if message.body is not None:
        return
    donation = db.session.get(Donation, message.donation_id)
    entry = db.session.get(LedgerEntry, message.ledger_entry_id)
    values = {
        "donation": donation,
        "entry": entry,
        "date": uk_date(entry.occurred_at),
        "next_payment": next_payment(entry.occurred_at, donation.interval),
        "gift_aid_pence": gift_aid_due(entry.amount_pence) if entry.gift_aid else 0,
        "manage_url": absolute_url("giving.manage", token=manage_token(donation))
        if donation.recurring
        else None,
        "stop_gift_aid_url": absolute_url("giving.stop_gift_aid", token=gift_aid_token(donation))
        if entry.gift_aid
        else None,
    }
    message.subject = f"Thank you for your gift to the {donation.fund.name}"
    message.body = render_template("receipts/receipt.txt", **values)
    message.html_body = render_template("receipts/receipt.html", **values)


def _claim(message_id: int) -> bool:
    """Take a message for sending; False when another sender took it first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_at.is_(None))
        .values(claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    sender_domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2]
    email["Message-ID"] = f"<outbox-{message.id}@{sender_domain or 'localhost'}>"
    email["Date"] = formatdate(localtime=False)
    email["Reply-To"] = current_app.config["CONTACT_EMAIL"]
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _deliver(email: EmailMessage, message: OutboxMessage) -> None:
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
        return
    folder = Path(config["OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message.id:08d}.eml").write_bytes(bytes(email))


def send_queued(limit: int = 100) -> tuple[int, int]:
    """Send what is queued and unclaimed. Commits per message; returns (sent, failed)."""
    ids = (
        db.session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.claimed_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    sent = failed = 0
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        _write(message)
        try:
            _deliver(_as_email(message), message)
        except (OSError, smtplib.SMTPException) as error:
            message.claimed_at = None
            message.last_error = str(error)[:500]
            failed += 1
        else:
            message.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent, failed


def forget_recipient(email: str, donation_ids: list[int]) -> int:
    """A donor asked to be forgotten: every message to them or about their gifts (receipts,
    statements, sent or waiting) keeps only that it was queued, never to whom or what it
    said, and what is still waiting is never sent. The copies written under the outbox
    folder go once this commits."""
    aimed_at_them = [func.lower(OutboxMessage.to_address) == email.strip().lower()]
    if donation_ids:
        aimed_at_them.append(OutboxMessage.donation_id.in_(donation_ids))
    ids = list(db.session.execute(select(OutboxMessage.id).where(or_(*aimed_at_them))).scalars())
    if not ids:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            to_address=ERASED_ADDRESS,
            subject=None,
            body=None,
            html_body=None,
            last_error=None,
            claimed_at=func.coalesce(OutboxMessage.claimed_at, utcnow()),
        )
    )
    folder = Path(current_app.config["OUTBOX_DIR"])
    transaction.after_commit(lambda: _remove_copies(folder, ids))
    return len(ids)


def _remove_copies(folder: Path, ids: list[int]) -> None:
    for message_id in ids:
        (folder / f"{message_id:08d}.eml").unlink(missing_ok=True)
