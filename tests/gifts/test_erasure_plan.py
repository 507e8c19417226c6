"""What erasing an address would touch, and until when HMRC needs the declaration: counted
from the latest Gift Aided gift, to the day."""

from datetime import UTC, date, datetime, timedelta

from donations.extensions import db
from donations.gifts import erasure
from donations.transaction import commit
from tests import factories

EMAIL = "ada@example.org"


def on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_the_declaration_is_kept_six_years_from_the_latest_gift_aided_gifts_tax_year(app):
    factories.payment(gift_aid=True, paid_at=on(date(2019, 6, 1)))
    latest = factories.payment(gift_aid=True, paid_at=on(date(2021, 6, 1)))
    factories.payment(gift_aid=False, paid_at=on(date(2023, 6, 1)))
    factories.refund(latest, 500)
    factories.payment(gift_aid=True, paid_at=on(date(2024, 6, 1)), email="ben@example.org")
    # the 2021-22 tax year ends 5 April 2022: kept until 5 April 2028, that day included
    until = date(2028, 4, 5)
    assert erasure.plan(EMAIL, until).keep_declaration_until == until
    assert erasure.plan(EMAIL, until + timedelta(days=1)).keep_declaration_until is None


def test_every_gift_of_the_donor_is_found_whatever_address_it_was_typed_with(app):
    first = factories.payment()
    other = factories.payment()
    other.email = "old-address@example.org"  # the same donor, given under another address
    factories.fundraiser("ada-runs", email=EMAIL)
    factories.fundraiser("ada-swims", email=EMAIL)
    commit()
    found = erasure.plan(EMAIL, date(2026, 12, 7))
    assert [d.reference for d in found.donations] == [first.reference, other.reference]
    assert [p.slug for p in found.pages] == ["ada-runs", "ada-swims"]


def test_an_erased_gift_keeps_no_detail_of_them(app):
    gift = factories.payment(title="Dr", gift_aid=True, house="1", address="High St")
    found = erasure.plan(EMAIL, date(2040, 1, 1))
    erasure.erase(found)
    commit()
    db.session.refresh(gift)
    assert (gift.title, gift.house, gift.address, gift.postcode, gift.email) == (None,) * 5
    assert (gift.first_name, gift.last_name) == ("Erased", "Erased")
    assert gift.anonymous, "shown as Anonymous, never by a name"
    assert (gift.display_name, gift.message, gift.marketing_consent) == (None, None, False)
    assert gift.donor.title is None
