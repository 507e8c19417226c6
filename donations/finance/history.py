"""A donation's whole history, oldest first: the form, each movement of money in the ledger,
money promised, each Stripe event about it, each receipt, each change to its plan."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from donations.extensions import db
from donations.gifts.models import Donation, Plan, PlanChange
from donations.ledger.models import GIFT_KINDS, LedgerEntry, PendingEntry
from donations.money import format_gbp
from donations.payments.models import ProviderPayment, StripeEvent
from donations.receipts.models import OutboxMessage

KIND_WORDS = {
    "payment": "Payment received",
    "offline": "Offline gift recorded",
    "refund": "Refund",
    "refund_failed": "Refund failed: money back",
    "dispute": "Dispute: money withdrawn",
    "dispute_won": "Dispute won: money back",
}


@dataclass(frozen=True)
class Happening:
    at: datetime
    what: str
    detail: str = ""
    amount_pence: int | None = None


def gifts_of(donation: Donation) -> list[LedgerEntry]:
    """The donation's gifts received (a monthly gift has one per month), oldest first."""
    return list(
        db.session.execute(
            select(LedgerEntry)
            .where(LedgerEntry.donation_id == donation.id, LedgerEntry.kind.in_(GIFT_KINDS))
            .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
        ).scalars()
    )


def _ledger(donation: Donation) -> list[Happening]:
    rows = db.session.execute(
        select(LedgerEntry, ProviderPayment)
        .outerjoin(ProviderPayment, ProviderPayment.source_ref == LedgerEntry.source_ref)
        .where(LedgerEntry.donation_id == donation.id)
    ).all()
    out = []
    for entry, known in rows:
        detail = [entry.source_ref]
        if entry.fee_cover_pence:
            detail.append(f"fee cover {format_gbp(entry.fee_cover_pence)}")
        if entry.gift_aid:
            detail.append("Gift Aid")
        if known is not None and known.fee_pence is not None:
            detail.append(f"Stripe fee {format_gbp(known.fee_pence)}")
        if known is not None and known.payout_id:
            detail.append(f"paid out in {known.payout_id}")
        what = KIND_WORDS.get(entry.kind, entry.kind)
        out.append(Happening(entry.occurred_at, what, ", ".join(detail), entry.amount_pence))
    return out


def _pending(donation: Donation) -> list[Happening]:
    rows = db.session.execute(
        select(PendingEntry).where(PendingEntry.donation_id == donation.id)
    ).scalars()
    return [
        Happening(
            row.occurred_at,
            "Direct Debit promised" if row.amount_pence > 0 else "Direct Debit no longer pending",
            row.source_ref,
            row.amount_pence,
        )
        for row in rows
    ]


def _events(donation: Donation) -> list[Happening]:
    """Stripe's events that name this donation or its payments."""
    names = {donation.reference, donation.checkout_session_id, donation.payment_intent_id}
    names |= {donation.subscription_id}
    names |= set(
        db.session.execute(
            select(ProviderPayment.charge_id)
            .join(LedgerEntry, LedgerEntry.source_ref == ProviderPayment.source_ref)
            .where(LedgerEntry.donation_id == donation.id)
        ).scalars()
    )
    names = {name for name in names if name}
    if not names:
        return []
    events = db.session.execute(
        select(StripeEvent).where(or_(*(StripeEvent.payload.contains(n) for n in names)))
    ).scalars()
    return [
        Happening(
            event.received_at, f"Stripe event {event.type}", f"{event.outcome}: {event.note or ''}"
        )
        for event in events
    ]


def _receipts(donation: Donation, personal: bool) -> list[Happening]:
    messages = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.donation_id == donation.id)
    ).scalars()
    out = []
    for message in messages:
        to = f" to {message.to_address}" if personal else ""
        out.append(Happening(message.created_at, "Receipt queued" + to, message.dedupe_key))
        if message.sent_at:
            out.append(Happening(message.sent_at, "Receipt sent" + to, message.subject or ""))
        elif message.last_error:
            out.append(Happening(message.created_at, "Receipt not sent yet", message.last_error))
    return out


def _plan(donation: Donation) -> list[Happening]:
    changes = db.session.execute(
        select(PlanChange).join(Plan).where(Plan.donation_id == donation.id)
    ).scalars()
    return [
        Happening(
            change.at,
            f"Monthly plan {change.status.replace('_', ' ')}",
            change.note,
            change.amount_pence,
        )
        for change in changes
    ]


def history(donation: Donation, *, personal: bool) -> list[Happening]:
    made = Happening(donation.created_at, "Form sent; checkout opened", donation.status)
    everything = [
        made,
        *_ledger(donation),
        *_pending(donation),
        *_events(donation),
        *_receipts(donation, personal),
        *_plan(donation),
    ]
    return sorted(everything, key=lambda happening: happening.at)


def plan_of(donation: Donation) -> Plan | None:
    return db.session.execute(
        select(Plan).where(Plan.donation_id == donation.id)
    ).scalar_one_or_none()
