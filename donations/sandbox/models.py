from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class SandboxSession(db.Model):
    """A Checkout Session held by the sandbox, in the database so every worker sees it."""

    __tablename__ = "sandbox_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    #: the Stripe-shaped Checkout Session object
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxObject(db.Model):
    """Any other object the sandbox keeps as Stripe would: products, customers, payment
    intents, charges, invoices, subscriptions, refunds, disputes, balance transactions,
    payouts, portal sessions, and the events it sent."""

    __tablename__ = "sandbox_objects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Stripe's name for the object ("charge", "invoice", "event", …)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    #: a create request's idempotency key, so a retry finds the same object
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
