"""Thank-you letters for offline gifts with no e-mail address: printed in batches for a
period, one page per gift, each gift once. A letter for a gift whose Gift Aid declaration
was made by phone (without a recording) carries the declaration's written record, as HMRC
asks, and the letter's date is when that record was sent.

The PDF is drawn by WeasyPrint from HTML (`templates/receipts/letters.html`); it needs the
Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0). Services flush; callers commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import func, select

from donations.extensions import db, utcnow
from donations.gift_aid.models import GiftAidDeclaration, needs_written_record
from donations.gifts.models import Donation
from donations.gifts.offline import METHOD_WORDS
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.standing import gift_aid_due
from donations.receipts.models import LetterBatch, ThankYouLetter
from donations.uk_time import uk_date, uk_midnight

#: letters in one batch: a PDF drawn in a few seconds, printed in one go
BATCH_SIZE = 300


class LettersUnavailable(RuntimeError):
    """WeasyPrint cannot draw PDFs on this machine (its Pango library is missing)."""


@dataclass(frozen=True)
class Letter:
    entry: LedgerEntry
    donation: Donation


def _offline_gifts(first: date, last: date):
    return (
        select(LedgerEntry, Donation)
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .where(
            LedgerEntry.kind == EntryKind.OFFLINE,
            LedgerEntry.occurred_at >= uk_midnight(first),
            LedgerEntry.occurred_at < uk_midnight(last + timedelta(days=1)),
        )
        .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
    )


def waiting(first: date, last: date) -> list[Letter]:
    """The period's offline gifts still to thank by letter: no e-mail address (those are
    thanked by e-mail) and no letter printed yet."""
    printed = select(ThankYouLetter.ledger_entry_id)
    rows = db.session.execute(
        _offline_gifts(first, last).where(Donation.email.is_(None), LedgerEntry.id.not_in(printed))
    ).all()
    return [Letter(entry, donation) for entry, donation in rows]


def make_batch(first: date, last: date, made_by: str) -> LetterBatch | None:
    """A batch of the letters waiting in the period (the first BATCH_SIZE of them), each
    gift's only; None if none wait."""
    letters = waiting(first, last)[:BATCH_SIZE]
    if not letters:
        return None
    batch = LetterBatch(period_from=first, period_to=last, made_by=made_by, made_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    for letter in letters:
        db.session.add(ThankYouLetter(ledger_entry_id=letter.entry.id, batch_id=batch.id))
        declaration = letter.donation.declaration
        if letter.entry.gift_aid and needs_written_record(declaration):
            declaration.confirmation_sent_at = declaration.confirmation_sent_at or batch.made_at
    db.session.flush()
    return batch


def batches() -> list[tuple[LetterBatch, int]]:
    """Every batch, newest first, with how many letters it holds."""
    return list(
        db.session.execute(
            select(LetterBatch, func.count(ThankYouLetter.ledger_entry_id))
            .join(ThankYouLetter, ThankYouLetter.batch_id == LetterBatch.id)
            .group_by(LetterBatch.id)
            .order_by(LetterBatch.id.desc())
        ).all()
    )


def letters_of(batch: LetterBatch) -> list[Letter]:
    rows = db.session.execute(
        select(LedgerEntry, Donation)
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .join(ThankYouLetter, ThankYouLetter.ledger_entry_id == LedgerEntry.id)
        .where(ThankYouLetter.batch_id == batch.id)
        .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
    ).all()
    return [Letter(entry, donation) for entry, donation in rows]


def letters_html(batch: LetterBatch) -> str:
    """The batch's letters as one HTML document, a page each (what the PDF is drawn from)."""
    sent_on = uk_date(batch.made_at)
    pages = [
        {
            "donation": letter.donation,
            "entry": letter.entry,
            "received": uk_date(letter.entry.occurred_at),
            "method": METHOD_WORDS.get(letter.donation.channel, letter.donation.channel),
            "gift_aid_pence": gift_aid_due(letter.entry.amount_pence)
            if letter.entry.gift_aid
            else 0,
            "declaration": letter.donation.declaration
            if letter.entry.gift_aid and needs_written_record(letter.donation.declaration)
            else None,
        }
        for letter in letters_of(batch)
    ]
    return render_template("receipts/letters.html", pages=pages, sent_on=sent_on)


def pdf(batch: LetterBatch) -> bytes:
    return _drawn(letters_html(batch))


def written_record_pdf(declaration: GiftAidDeclaration) -> bytes:
    """A one-page letter holding a phone declaration's written record, to post; the record
    counts as sent the day it is drawn."""
    declaration.confirmation_sent_at = declaration.confirmation_sent_at or utcnow()
    sent_on = uk_date(declaration.confirmation_sent_at)
    return _drawn(
        render_template(
            "receipts/declaration_letter.html", declaration=declaration, sent_on=sent_on
        )
    )


def _drawn(html: str) -> bytes:
    try:
        from weasyprint import HTML  # noqa: PLC0415  (loads Pango: only when a PDF is asked for)
    except OSError as error:  # WeasyPrint loads Pango when imported
        current_app.logger.error("WeasyPrint cannot load its libraries: %s", error)
        raise LettersUnavailable(str(error)) from error
    return HTML(string=html, base_url=current_app.root_path).write_pdf()
