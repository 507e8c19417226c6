"""Who is shown on a fund's page, decided on the donation alone; what waits for staff."""

from datetime import UTC, datetime

import pytest

from donations.gifts import moderation
from donations.gifts.models import Donation, Moderation
from donations.gifts.supporters import ANONYMOUS, recent, shown_name
from tests import factories


@pytest.mark.parametrize(
    ("anonymous", "name", "moderation", "shown"),
    [
        (False, "The Smiths", Moderation.APPROVED, "The Smiths"),
        (True, "The Smiths", Moderation.APPROVED, ANONYMOUS),
        (False, "The Smiths", Moderation.PENDING, ANONYMOUS),
        (False, "The Smiths", Moderation.REJECTED, ANONYMOUS),
        (False, None, Moderation.APPROVED, ANONYMOUS),
        (False, "", Moderation.APPROVED, ANONYMOUS),
    ],
)
def test_a_name_shows_only_when_given_approved_and_not_anonymous(
    anonymous, name, moderation, shown
):
    donation = Donation(anonymous=anonymous, display_name=name, moderation=moderation)
    assert shown_name(donation) == shown


def test_messages_wait_for_staff_oldest_first_and_only_once_paid(app):
    newer = factories.payment(
        message="Second", email="b@example.org", paid_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    older = factories.payment(
        message="First", email="a@example.org", paid_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    factories.donation(message="Not paid yet", email="c@example.org")
    factories.payment(email="d@example.org")
    assert [d.reference for d in moderation.awaiting_decision()] == [
        older.reference,
        newer.reference,
    ]


def test_a_funds_recent_supporters_are_its_own_newest_ten(app):
    for n in range(12):
        factories.payment(
            email=f"s{n}@example.org",
            display_name=f"Supporter {n}",
            paid_at=datetime(2026, 3, 1 + n, tzinfo=UTC),
        )
    factories.payment("stem-cell-audit", email="elsewhere@example.org", display_name="Elsewhere")
    factories.donation(email="unpaid@example.org", display_name="Unpaid")
    for donation in moderation.awaiting_decision():
        moderation.moderate(donation.reference, approve=True)
    shown = recent(factories.fund("actimus"))
    assert [s.given_at.day for s in shown] == list(range(12, 2, -1)), "newest first, ten"
    assert "Elsewhere" not in [s.name for s in shown]
    assert [s.name for s in recent(factories.fund("actimus"), limit=2)] == [
        "Supporter 11",
        "Supporter 10",
    ]


def test_supporters_are_in_the_order_their_gifts_were_paid_and_only_paid_ones(app):
    later = factories.payment(
        email="later@example.org",
        display_name="Paid later",
        paid_at=datetime(2026, 3, 9, tzinfo=UTC),
    )
    earlier = factories.payment(
        email="earlier@example.org",
        display_name="Paid earlier",
        paid_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert earlier.id > later.id, "made second, paid first"
    factories.donation(email="unpaid@example.org", display_name="Not paid")
    for donation in moderation.awaiting_decision():
        moderation.moderate(donation.reference, approve=True)
    assert [s.name for s in recent(factories.fund("actimus"))] == ["Paid later", "Paid earlier"]
