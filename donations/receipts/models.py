from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class OutboxMessage(db.Model):
    """An e-mail written in the transaction that caused it and sent after that commits."""

    __tablename__ = "outbox_messages"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_outbox_messages_dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "receipt:<ledger source ref>", so one movement never queues two receipts
    dedupe_key: Mapped[str] = mapped_column(String(300))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    #: the payment a receipt is for; its words are written from it when it is sent
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    #: written with the body, when first sent
    subject: Mapped[str | None] = mapped_column(String(200))
    #: the plain-text part (written when first sent)
    body: Mapped[str | None] = mapped_column(Text)
    #: the HTML part, sent beside the plain text
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when a sender takes the message, so two senders never both send it
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
