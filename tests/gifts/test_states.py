"""A donation moves only along the allowed transitions; any other move is a named error."""

import pytest

from donations.gifts import lifecycle, states
from donations.gifts.models import DonationStatus
from tests import factories
from tests.support import fund_totals


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (DonationStatus.PAID, DonationStatus.PENDING),
        (DonationStatus.PAID, DonationStatus.FAILED),
        (DonationStatus.EXPIRED, DonationStatus.PAID),
        (DonationStatus.FAILED, DonationStatus.PAID),
        (DonationStatus.PENDING, DonationStatus.EXPIRED),
    ],
)
def test_a_refused_transition_raises_and_changes_nothing(app, start, to):
    donation = factories.donation()
    donation.status = start
    with pytest.raises(states.IllegalTransition, match=f"{start} -> {to}"):
        states.move(donation, to)
    assert donation.status == start


def test_paying_twice_is_refused(app):
    donation = factories.payment()
    with pytest.raises(states.IllegalTransition):
        lifecycle.mark_paid(donation, "pi_again")


def test_a_direct_debit_goes_pending_then_paid(app):
    donation = factories.pending_payment(amount_pence=1000)
    assert donation.status == DonationStatus.PENDING
    assert fund_totals("actimus").pending_pence == 1000
    assert lifecycle.mark_paid(donation, "pi_settled") is not None
    assert donation.status == DonationStatus.PAID
    totals = fund_totals("actimus")
    assert (totals.pending_pence, totals.raised_pence) == (0, 1000), "collected: no longer pending"


def test_a_refused_transition_says_which_gift_and_where_it_was_asked_to_go(app):
    donation = factories.payment()
    with pytest.raises(states.IllegalTransition) as refused:
        states.move(donation, DonationStatus.PENDING)
    assert refused.value.donation is donation
    assert refused.value.to == DonationStatus.PENDING
    assert str(refused.value) == f"{donation.reference}: paid -> pending"
