"""How each recorded payment is known to Stripe: its PaymentIntent, Charge and Invoice, and
later its fee, net and payout."""

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from donations.extensions import db
from donations.ledger import services as ledger
from donations.ledger.models import LedgerEntry
from donations.payments.models import ProviderPayment
from donations.payments.objects import id_of


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


def ledger_payment(
    *, payment_intent_id: str | None = None, charge_id: str | None = None
) -> LedgerEntry | None:
    """The ledger's payment that Stripe knows by this PaymentIntent or Charge, if recorded."""
    known = provider_payment(payment_intent_id=payment_intent_id, charge_id=charge_id)
    if known is not None:
        return ledger.payment_by_ref(known.source_ref)
    return ledger.payment_by_ref(payment_intent_id) if payment_intent_id else None


def note_payment(
    source_ref: str,
    *,
    payment_intent_id: str | None = None,
    invoice_id: str | None = None,
    charge_id: str | None = None,
) -> ProviderPayment:
    """Remember (or complete) how Stripe knows the payment recorded as source_ref."""
    row = db.session.execute(
        select(ProviderPayment).where(ProviderPayment.source_ref == source_ref)
    ).scalar_one_or_none()
    if row is None:
        try:
            with db.session.begin_nested():
                row = ProviderPayment(source_ref=source_ref)
                db.session.add(row)
        except IntegrityError:  # the same payment noted by another delivery a moment ago
            row = db.session.execute(
                select(ProviderPayment).where(ProviderPayment.source_ref == source_ref)
            ).scalar_one()
    row.payment_intent_id = row.payment_intent_id or payment_intent_id
    row.invoice_id = row.invoice_id or invoice_id
    row.charge_id = row.charge_id or charge_id
    db.session.flush()
    return row


def payment_or_wait(obj: dict, charge_id: str | None) -> tuple[LedgerEntry | None, str | None]:
    """The recorded payment a refund or dispute (or charge) belongs to; else what to wait for.

    (payment, None) when it is recorded; (None, key) when it may yet be (held until a payment
    with that PaymentIntent or Charge is recorded: a refund can arrive before its payment);
    (None, None) when it names no payment at all."""
    payment_intent = id_of(obj.get("payment_intent"))
    payment = ledger_payment(payment_intent_id=payment_intent, charge_id=charge_id)
    if payment is not None:
        return payment, None
    return None, payment_intent or charge_id
