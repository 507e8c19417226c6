"""What a completed, paid, failed or expired Checkout Session means for its donation.

The payment provider's words are translated into a CheckoutReport by the payments package;
what follows from a report is decided here.
"""

from dataclasses import dataclass

from donations.gifts import lifecycle, plans, states
from donations.gifts.models import Donation, DonationStatus
from donations.gifts.outcome import Outcome, held, processed


@dataclass(frozen=True)
class CheckoutReport:
    """A Checkout Session, as far as its donation is concerned."""

    session_id: str | None
    currency: str | None
    amount_total: int | None
    #: the money is collected (a card, or a Direct Debit that has settled)
    paid: bool
    #: the donor finished the checkout (a Direct Debit may still be uncollected)
    complete: bool
    #: the ledger key of this payment (PaymentIntent, or Invoice for a monthly gift); None
    #: when the session does not name it (a monthly gift then waits for its invoice)
    payment_ref: str | None
    payment_intent_id: str | None = None
    subscription_id: str | None = None
    customer_id: str | None = None


def _remember_provider_ids(donation: Donation, report: CheckoutReport) -> None:
    donation.checkout_session_id = donation.checkout_session_id or report.session_id
    donation.payment_intent_id = report.payment_intent_id or donation.payment_intent_id
    donation.subscription_id = report.subscription_id or donation.subscription_id
    donation.customer_id = report.customer_id or donation.customer_id


def _pay(donation: Donation, report: CheckoutReport) -> Outcome:
    if donation.status == DonationStatus.PAID:
        return processed("already paid")
    if not states.can_move(donation, DonationStatus.PAID):
        return held(f"a paid session for a donation that is {donation.status}")
    if report.payment_ref is None:
        return processed("paid: the first month is recorded from its invoice")
    lifecycle.mark_paid(donation, report.payment_ref)
    return processed("paid")


def apply_checkout(donation: Donation, report: CheckoutReport) -> Outcome:
    """Bring a (locked) donation up to date with its Checkout Session, from any path."""
    if report.currency != "gbp" or report.amount_total != donation.total_charged_pence:
        return held("amount or currency differs from the donation")
    _remember_provider_ids(donation, report)
    if donation.recurring and report.subscription_id:
        plans.begin_plan(donation, report.subscription_id, report.customer_id)
    if report.paid:
        return _pay(donation, report)
    if report.complete and donation.status == DonationStatus.CREATED:
        lifecycle.mark_pending(donation)
        return processed("pending")
    return processed(f"nothing to change (donation is {donation.status})")


def close_unpaid(donation: Donation, to: DonationStatus) -> Outcome:
    """A checkout that ended without payment: a failed Direct Debit or an expired session."""
    if not states.can_move(donation, to):
        return processed(f"nothing to change (donation is {donation.status})")
    if to == DonationStatus.FAILED:
        lifecycle.mark_failed(donation)
    else:
        lifecycle.mark_expired(donation)
    return processed(str(to))
