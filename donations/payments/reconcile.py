"""Repairing what webhooks missed, from Stripe's own lists: its events (Stripe keeps 30
days), its Checkout Sessions, and its balance transactions (each payment's fee and net).

Every step is idempotent: applied twice, the second time changes nothing."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.payments import provider_payments
from donations.payments.gateway import gateway
from donations.payments.models import StripeEvent
from donations.payments.objects import id_of
from donations.payments.sessions import apply_checkout_session, donation_for_session
from donations.payments.webhooks.delivery import take
from donations.payments.webhooks.held import replay_all

#: balance transactions that are a payment's money arriving
PAYMENT_TYPES = ("charge", "payment")


@dataclass(frozen=True)
class Change:
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}"


def _recorded(event_ids: list[str]) -> set[str]:
    if not event_ids:
        return set()
    return set(
        db.session.execute(select(StripeEvent.id).where(StripeEvent.id.in_(event_ids))).scalars()
    )


def missed_events(since: datetime, apply: bool) -> list[Change]:
    events = list(gateway().list_events(since))[::-1]  # Stripe lists newest first
    known = _recorded([event["id"] for event in events])
    changes = []
    for event in events:
        if event["id"] in known:
            continue
        changes.append(Change("event", f"{event['type']} {event['id']}"))
        if apply:
            take(event)
    return changes


def missed_sessions(since: datetime, apply: bool) -> list[Change]:
    """Completed sessions whose donation still waits (their events older than 30 days)."""
    changes = []
    for session in gateway().list_checkout_sessions(since):
        if session.get("status") != "complete":
            continue
        donation = donation_for_session(session)
        if donation is None or donation.status not in ("created",):
            continue
        changes.append(Change("checkout", f"{donation.reference} {session.get('id')}"))
        if apply:
            apply_checkout_session(session)
    return changes


def fees(since: datetime, apply: bool) -> list[Change]:
    """Each payment's Stripe fee and net, from its balance transaction."""
    changes = []
    for transaction in gateway().list_balance_transactions(since=since):
        if transaction.get("type") not in PAYMENT_TYPES:
            continue
        source = transaction.get("source")
        charge = source if isinstance(source, dict) else {"id": source}
        known = provider_payments.provider_payment(
            payment_intent_id=id_of(charge.get("payment_intent")), charge_id=id_of(charge)
        )
        if known is None or known.fee_pence is not None:
            continue
        changes.append(
            Change("fee", f"{known.source_ref}: fee {transaction['fee']}, net {transaction['net']}")
        )
        if apply:
            known.charge_id = known.charge_id or id_of(charge)
            known.balance_transaction_id = transaction["id"]
            known.fee_pence, known.net_pence = transaction["fee"], transaction["net"]
    db.session.flush()
    return changes


def reconcile(since: datetime, apply: bool) -> list[Change]:
    changes = missed_events(since, apply) + missed_sessions(since, apply) + fees(since, apply)
    if apply:
        replayed = replay_all()
        if replayed:
            changes.append(Change("held", f"{replayed} held events applied"))
    return changes
