"""How each recorded payment is known to Stripe: its PaymentIntent, Charge and Invoice, and
later its fee, net and payout."""

import json

from sqlalchemy import Row, String, bindparam, literal, or_, select, text, update

from donations.extensions import db, utcnow
from donations.gifts.models import Donation
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.payments import catalogue
from donations.payments.gateway import gateway
from donations.payments.models import CatalogueEntry, ProviderPayment, StripeEvent
from donations.payments.objects import id_of, without_personal_data
from donations.upserts import insert_or_update_columns


def provider_payment(
    *, payment_intent_id: str | None = None, charge_id: str | None = None
) -> ProviderPayment | None:
    conditions = []
    if payment_intent_id:
        conditions.append(ProviderPayment.payment_intent_id == payment_intent_id)
    if charge_id:
        conditions.append(ProviderPayment.charge_id == charge_id)
    if not conditions:
        return None
    return db.session.execute(select(ProviderPayment).where(or_(*conditions))).scalars().first()


_PAYMENT_INTENT = bindparam("payment_intent_id", type_=String)
_CHARGE = bindparam("charge_id", type_=String)
#: each way in by a unique index (a key not given is NULL, which equals nothing)
_KNOWN_AS = (
    select(ProviderPayment.source_ref)
    .where(ProviderPayment.payment_intent_id == _PAYMENT_INTENT)
    .union(
        select(ProviderPayment.source_ref).where(ProviderPayment.charge_id == _CHARGE),
        select(_PAYMENT_INTENT),
    )
)
_LEDGER_PAYMENT = select(*LedgerEntry.__table__.columns).where(
    LedgerEntry.source_ref.in_(_KNOWN_AS), LedgerEntry.kind.in_(GIFT_KINDS)
)


def ledger_payment(
    *, payment_intent_id: str | None = None, charge_id: str | None = None
) -> Row | None:
    """The ledger's payment that Stripe knows by this PaymentIntent or Charge, if recorded
    (a one-off payment is also keyed by its PaymentIntent itself), read as its columns."""
    if not payment_intent_id and not charge_id:
        return None
    known = {"payment_intent_id": payment_intent_id or None, "charge_id": charge_id or None}
    return db.session.connection().execute(_LEDGER_PAYMENT, known).first()


_KEEPING_WHAT_WAS_KNOWN = {
    name: f"coalesce(provider_payments.{name}, excluded.{name})"
    for name in ("payment_intent_id", "invoice_id", "charge_id")
}


#: whether an event is held until this payment is recorded: asked in the statement that
#: notes it, so the many payments nothing waits for need no second look
_AWAITED = (
    "EXISTS (SELECT 1 FROM stripe_events WHERE stripe_events.outcome = 'held' AND "
    "stripe_events.waiting_for IN "
    "(provider_payments.payment_intent_id, provider_payments.charge_id)) AS awaited"
)


def note_payment(
    source_ref: str,
    *,
    payment_intent_id: str | None = None,
    invoice_id: str | None = None,
    charge_id: str | None = None,
):
    """Remember (or complete) how Stripe knows the payment recorded as source_ref: one
    statement that adds what was not yet known and keeps what was. Returns the keys it is now
    known by (`payment_intent_id`, `charge_id`) and whether an event is held for it
    (`awaited`)."""
    lock_keys(payment_intent_id, charge_id)
    known = {
        "payment_intent_id": payment_intent_id,
        "invoice_id": invoice_id,
        "charge_id": charge_id,
    }
    return insert_or_update_columns(
        ProviderPayment,
        "source_ref",
        _KEEPING_WHAT_WAS_KNOWN,
        ("payment_intent_id", "charge_id"),
        also=_AWAITED,
        source_ref=source_ref,
        recorded_at=utcnow(),
        **known,
    )


def lock_keys(payment_intent_id: str | None, charge_id: str | None = None) -> None:
    """Take, until the transaction ends, a lock on each payment key: the PaymentIntent's, then
    the Charge's.

    A refund arriving while its payment is being recorded is either seen by the payment's
    replay of held events, or sees the payment itself: never neither. PostgreSQL gives one
    transaction the lock and the other waits; SQLite writes one transaction at a time anyway.
    Always the PaymentIntent first: a payment is recorded under its PaymentIntent and learns
    its Charge only when it replays a refund held for it, so a refund locking the Charge
    first would wait for the payment while the payment waited for it (in alphabetical order,
    `ch_` before `pi_`, the webhook benchmark saw PostgreSQL end one of them as a deadlock).
    """
    keys = [key for key in (payment_intent_id, charge_id) if key]
    if keys and db.session.get_bind().dialect.name == "postgresql":
        locking = _LOCKING[len(keys)]
        db.session.connection().execute(locking, {f"key{n}": key for n, key in enumerate(keys)})


def _locking(count: int):
    """One statement taking `count` locks, left to right (PostgreSQL evaluates a SELECT's
    list in order)."""
    locks = ", ".join(f"pg_advisory_xact_lock(hashtextextended(:key{n}, 0))" for n in range(count))
    return text(f"SELECT {locks}")


_LOCKING = {1: _locking(1), 2: _locking(2)}


def payment_or_wait(obj: dict, charge_id: str | None) -> tuple[Row | None, str | None]:
    """The recorded payment a refund or dispute (or charge) belongs to; else what to wait for.

    (payment, None) when it is recorded; (None, key) when it may yet be (held until a payment
    with that PaymentIntent or Charge is recorded: a refund can arrive before its payment);
    (None, None) when it names no payment at all."""
    payment_intent = id_of(obj.get("payment_intent"))
    lock_keys(payment_intent, charge_id)
    payment = ledger_payment(payment_intent_id=payment_intent, charge_id=charge_id)
    if payment is not None:
        return payment, None
    return None, payment_intent or charge_id


def forget_customer(email: str, donation_references: list[str]) -> int:
    """A donor asked to be forgotten: their Stripe Customer is no longer found by their e-mail,
    and every event we kept about their gifts (found by reference, by the payment's Stripe ids,
    by their Customer, or by the address itself) loses every personal field. Stripe's own copy
    is erased through Stripe's dashboard. Returns the events redacted."""
    customer_key = catalogue.customer_key(email)
    customer = db.session.execute(
        select(CatalogueEntry.stripe_id).where(CatalogueEntry.key == customer_key)
    ).scalar_one_or_none()
    db.session.execute(
        update(CatalogueEntry)
        .where(CatalogueEntry.key == customer_key)
        .values(key=literal("forgotten:") + CatalogueEntry.stripe_id)
    )
    traces = {email, *donation_references, *_stripe_ids(donation_references)}
    if customer:
        traces.add(customer)
    found = db.session.execute(
        select(StripeEvent).where(or_(*(StripeEvent.payload.contains(t) for t in traces)))
    ).scalars()
    redacted = 0
    for event in found:
        event.payload = json.dumps(without_personal_data(json.loads(event.payload)))
        redacted += 1
    gateway().forget_customer(email)
    db.session.flush()
    return redacted


def _stripe_ids(donation_references: list[str]) -> set[str]:
    """Every Stripe id the ledger knows for these donations' payments."""
    if not donation_references:
        return set()
    rows = db.session.execute(
        select(
            ProviderPayment.payment_intent_id,
            ProviderPayment.charge_id,
            ProviderPayment.invoice_id,
        )
        .join(LedgerEntry, LedgerEntry.source_ref == ProviderPayment.source_ref)
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .where(Donation.reference.in_(donation_references))
    )
    return {value for row in rows for value in row if value}
