"""Who is shown on a fund's page, decided on the donation alone."""

import pytest

from donations.gifts.models import Donation, Moderation
from donations.gifts.supporters import ANONYMOUS, shown_name


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
