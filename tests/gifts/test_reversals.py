"""Money going back, to the penny."""

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts import reversals
from donations.ledger.models import LedgerEntry
from tests import factories


def amounts_recorded(source_ref: str) -> list[int]:
    found = select(LedgerEntry.amount_pence).where(LedgerEntry.source_ref == source_ref)
    return list(db.session.execute(found).scalars())


def test_a_refund_of_a_penny_is_a_penny_refunded(app):
    paid = factories.payment(amount_pence=2500, email="penny@example.org")
    outcome = reversals.refund(factories.payment_entry(paid), "re_penny", 1)
    assert outcome.note == "refunded 1"
    assert amounts_recorded("re_penny") == [-1]


@pytest.mark.parametrize(
    ("refunded", "note", "taken"),
    [(2500, "nothing to change", []), (2499, "withdrawn", [-1])],
)
def test_a_dispute_of_a_gift_refunded_in_full_or_all_but_a_penny_takes_what_is_left(
    app, refunded, note, taken
):
    paid = factories.payment(amount_pence=2500, email="disputed@example.org")
    factories.refund(paid, refunded)
    entry = factories.payment_entry(paid)
    outcome = reversals.dispute(entry, "du_late", 2500, withdrawn=True, reinstated=False)
    assert outcome.note == note
    assert amounts_recorded("du_late:withdrawn") == taken
