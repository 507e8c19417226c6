"""record(): every movement moves the fund's totals by exactly itself, once."""

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.ledger import services as ledger
from donations.ledger.models import EntryKind, LedgerEntry, LedgerIsAppendOnly
from donations.ledger.totals import drift
from tests import factories
from tests.support import fund_totals


def figures(slug="actimus"):
    totals = fund_totals(slug)
    return (
        totals.raised_pence,
        totals.gift_aid_pence,
        totals.donor_count,
        totals.donation_count,
    )


def test_a_full_refund_takes_the_gift_and_its_donor_out_of_the_totals(app):
    gift = factories.payment(amount_pence=2500, gift_aid=True)
    assert figures() == (2500, 625, 1, 1)
    factories.refund(gift, 2500)
    assert figures() == (0, 0, 0, 0)
    assert drift() == []


def test_a_partial_refund_leaves_the_rest_counted_with_its_gift_aid(app):
    gift = factories.payment(amount_pence=1300, gift_aid=True)
    factories.refund(gift, 65)
    # 1235 stands: Gift Aid is 1235 x 20 / 80 = 308.75, rounded down to whole pence
    assert figures() == (1235, 308, 1, 1)
    assert drift() == []


def test_a_donor_with_another_gift_still_counts_after_one_is_refunded(app):
    first = factories.payment(amount_pence=1000)
    factories.payment(amount_pence=500)
    factories.refund(first, 1000)
    assert figures() == (500, 0, 1, 1)
    assert drift() == []


def test_the_same_refund_is_recorded_once(app):
    gift = factories.payment(amount_pence=2500)
    factories.refund(gift, 500, source_ref="re_once")
    assert factories.refund(gift, 500, source_ref="re_once") is None
    assert figures()[0] == 2000


@pytest.mark.parametrize(
    ("kind", "amount", "against_payment"),
    [
        (EntryKind.REFUND, -100, False),  # a refund must name its payment
        (EntryKind.REFUND, 100, True),  # and take money away
        (EntryKind.PAYMENT, -100, False),  # a payment brings money in
        (EntryKind.PAYMENT, 100, True),  # and stands on its own
        (EntryKind.DISPUTE_WON, -100, True),
    ],
)
def test_movements_that_make_no_sense_are_refused(app, kind, amount, against_payment):
    gift = factories.payment(amount_pence=2500)
    paid = factories.payment_entry(gift)
    with pytest.raises(ledger.LedgerError):
        ledger.record(
            fund_id=paid.fund_id,
            donation_id=paid.donation_id,
            donor_key=paid.donor_key,
            kind=kind,
            amount_pence=amount,
            source_ref="nonsense",
            gift_aid=False,
            against=paid if against_payment else None,
        )
    assert figures()[0] == 2500


def test_a_ledger_row_cannot_be_edited(app):
    factories.payment(amount_pence=2500)
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    entry.amount_pence = 1
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_a_ledger_row_cannot_be_deleted(app):
    factories.payment(amount_pence=2500)
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    db.session.delete(entry)
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_pending_money_is_counted_apart_and_closed_once(app):
    pending = factories.pending_payment(amount_pence=5000)
    assert fund_totals("actimus").pending_pence == 5000
    assert ledger.close_pending(pending.reference) is True
    assert ledger.close_pending(pending.reference) is False
    db.session.commit()
    assert fund_totals("actimus").pending_pence == 0
    assert drift() == []


def test_totals_check_does_not_share_the_arithmetic_it_checks(app, monkeypatch):
    """Gift Aid rounded to nearest (309 on £12.35) must show as drift, not be repeated."""
    monkeypatch.setattr(ledger, "gift_aid_at", lambda net, rate: round(net * rate / (100 - rate)))
    factories.payment(amount_pence=1235, gift_aid=True)
    assert fund_totals("actimus").gift_aid_pence == 309
    assert drift() == [("actimus", "gift_aid_pence", 309, 308)]


def test_totals_check_sees_a_total_moved_without_a_ledger_row(app):
    factories.payment(amount_pence=1000, gift_aid=True)
    totals = fund_totals("actimus")
    totals.donation_count += 1
    totals.pending_pence += 5
    db.session.commit()
    assert {figure for _, figure, _, _ in drift()} == {"donation_count", "pending_pence"}
