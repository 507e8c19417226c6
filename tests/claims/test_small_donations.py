"""The Gift Aid Small Donations Scheme, rule by rule as HMRC states it: £30 or less, cash or
contactless, no gift that carries Gift Aid, the lower of £8,000 and ten times the year's Gift
Aid donations, the tax year, and two years to claim."""

import itertools
from datetime import date

import pytest

from donations.claims import services as claims
from donations.claims import small_donations
from donations.extensions import db
from donations.gifts import offline
from donations.gifts.reversals import refund
from donations.ledger.services import already_recorded
from tests import factories
from tests.support import sign_in

numbers = itertools.count(1)


def gift(amount_pence: int, method: str = "cash", on=date(2026, 7, 2), **changes):
    return factories.offline_gift(
        amount_pence=amount_pence, method=method, received_on=on, **changes
    )


def gift_aided(amount_pence: int, on=date(2026, 7, 2)):
    return gift(
        amount_pence,
        method="cheque",
        on=on,
        gift_aid=True,
        house="14",
        postcode="SW1A 1AA",
        declared_on=on,
    )


def claimed(start: date, end: date, *, submit: bool = True):
    made = claims.create(start, end, "finance@example.org")
    if submit:
        claims.mark_submitted(made, "finance@example.org")
    db.session.commit()
    return made


def year(tax_year: int) -> small_donations.SmallDonationsYear:
    found = {found.tax_year: found for found in small_donations.years()}
    return found[tax_year]


@pytest.fixture
def gift_aid_claimed(app):
    """£1,000 of donations claimed under Gift Aid in 2026-27: the matching rule allows £10,000."""
    gift_aided(100_000)
    claimed(date(2026, 4, 6), date(2026, 12, 6))


def test_a_gift_of_30_pounds_is_small_and_one_penny_more_is_not(gift_aid_claimed):
    gift(3000)
    gift(3001)
    found = year(2026)
    assert (found.collected_pence, found.gifts) == (3000, 1)
    assert found.top_up_pence == 750, "25p in the pound at a basic rate of 20%"


def test_only_cash_and_contactless_gifts_count(gift_aid_claimed):
    for method in offline.METHODS:
        gift(1000, method=method)
    assert year(2026).collected_pence == 2000, "cash and contactless; no cheque, transfer, event"


def test_a_gift_that_carries_gift_aid_is_never_a_small_donation(gift_aid_claimed):
    gift(2000)
    gift(2000, gift_aid=True, house="14", postcode="SW1A 1AA")
    assert year(2026).collected_pence == 2000


def test_small_donations_are_capped_at_ten_times_the_years_gift_aid_donations(app):
    for _ in range(20):
        gift(2500)  # £500 of small donations
    gift_aided(4000)
    claimed(date(2026, 4, 6), date(2026, 12, 6))
    found = year(2026)
    assert found.collected_pence == 50_000
    assert found.gift_aid_donations_pence == 4000
    assert (found.cap_pence, found.claimable_pence, found.top_up_pence) == (40_000, 40_000, 10_000)


def test_only_gift_aid_actually_claimed_counts_toward_the_matching_rule(app):
    gift(2500)
    gift_aided(4000)
    draft = claimed(date(2026, 4, 6), date(2026, 12, 6), submit=False)
    assert year(2026).claimable_pence == 0, "a draft claim is not a claim made"
    claims.mark_submitted(draft, "finance@example.org")
    db.session.commit()
    assert year(2026).claimable_pence == 2500


def test_small_donations_are_capped_at_8000_pounds_a_year(gift_aid_claimed):
    for _ in range(301):
        gift(3000)  # £9,030 of small donations; the matching rule would allow £10,000
    found = year(2026)
    assert found.collected_pence == 903_000
    assert (found.claimable_pence, found.top_up_pence) == (800_000, 200_000)


def test_each_tax_year_stands_alone_from_6_april(app):
    gift(1000, on=date(2026, 4, 5))
    gift(2000, on=date(2026, 4, 6))
    gift_aided(100_000, on=date(2026, 4, 5))  # the 2025-26 year's Gift Aid donations only
    claimed(date(2025, 4, 6), date(2026, 4, 5))
    earlier, later = year(2025), year(2026)
    assert (earlier.collected_pence, earlier.claimable_pence) == (1000, 1000)
    assert earlier.label == "2025\u201326"
    assert (later.collected_pence, later.gift_aid_donations_pence) == (2000, 0)
    assert later.claimable_pence == 0, "no Gift Aid claimed in 2026-27: nothing may be claimed"
    assert [found.tax_year for found in small_donations.years()] == [2026, 2025]


def test_a_year_may_be_claimed_until_two_years_after_its_end(app):
    gift(1000, on=date(2023, 5, 1))
    found = year(2023)
    assert found.claim_by == date(2026, 4, 5)
    assert found.open_on(date(2026, 4, 5))
    assert not found.open_on(date(2026, 4, 6))


def test_what_is_refunded_of_a_small_donation_is_not_claimed_on(gift_aid_claimed):
    donation = gift(2000)
    refund(already_recorded(donation.form_token), "offline-refund-1", 500)
    db.session.commit()
    assert year(2026).collected_pence == 1500


def test_the_gift_aid_page_shows_each_years_small_donations_and_when_it_is_too_late(app, client):
    gift(1000, on=date(2023, 5, 1))
    gift(3000, method="contactless")
    gift_aided(100_000)
    claimed(date(2026, 4, 6), date(2026, 12, 6))
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/gift-aid").get_data(as_text=True)
    assert "Small donations (GASDS)" in page
    assert "2026\u201327" in page
    assert "£30.00" in page
    assert "£7.50" in page
    assert "5 April 2029" in page, "two years after 5 April 2027"
    assert "too late: the last day was 5 April 2026" in page
