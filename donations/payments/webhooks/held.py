"""Events that are ours but came before what they depend on (a refund before its payment):
kept as held, and applied in the order they came as soon as the payment is recorded."""

import json

from sqlalchemy import bindparam, select

from donations.extensions import db, utcnow
from donations.payments.models import StripeEvent
from donations.payments.webhooks.registry import HANDLERS


def _apply(record: StripeEvent) -> None:
    event = json.loads(record.payload)
    outcome = HANDLERS[record.type](event["data"]["object"])
    if outcome.result != "held":
        record.applied_at = utcnow()
    record.outcome, record.note, record.waiting_for = outcome
    db.session.flush()


def replay_for(*waiting_for: str | None) -> int:
    """Apply the events held for this payment (its PaymentIntent or Charge id); returns how
    many were applied."""
    keys = [key for key in waiting_for if key]
    if not keys:
        return 0
    waiting = list(db.session.execute(_HELD_FOR, {"keys": keys}).scalars())
    for record in waiting:
        _apply(record)
    return sum(1 for record in waiting if record.outcome != "held")


_HELD_FOR = (
    select(StripeEvent)
    .where(StripeEvent.waiting_for.in_(bindparam("keys", expanding=True)))
    .where(StripeEvent.outcome == "held")
    .order_by(StripeEvent.received_at, StripeEvent.id)
    .with_for_update()
)


def replay_for_payment(noted) -> int:
    """Apply the events held for a payment just noted (`provider_payments.note_payment`), if
    it says any are."""
    if not noted.awaited:
        return 0
    return replay_for(noted.payment_intent_id, noted.charge_id)


def replay_all() -> int:
    """Apply every held event whose payment has since been recorded (by any path)."""
    keys = db.session.execute(
        select(StripeEvent.waiting_for)
        .where(StripeEvent.outcome == "held", StripeEvent.waiting_for.is_not(None))
        .distinct()
    ).scalars()
    return sum(replay_for(key) for key in list(keys))
