"""charge.dispute.* events: a donor's bank takes a payment back, and perhaps gives it back."""

from datetime import UTC, datetime

from donations.gifts import reversals
from donations.gifts.outcome import Outcome, held, ignored
from donations.payments import provider_payments
from donations.payments.objects import id_of
from donations.payments.webhooks.registry import handles

WITHDRAWN = "charge.dispute.funds_withdrawn"
REINSTATED = "charge.dispute.funds_reinstated"


def _moves(dispute: dict, event_type: str) -> tuple[bool, bool]:
    """(funds withdrawn, funds reinstated), from the dispute's own balance transactions when it
    lists them, else from what the event and the dispute's status say."""
    transactions = dispute.get("balance_transactions")
    if transactions:
        amounts = [t.get("amount", 0) for t in transactions if isinstance(t, dict)]
        return any(a < 0 for a in amounts), any(a > 0 for a in amounts)
    status = dispute.get("status")
    reinstated = event_type == REINSTATED
    withdrawn = reinstated or event_type == WITHDRAWN or status == "lost"
    return withdrawn, reinstated


def _apply(dispute: dict, event_type: str) -> Outcome:
    dispute_id, amount = id_of(dispute.get("id")), dispute.get("amount")
    if dispute_id is None or not isinstance(amount, int):
        return ignored("a dispute without an id or an amount")
    payment, waiting_for = provider_payments.payment_or_wait(dispute, id_of(dispute.get("charge")))
    if payment is None:
        if waiting_for is None:
            return ignored("no payment of ours")
        return held("its payment is not recorded yet", waiting_for=waiting_for)
    withdrawn, reinstated = _moves(dispute, event_type)
    created = dispute.get("created")
    when = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None
    return reversals.dispute(
        payment, dispute_id, amount, withdrawn=withdrawn, reinstated=reinstated, when=when
    )


@handles("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
def dispute_changed(dispute: dict) -> Outcome:
    return _apply(dispute, "charge.dispute.updated")


@handles(WITHDRAWN)
def funds_withdrawn(dispute: dict) -> Outcome:
    return _apply(dispute, WITHDRAWN)


@handles(REINSTATED)
def funds_reinstated(dispute: dict) -> Outcome:
    return _apply(dispute, REINSTATED)
