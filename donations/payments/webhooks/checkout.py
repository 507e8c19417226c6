"""checkout.session.* events: a donor finished, paid, failed to pay, or walked away."""

from donations.gifts.checkout import close_unpaid
from donations.gifts.models import DonationStatus
from donations.gifts.outcome import Outcome, ignored
from donations.payments.sessions import NOT_OURS, apply_checkout_session, locked_donation
from donations.payments.webhooks.registry import handles

handles("checkout.session.completed", "checkout.session.async_payment_succeeded")(
    apply_checkout_session
)


@handles("checkout.session.async_payment_failed")
def direct_debit_failed(session: dict) -> Outcome:
    donation = locked_donation(session)
    if donation is None:
        return ignored(NOT_OURS)
    return close_unpaid(donation, DonationStatus.FAILED)


@handles("checkout.session.expired")
def session_expired(session: dict) -> Outcome:
    donation = locked_donation(session)
    if donation is None:
        return ignored(NOT_OURS)
    return close_unpaid(donation, DonationStatus.EXPIRED)
