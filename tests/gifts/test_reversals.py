"""Money going back, to the penny."""

from sqlalchemy import select

from donations.extensions import db
from donations.gifts import reversals
from donations.ledger.models import LedgerEntry
from tests import factories


def test_a_refund_of_a_penny_is_a_penny_refunded(app):
    paid = factories.payment(amount_pence=2500, email="penny@example.org")
    outcome = reversals.refund(factories.payment_entry(paid), "re_penny", 1)
    assert outcome.note == "refunded 1"
    assert (
        db.session.execute(
            select(LedgerEntry.amount_pence).where(LedgerEntry.source_ref == "re_penny")
        ).scalar_one()
        == -1
    )


def test_a_dispute_of_a_gift_already_refunded_in_full_takes_nothing_and_says_so(app):
    paid = factories.payment(amount_pence=2500, email="twice@example.org")
    factories.refund(paid, 2500)
    entry = factories.payment_entry(paid)
    outcome = reversals.dispute(entry, "du_late", 2500, withdrawn=True, reinstated=False)
    assert outcome.note == "nothing to change"
    assert (
        db.session.execute(
            select(LedgerEntry).where(LedgerEntry.source_ref == "du_late:withdrawn")
        ).first()
        is None
    )


def test_a_dispute_of_the_last_penny_of_a_gift_takes_it_and_says_so(app):
    paid = factories.payment(amount_pence=2500, email="last@example.org")
    factories.refund(paid, 2499)
    entry = factories.payment_entry(paid)
    outcome = reversals.dispute(entry, "du_penny", 2500, withdrawn=True, reinstated=False)
    assert outcome.note == "withdrawn"
    assert (
        db.session.execute(
            select(LedgerEntry.amount_pence).where(LedgerEntry.source_ref == "du_penny:withdrawn")
        ).scalar_one()
        == -1
    )
