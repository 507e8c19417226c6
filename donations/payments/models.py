from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class StripeEvent(db.Model):
    """Every webhook event we accepted, once: its id is the idempotency key."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    #: processed | ignored | held
    outcome: Mapped[str] = mapped_column(String(20))
    #: why it was ignored or held, for whoever reads the log
    note: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: a held event waits for this payment (a PaymentIntent id) to be recorded
    waiting_for: Mapped[str | None] = mapped_column(String(255), index=True)
    #: when it was applied, if it was held first
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProviderPayment(db.Model):
    """How one payment in the ledger is known to Stripe, and what Stripe kept of it.

    The ledger keys a one-off payment by its PaymentIntent and a monthly one by its Invoice;
    refunds and disputes name the PaymentIntent and the Charge, and payouts the balance
    transaction. This row joins them, and holds the fee and net once Stripe has settled it.
    """

    __tablename__ = "provider_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the ledger row's source reference (a PaymentIntent or an Invoice id)
    source_ref: Mapped[str] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    charge_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    invoice_id: Mapped[str | None] = mapped_column(String(255), index=True)
    balance_transaction_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: Stripe's fee and what reached the charity's balance, once known
    fee_pence: Mapped[int | None]
    net_pence: Mapped[int | None]
    payout_id: Mapped[str | None] = mapped_column(String(255), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueEntry(db.Model):
    """A Stripe object the platform made once and reuses: a Product per fund and one for the
    fee cover, a Customer per donor (by e-mail)."""

    __tablename__ = "stripe_catalogue"

    #: "fund:<slug>", "fee_cover" or "customer:<keyed digest of the e-mail>"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    stripe_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
