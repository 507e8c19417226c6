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
