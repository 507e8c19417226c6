"""invoice.* and customer.subscription.* events: each month of a monthly gift, and its plan."""

from datetime import UTC, datetime

from donations.gifts import plans, recurring
from donations.gifts import services as gifts
from donations.gifts.models import Donation, PlanStatus
from donations.gifts.outcome import Outcome, ignored, processed
from donations.payments import catalogue, provider_payments
from donations.payments.objects import id_of
from donations.payments.webhooks.held import replay_for_payment
from donations.payments.webhooks.registry import handles

NOT_OURS = "no monthly gift of ours"

#: Stripe's subscription statuses, as a plan's
PLAN_STATUS = {
    "active": PlanStatus.ACTIVE,
    "trialing": PlanStatus.ACTIVE,
    "past_due": PlanStatus.PAST_DUE,
    "unpaid": PlanStatus.PAST_DUE,
    "incomplete": PlanStatus.PAST_DUE,
    "paused": PlanStatus.PAST_DUE,
    "canceled": PlanStatus.CANCELLED,
    "incomplete_expired": PlanStatus.CANCELLED,
}


def _subscription_details(invoice: dict) -> dict:
    """Since 2025 an invoice names its subscription under parent.subscription_details."""
    parent = invoice.get("parent") or {}
    return parent.get("subscription_details") or {}


def subscription_of(invoice: dict) -> str | None:
    return id_of(_subscription_details(invoice).get("subscription")) or id_of(
        invoice.get("subscription")
    )


def _donation_for(subscription_id: str | None, metadata: dict | None) -> Donation | None:
    """The monthly gift's donation, locked (so two deliveries about it apply in turn)."""
    reference = (metadata or {}).get("donation_reference")
    if isinstance(reference, str) and (donation := gifts.by_reference(reference, for_update=True)):
        return donation
    plan = plans.plan_for(subscription_id)
    donation = plan.donation if plan is not None else gifts.by_subscription(subscription_id)
    return gifts.lock(donation) if donation is not None else None


def _payment_intent_of(invoice: dict) -> str | None:
    """The PaymentIntent that paid the invoice, from invoice.payments."""
    payments = (invoice.get("payments") or {}).get("data") or []
    for payment in payments:
        details = (payment or {}).get("payment") or {}
        if (payment or {}).get("status", "paid") == "paid" and details.get("payment_intent"):
            return id_of(details["payment_intent"])
    return None


def _split(invoice: dict, donation: Donation) -> tuple[int, int] | None:
    """(the gift, the fee cover) in what the invoice charged; None when it is not pence."""
    paid = invoice.get("amount_paid")
    if not isinstance(paid, int) or invoice.get("currency") != "gbp":
        return None
    cover_product = catalogue.fee_cover_product()
    lines = (invoice.get("lines") or {}).get("data") or []
    covers = [
        line.get("amount")
        for line in lines
        if cover_product and catalogue.product_of_line(line) == cover_product
    ]
    if not all(isinstance(amount, int) for amount in covers):
        return None
    cover = sum(covers)
    if not lines or not cover_product:
        cover = donation.fee_cover_pence if paid == donation.total_charged_pence else 0
    return paid - cover, cover


def _paid_at(invoice: dict) -> datetime | None:
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
    return datetime.fromtimestamp(paid_at, UTC) if isinstance(paid_at, int) else None


@handles("invoice.paid")
def invoice_paid(invoice: dict) -> Outcome:
    subscription_id = subscription_of(invoice)
    donation = _donation_for(subscription_id, _subscription_details(invoice).get("metadata"))
    invoice_id = id_of(invoice.get("id"))
    if donation is None or not donation.recurring or invoice_id is None:
        return ignored(NOT_OURS)
    paid = recurring.PeriodPaid(
        invoice_id=invoice_id,
        subscription_id=subscription_id,
        customer_id=id_of(invoice.get("customer")),
        split=_split(invoice, donation),
        paid_at=_paid_at(invoice),
    )
    outcome, _ = recurring.period_paid(donation, paid)
    if outcome.result == "held":
        return outcome
    noted = provider_payments.note_payment(
        invoice_id, invoice_id=invoice_id, payment_intent_id=_payment_intent_of(invoice)
    )
    replay_for_payment(noted)
    return outcome


@handles("invoice.payment_failed")
def invoice_payment_failed(invoice: dict) -> Outcome:
    plan = plans.plan_for(subscription_of(invoice))
    if plan is None:
        return ignored(NOT_OURS)
    changed = plans.change_plan(plan, PlanStatus.PAST_DUE, "invoice.payment_failed")
    return processed("plan past due" if changed else "nothing to change")


def _gift_amount(subscription: dict) -> int | None:
    """The monthly gift in a subscription: its items, less the fee cover's."""
    cover_product = catalogue.fee_cover_product()
    total = 0
    for item in (subscription.get("items") or {}).get("data") or []:
        price = item.get("price") or {}
        if cover_product and id_of(price.get("product")) == cover_product:
            continue
        amount = price.get("unit_amount")
        if not isinstance(amount, int):
            return None
        total += amount * (item.get("quantity") or 1)
    return total or None


@handles("customer.subscription.updated", "customer.subscription.deleted")
def subscription_changed(subscription: dict) -> Outcome:
    plan = plans.plan_for(id_of(subscription.get("id")))
    if plan is None:
        donation = _donation_for(id_of(subscription.get("id")), subscription.get("metadata"))
        if donation is None or not donation.recurring:
            return ignored(NOT_OURS)
        plan = plans.begin_plan(donation, subscription["id"], id_of(subscription.get("customer")))
    deleted = subscription.get("status") == "canceled" or subscription.get("ended_at")
    status = PlanStatus.CANCELLED if deleted else PLAN_STATUS.get(subscription.get("status"))
    if status is None:
        return processed(f"nothing to change (status {subscription.get('status')!r})")
    note = "subscription"
    if status == PlanStatus.CANCELLED:
        # Stripe says why: cancellation_requested, payment_failed or payment_disputed
        reason = (subscription.get("cancellation_details") or {}).get("reason")
        note = f"subscription: {reason}" if isinstance(reason, str) else note
    changed = plans.change_plan(plan, status, note[:200], _gift_amount(subscription))
    return processed(f"plan {status}" if changed else "nothing to change")
