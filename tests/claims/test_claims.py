"""Which gifts a claim takes, and that no gift is ever in two claims."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from donations.claims import eligibility
from donations.claims import services as claims
from donations.claims.models import ClaimItem, ClaimStatus, GiftAidClaim
from donations.extensions import db
from donations.gift_aid import services as declarations
from donations.gifts import lifecycle
from donations.gifts.reversals import dispute
from tests import factories

NOW = datetime.now(UTC)
TODAY = NOW.date()
WEEK_AGO = TODAY - timedelta(days=7)


def gift(pence=2500, paid_at=None, **fields):
    return factories.payment(amount_pence=pence, gift_aid=True, paid_at=paid_at, **fields)


def claimed_pence(claim):
    return {item.donation_id: item.amount_pence for item in claim.items}


def test_a_claim_takes_each_eligible_gift_and_only_what_remains_of_it(app):
    whole = gift(2500)
    partly = gift(4000)
    factories.refund(partly, 1000)
    refunded = gift(1500)
    factories.refund(refunded, 1500)
    without = factories.payment(amount_pence=5000, gift_aid=False)
    claim = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert claimed_pence(claim) == {whole.id: 2500, partly.id: 3000}
    assert {item.donation_id: item.gift_aid_pence for item in claim.items} == {
        whole.id: 625,
        partly.id: 750,
    }
    assert without.id not in claimed_pence(claim)
    assert refunded.id not in claimed_pence(claim)


def test_the_fee_cover_is_never_claimed(app):
    covered = gift(2500, fee_cover_pence=58)
    claim = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert claimed_pence(claim) == {covered.id: 2500}


def test_a_gift_lost_to_a_dispute_is_not_claimed(app):
    lost = gift(2500)
    dispute(factories.payment_entry(lost), "dp_1", 2500, withdrawn=True, reinstated=False)
    db.session.commit()
    kept = gift(1000)
    claim = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert claimed_pence(claim) == {kept.id: 1000}
    reasons = [g.assessment.reasons for g in claims.preview(WEEK_AGO, TODAY)]
    assert sorted(reasons) == [
        [f"Already in Gift Aid claim {claim.reference}."],
        ["Lost to a dispute."],
    ]


def test_a_gift_older_than_the_four_year_window_is_not_claimed(app):
    # the accounting year ends on 31 March: a gift of 1 March six years ago is out of time
    old_day = datetime(TODAY.year - 6, 3, 1, 12, tzinfo=UTC)
    old = gift(2500, paid_at=old_day)
    recent = gift(2500, paid_at=NOW - timedelta(days=400))
    found = {g.donation.id: g.assessment for g in claims.preview(old_day.date(), TODAY)}
    assert not found[old.id].eligible
    assert "too late to claim" in found[old.id].refusals[0]
    assert found[recent.id].eligible


def test_a_cancelled_declaration_stops_later_gifts_and_keeps_earlier_ones(app):
    monthly = gift(1000, frequency="monthly", paid_at=NOW - timedelta(days=40))
    lifecycle.record_month(monthly, "in_2", 1000, 0, NOW - timedelta(days=10))
    db.session.commit()
    declarations.cancel(monthly.declaration, NOW - timedelta(days=5), NOW - timedelta(days=6))
    db.session.commit()
    lifecycle.record_month(monthly, "in_3", 1000, 0, NOW - timedelta(days=1))
    db.session.commit()
    claim = claims.create(TODAY - timedelta(days=60), TODAY, "finance@example.org")
    assert sorted(item.given_on for item in claim.items) == [
        (NOW - timedelta(days=40)).date(),
        (NOW - timedelta(days=10)).date(),
    ]


def test_a_cancellation_cannot_reach_back(app):
    paid = gift(1000)
    with pytest.raises(declarations.CancellationRefused):
        declarations.cancel(paid.declaration, NOW - timedelta(days=1), NOW)


def test_each_month_of_a_monthly_gift_is_claimed_once(app):
    monthly = gift(1000, frequency="monthly", paid_at=NOW - timedelta(days=62))
    lifecycle.record_month(monthly, "in_b", 1000, 0, NOW - timedelta(days=31))
    lifecycle.record_month(monthly, "in_c", 1000, 0, NOW - timedelta(days=1))
    lifecycle.record_month(monthly, "in_c", 1000, 0, NOW - timedelta(days=1))  # again
    db.session.commit()
    first = claims.create(TODAY - timedelta(days=40), TODAY, "finance@example.org")
    second = claims.create(TODAY - timedelta(days=90), TODAY, "finance@example.org")
    assert len(first.items) == 2
    assert len(second.items) == 1
    with pytest.raises(
        claims.ClaimRefused, match=r"^No gift received in that period may be claimed\.$"
    ):
        claims.create(TODAY - timedelta(days=90), TODAY, "finance@example.org")


def test_discarding_a_draft_releases_its_gifts_and_a_submitted_claim_cannot_be_discarded(app):
    paid = gift(2500)
    draft = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert claims.discard(draft) == 1
    assert draft.status == ClaimStatus.DISCARDED
    again = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert claimed_pence(again) == {paid.id: 2500}
    claims.mark_submitted(again, "finance@example.org")
    with pytest.raises(
        claims.ClaimRefused, match=rf"^Claim {again.reference} is submitted; only a draft"
    ):
        claims.discard(again)


def test_a_period_that_ends_in_the_future_or_backwards_is_refused(app):
    gift(2500)
    for start, end in ((TODAY, TODAY + timedelta(days=1)), (TODAY, WEEK_AGO)):
        with pytest.raises(claims.ClaimRefused):
            claims.create(start, end, "finance@example.org")
    assert db.session.scalar(select(func.count(ClaimItem.id))) == 0


def test_a_draft_follows_a_refund_made_before_it_is_submitted(app):
    paid = gift(4000)
    gone = gift(1000)
    draft = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    factories.refund(paid, 1000)
    factories.refund(gone, 1000)
    changes = claims.refresh(draft)
    assert sorted(changes) == sorted(
        [
            f"{paid.reference}: now claimed on what remains.",
            f"{gone.reference}: left out. Refunded in full.",
        ]
    )
    assert claimed_pence(draft) == {paid.id: 3000}


def test_a_refund_after_submission_is_owed_back_on_the_next_claim(app):
    paid = gift(4000)
    first = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    claims.mark_submitted(first, "finance@example.org")
    factories.refund(paid, 1000)
    gift(2000)
    second = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    # 1,000 of 4,000 refunded: the tax on it, 250, is owed back, not the gift
    assert [over.gift_aid_pence for over in second.over_claims] == [250]
    db.session.commit()
    gift(500)
    third = claims.create(WEEK_AGO, TODAY, "finance@example.org")
    assert third.over_claims == []  # reported once


@pytest.mark.postgres_only
def test_two_claims_made_at_the_same_moment_never_share_a_gift(app):
    for _ in range(30):
        gift(1000, commit_now=False)
    db.session.commit()
    made, errors = [], []
    barrier = threading.Barrier(2)

    def make(start: date):
        with app.app_context():
            try:
                barrier.wait()
                claim = claims.create(start, TODAY, "finance@example.org")
                count = len(claim.items)
                db.session.commit()
                made.append(count)
            except claims.ClaimRefused as error:
                errors.append(str(error))
                db.session.rollback()

    threads = [
        threading.Thread(target=make, args=(WEEK_AGO,)),
        threading.Thread(target=make, args=(TODAY - timedelta(days=3),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = db.session.scalar(select(func.count(ClaimItem.id)))
    distinct = db.session.scalar(select(func.count(func.distinct(ClaimItem.entry_id))))
    assert items == distinct == 30
    assert made == [30]
    assert errors == ["No gift received in that period may be claimed."]


def test_a_period_holds_the_gifts_of_its_uk_days_from_first_to_last_midnight(app):
    # 1 July 2026 in London runs from 23:00 UTC on 30 June to 23:00 UTC on 1 July
    start = datetime(2026, 6, 30, 23, tzinfo=UTC)
    inside = [
        gift(100 + n, paid_at=at, email=f"in{n}@example.org")
        for n, at in enumerate((start, start + timedelta(hours=23, minutes=59)))
    ]
    outside = [
        gift(300 + n, paid_at=at, email=f"out{n}@example.org")
        for n, at in enumerate((start - timedelta(seconds=1), start + timedelta(days=1)))
    ]
    claim = claims.create(date(2026, 7, 1), date(2026, 7, 1), "finance@example.org")
    assert sorted(claimed_pence(claim)) == sorted(g.id for g in inside)
    assert not set(claimed_pence(claim)) & {g.id for g in outside}


def test_submitting_says_who_and_when_and_discarding_keeps_other_claims_over_claims(app):
    paid = gift(4000)
    first = claims.create(WEEK_AGO, TODAY, "a@example.org")
    claims.mark_submitted(first, "b@example.org")
    assert (first.status, first.submitted_by) == (ClaimStatus.SUBMITTED, "b@example.org")
    assert first.submitted_at is not None
    factories.refund(paid, 4)  # one penny of Gift Aid owed back
    gift(1000)
    second = claims.create(WEEK_AGO, TODAY, "a@example.org")
    assert [over.gift_aid_pence for over in second.over_claims] == [1]
    claims.mark_submitted(second, "b@example.org")
    factories.refund(paid, 400)
    gift(500)
    third = claims.create(WEEK_AGO, TODAY, "a@example.org")
    assert [over.gift_aid_pence for over in third.over_claims] == [100]
    claims.discard(third)
    assert third.discarded_at is not None
    db.session.commit()
    db.session.expire_all()
    assert [over.gift_aid_pence for over in second.over_claims] == [1]
    assert third.over_claims == []


def test_a_draft_says_what_changed_when_a_gift_left_it(app):
    paid = gift(1000)
    draft = claims.create(WEEK_AGO, TODAY, "a@example.org")
    factories.refund(paid, 1000)
    assert claims.refresh(draft) == [f"{paid.reference}: left out. Refunded in full."]
    assert claims.refresh(draft) == []


def test_only_submitted_claims_owe_back_and_a_dispute_owes_as_a_refund_does(app):
    drafted = gift(4000)
    disputed = gift(2000, email="d@example.org")
    claims.create(WEEK_AGO, TODAY, "a@example.org")  # a draft: nothing was claimed yet
    factories.refund(drafted, 1000)
    assert claims.over_claimed() == []
    db.session.rollback()
    submitted = db.session.execute(select(GiftAidClaim)).scalar_one()
    claims.mark_submitted(submitted, "a@example.org")
    db.session.commit()
    dispute(factories.payment_entry(disputed), "dp_2", 2000, withdrawn=True, reinstated=False)
    db.session.commit()
    owed = {item.donation_id: pence for item, pence in claims.over_claimed()}
    assert owed == {disputed.id: 500}  # the draft followed the refund before it was sent


def test_the_claims_list_shows_the_newest_first(app):
    gift(1000)
    older = claims.create(WEEK_AGO, TODAY, "a@example.org")
    claims.discard(older)
    newer = claims.create(WEEK_AGO, TODAY, "a@example.org")
    assert [c.reference for c in claims.all_claims()] == [newer.reference, older.reference]


def test_cancelling_stops_only_that_donors_declarations(app):
    ada = gift(1000)
    ada_again = gift(2000)
    bob = gift(1500, email="bob@example.org")
    assert declarations.has_live(ada.donor_id)
    assert not declarations.has_live(None)
    assert declarations.cancel_all(ada.donor_id, NOW, NOW) == 2
    db.session.commit()
    db.session.expire_all()
    assert ada.declaration.cancelled_at is not None
    assert ada_again.declaration.cancelled_at is not None
    assert bob.declaration.cancelled_at is None
    assert not declarations.has_live(ada.donor_id)
    assert declarations.has_live(bob.donor_id)
    plain = factories.payment(amount_pence=500, email="carol@example.org")
    assert not declarations.has_live(plain.donor_id)


def test_each_gifts_owed_back_tax_counts_only_what_was_reported_for_that_gift(app):
    first, second = gift(4000), gift(8000, email="bob@example.org")
    claims.mark_submitted(claims.create(WEEK_AGO, TODAY, "a@example.org"), "a@example.org")
    factories.refund(first, 400)
    factories.refund(second, 800)
    gift(1000, email="carol@example.org")
    reporting = claims.create(WEEK_AGO, TODAY, "a@example.org")
    owed = {over.item.donation_id: over.gift_aid_pence for over in reporting.over_claims}
    assert owed == {first.id: 100, second.id: 200}
    claims.mark_submitted(reporting, "a@example.org")
    factories.refund(first, 400)
    db.session.commit()
    # only the new refund is owed: each gift's earlier report is its own, not the two summed
    assert {item.donation_id: pence for item, pence in claims.over_claimed()} == {first.id: 100}


def test_stopping_gift_aid_again_cancels_only_what_is_still_in_force(app):
    ada = gift(1000)
    ada_again = gift(2000)
    earlier = NOW - timedelta(days=1)
    declarations.cancel(ada.declaration, earlier, earlier)
    assert declarations.cancel_all(ada.donor_id, NOW, NOW) == 1
    assert ada.declaration.cancelled_at == earlier, "the first cancellation keeps its day"
    assert ada_again.declaration.cancelled_at == NOW
    assert declarations.cancel_all(ada.donor_id, NOW, NOW) == 0


def test_gifts_are_listed_by_the_day_they_were_received_not_the_order_they_were_entered(app):
    later = gift(1000, paid_at=NOW - timedelta(days=1))
    earlier = gift(2000, paid_at=NOW - timedelta(days=3), email="cheque@example.org")
    listed = eligibility.gifts(eligibility.in_period(WEEK_AGO, TODAY))
    assert [found.donation.id for found in listed] == [earlier.id, later.id]
