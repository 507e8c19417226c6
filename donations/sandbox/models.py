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
