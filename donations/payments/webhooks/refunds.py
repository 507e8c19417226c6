"""charge.refunded and refund.* events: money returned to a donor, once per refund."""

from datetime import UTC, datetime

from donations.gifts import reversals
from donations.gifts.outcome import Outcome, held, ignored, processed
from donations.payments import provider_payments
from donations.payments.gateway import gateway
from donations.payments.objects import id_of
from donations.payments.webhooks.registry import handles

#: a refund in these states will not reach the donor
FAILED = ("failed", "canceled")


def _when(obj: dict) -> datetime | None:
    created = obj.get("created")
    return datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None


def _apply(payment, refund: dict) -> str:
    refund_id, amount = id_of(refund.get("id")), refund.get("amount")
    if refund_id is None or not isinstance(amount, int) or amount <= 0:
        return "a refund without an id or an amount"
    if refund.get("status") in FAILED:
        # record it and its failure together, so a later "pending" report of it adds nothing
        reversals.refund(payment, refund_id, amount, _when(refund))
        return reversals.refund_failed(refund_id, _when(refund)).note
    return reversals.refund(payment, refund_id, amount, _when(refund)).note


def _not_yet(waiting_for: str | None) -> Outcome:
    if waiting_for is None:
        return ignored("no payment of ours")
    return held("its payment is not recorded yet", waiting_for=waiting_for)


@handles("charge.refunded")
def charge_refunded(charge: dict) -> Outcome:
    payment, waiting_for = provider_payments.payment_or_wait(charge, id_of(charge.get("id")))
    if payment is None:
        return _not_yet(waiting_for)
    listed = (charge.get("refunds") or {}).get("data")
    refunds = listed if listed is not None else list(gateway().list_refunds(charge["id"]))
    notes = [_apply(payment, refund) for refund in refunds]
    return processed("; ".join(notes) or "no refunds listed")


@handles("refund.created", "refund.updated", "refund.failed")
def refund_changed(refund: dict) -> Outcome:
    payment, waiting_for = provider_payments.payment_or_wait(refund, id_of(refund.get("charge")))
    if payment is None:
        return _not_yet(waiting_for)
    return processed(_apply(payment, refund))
