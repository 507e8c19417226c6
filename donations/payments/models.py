from datetime import datetime

from sqlalchemy import JSON, String, Text
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


class SandboxSession(db.Model):
    """A Checkout Session held by the sandbox, in the database so every worker sees it."""

    __tablename__ = "sandbox_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    #: the Stripe-shaped Checkout Session object
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
