"""Receipts: queued in the paying transaction, written from the payment and sent after it
commits (by `outbox work`, or at once in the sandbox), so the webhook that records a payment
spends nothing on them."""

from flask import render_template

from donations.extensions import db, utcnow
from donations.gift_aid.models import GiftAidDeclaration, needs_written_record
from donations.gifts.dates import next_payment
from donations.gifts.links import gift_aid_token, manage_token
from donations.gifts.models import Donation
from donations.gifts.offline import METHOD_WORDS
from donations.ledger.models import Entry, EntryKind, LedgerEntry
from donations.ledger.standing import gift_aid_due
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import queue_message, send_after_commit, writes
from donations.uk_time import uk_date, uk_today
from donations.upserts import insert_new
from donations.web import absolute_url


def queue_receipt(donation: Donation, entry: Entry) -> bool:
    """Queue the receipt for a recorded payment in its transaction (one statement: no object
    is flushed on the path of every payment); it is written and sent after the commit. False
    when it was queued already."""
    queued = insert_new(
        OutboxMessage,
        dedupe_key=f"receipt:{entry.source_ref}",
        donation_id=donation.id,
        ledger_entry_id=entry.id,
        to_address=donation.email,
    )
    if queued:
        send_after_commit()
    return queued


def on_gift_paid(donation: Donation, entry: Entry) -> None:
    """Each gift with an e-mail address gets its receipt, online or offline (an offline gift
    without one is thanked by letter: `letters.py`)."""
    if donation.email:
        queue_receipt(donation, entry)


@writes("receipt")
def write_receipt(message: OutboxMessage) -> bool:
    """A receipt's text and HTML, from the payment it is for (once: a retry sends the same
    words)."""
    donation = db.session.get(Donation, message.donation_id)
    entry = db.session.get(LedgerEntry, message.ledger_entry_id)
    offline = entry.kind == EntryKind.OFFLINE
    record = offline and entry.gift_aid and needs_written_record(donation.declaration)
    if record and donation.declaration.confirmation_sent_at is None:
        donation.declaration.confirmation_sent_at = utcnow()
    values = {
        "donation": donation,
        "entry": entry,
        "offline": offline,
        "method": METHOD_WORDS.get(donation.channel, donation.channel),
        "declaration": donation.declaration if record else None,
        "sent_on": uk_today(),
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
    return True


def send_written_record(declaration: GiftAidDeclaration, email: str) -> OutboxMessage | None:
    """E-mail a phone declaration's written record (HMRC's RE1841), once."""
    values = {"declaration": declaration, "sent_on": uk_today()}
    queued = queue_message(
        email,
        "Your Gift Aid declaration: our written record of it",
        render_template("receipts/declaration.txt", **values),
        render_template("receipts/declaration.html", **values),
        f"declaration:{declaration.id}",
        donor_id=declaration.donor_id,
    )
    if queued is not None:
        declaration.confirmation_sent_at = utcnow()
    return queued
