"""record(): every movement moves the fund's totals by exactly itself, once."""

from datetime import UTC, datetime

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
    monkeypatch.setattr(ledger, "gift_aid_due", lambda net: round(max(net, 0) * 20 / 80))
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


def test_repeated_partial_refunds_follow_what_remains_of_the_payment(app):
    gift = factories.payment(amount_pence=2500, gift_aid=True)
    factories.refund(gift, 1000)
    assert figures() == (1500, 375, 1, 1)
    factories.refund(gift, 1000)
    assert figures() == (500, 125, 1, 1)
    factories.refund(gift, 499)
    assert figures() == (1, 0, 1, 1), "a penny still stands: the gift and its donor count"
    factories.refund(gift, 1)
    assert figures() == (0, 0, 0, 0)
    assert drift() == []


def test_gift_aid_is_reckoned_payment_by_payment(app):
    """Two gifts of £12.35 claim 308p each (616p), not a quarter of £24.70 (617p)."""
    factories.payment(amount_pence=1235, gift_aid=True)
    factories.payment(amount_pence=1235, gift_aid=True)
    assert figures() == (2470, 616, 1, 2)
    assert drift() == []


def test_a_donor_refunded_in_one_fund_still_counts_in_the_other(app):
    here = factories.payment(amount_pence=1000)
    factories.payment("stem-cell-audit", amount_pence=1000)
    factories.refund(here, 1000)
    assert figures("actimus") == (0, 0, 0, 0)
    assert figures("stem-cell-audit") == (1000, 0, 1, 1)
    assert drift() == []


def test_a_refund_row_carries_no_fee_cover_and_keeps_its_date(app):
    gift = factories.payment(amount_pence=2500, fee_cover_pence=59)
    paid = factories.payment_entry(gift)
    assert paid.fee_cover_pence == 59
    assert paid.occurred_at == gift.paid_at
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    refund = ledger.record(
        fund_id=paid.fund_id,
        donation_id=paid.donation_id,
        donor_key=paid.donor_key,
        kind=EntryKind.REFUND,
        amount_pence=-100,
        source_ref="re_dated",
        gift_aid=False,
        against=paid,
        occurred_at=when,
    )
    assert (refund.fee_cover_pence, refund.occurred_at) == (0, when)


@pytest.mark.parametrize(
    ("kind", "amount", "against_payment", "says"),
    [
        (EntryKind.PAYMENT, 0, False, "a payment is a positive amount standing on its own"),
        (EntryKind.REFUND, 0, True, "a refund of 0 moves money the wrong way"),
        (EntryKind.DISPUTE_WON, 0, True, "a dispute_won of 0 moves money the wrong way"),
        (EntryKind.DISPUTE, 5, True, "a dispute of 5 moves money the wrong way"),
        (EntryKind.DISPUTE, -5, False, "a dispute must name the payment it moves"),
    ],
)
def test_each_refusal_says_why(app, kind, amount, against_payment, says):
    paid = factories.payment_entry(factories.payment(amount_pence=2500))
    with pytest.raises(ledger.LedgerError, match=f"^{says}$"):
        ledger.record(
            fund_id=paid.fund_id,
            donation_id=paid.donation_id,
            donor_key=paid.donor_key,
            kind=kind,
            amount_pence=amount,
            source_ref="refused",
            gift_aid=False,
            against=paid if against_payment else None,
        )


def test_a_reversal_cannot_change_its_payments_gift_aid(app):
    paid = factories.payment_entry(factories.payment(amount_pence=2500, gift_aid=True))
    with pytest.raises(ledger.LedgerError, match=r"^a reversal shares its payment's Gift Aid"):
        ledger.record(
            fund_id=paid.fund_id,
            donation_id=paid.donation_id,
            donor_key=paid.donor_key,
            kind=EntryKind.REFUND,
            amount_pence=-100,
            source_ref="re_no_gift_aid",
            gift_aid=False,
            against=paid,
        )


@pytest.mark.parametrize(
    ("kind", "amount"), [(EntryKind.PAYMENT, 1), (EntryKind.REFUND, -1), (EntryKind.DISPUTE_WON, 1)]
)
def test_the_smallest_movements_are_taken(app, kind, amount):
    paid = factories.payment_entry(factories.payment(amount_pence=2500))
    movement = {
        "fund_id": paid.fund_id,
        "donation_id": paid.donation_id,
        "donor_key": paid.donor_key,
        "gift_aid": False,
    }
    if kind == EntryKind.DISPUTE_WON:  # money comes back only after a dispute took it
        ledger.record(
            **movement, kind=EntryKind.DISPUTE, amount_pence=-1, source_ref="du_1", against=paid
        )
    entry = ledger.record(
        **movement,
        kind=kind,
        amount_pence=amount,
        source_ref=f"smallest-{kind}",
        against=None if kind == EntryKind.PAYMENT else paid,
    )
    assert entry.amount_pence == amount
    db.session.commit()
    assert drift() == []


def test_pending_money_opens_once_and_a_check_sees_it_open(app):
    donation = factories.pending_payment(amount_pence=5000)
    assert ledger.open_pending(donation.fund_id, donation.id, 5000, donation.reference) is False
    assert ledger.close_pending("D-NEVER-OPENED") is False
    db.session.commit()
    assert fund_totals("actimus").pending_pence == 5000
    assert fund_totals("stem-cell-audit").pending_pence == 0
    assert drift() == []


def test_a_new_fund_has_zero_totals_until_its_first_gift(app, client, runner):
    assert (
        runner.invoke(args=["funds", "add", "new-fund", "A new fund", "--goal", "100"]).exit_code
        == 0
    )
    factories.fund("new-fund").created_at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    db.session.commit()
    body = client.get("/api/funds/new-fund").json
    figures_before = {name: body[name] for name in body if name.endswith(("_pence", "_count"))}
    assert figures_before == {
        "goal_pence": 10000,
        "raised_pence": 0,
        "gift_aid_pence": 0,
        "pending_pence": 0,
        "donor_count": 0,
        "donation_count": 0,
    }
    assert body["updated_at"] == "2026-03-01T09:30:00Z", "unchanged since the fund was made"
    assert drift() == []
    factories.payment("new-fund", amount_pence=700)
    assert figures("new-fund") == (700, 0, 1, 1)
    assert drift() == []


def test_drift_names_funds_in_their_order(app, runner):
    """In the catalogue's order (its position), not the order the funds were made in."""
    assert (
        runner.invoke(args=["funds", "add", "first", "Listed first", "--goal", "10"]).exit_code == 0
    )
    factories.fund("first").position = -1
    factories.payment("first", amount_pence=100)
    for slug in ("actimus", "stem-cell-audit", "first"):
        fund_totals(slug).raised_pence += 1
    db.session.commit()
    assert [slug for slug, *_ in drift()] == ["first", "stem-cell-audit", "actimus"]


def test_no_reversal_takes_a_payment_below_nothing_or_above_itself(app):
    gift = factories.payment(amount_pence=2500)
    factories.refund(gift, 2000)
    with pytest.raises(
        ledger.LedgerError, match=r"^a refund of -501 would leave -1 of a payment of 2500$"
    ):
        factories.refund(gift, 501)
    db.session.rollback()
    paid = factories.payment_entry(gift)
    with pytest.raises(ledger.LedgerError, match="would leave 2501 of a payment of 2500"):
        ledger.record(
            fund_id=paid.fund_id,
            donation_id=paid.donation_id,
            donor_key=paid.donor_key,
            kind=EntryKind.DISPUTE_WON,
            amount_pence=2001,
            source_ref="du_too_much",
            gift_aid=False,
            against=paid,
        )
    db.session.rollback()
    assert figures()[0] == 500
    assert drift() == []
