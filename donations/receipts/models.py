from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class OutboxMessage(db.Model):
    """An e-mail written in the transaction that caused it and sent after that commits."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_messages_dedupe_key"),
        #: what is still to send, in order: the sender reads only these
        Index(
            "ix_outbox_messages_waiting",
            "bulk",
            "id",
            sqlite_where=text("sent_at IS NULL AND given_up_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND given_up_at IS NULL"),
        ),
        Index("ix_outbox_messages_writer_ref", "writer", "writer_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "receipt:<ledger source ref>", so one movement never queues two receipts
    dedupe_key: Mapped[str] = mapped_column(String(300))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    #: the payment a receipt is for; its words are written from it when it is sent
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    #: the donor it is written for, when its words are personal (a research update)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"))
    #: who writes it when it is sent (`receipts.services.writes`), and what about: None for
    #: a receipt (written from its ledger entry) or a message queued already written
    writer: Mapped[str | None] = mapped_column(String(30))
    writer_ref: Mapped[int | None]
    #: sent in paced batches after everything else (a research update to many donors)
    bulk: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the one-click unsubscribe address (RFC 8058), for mail a reader can stop
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    #: written with the body, when first sent
    subject: Mapped[str | None] = mapped_column(String(200))
    #: the plain-text part (written when first sent)
    body: Mapped[str | None] = mapped_column(Text)
    #: the HTML part, sent beside the plain text
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when a sender takes the message, so two senders never both send it; a sender
    #: that died holding it lets it go after OUTBOX_CLAIM_SECONDS
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: never to be sent: refused for good by the mail server, no longer wanted, or erased
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class LetterBatch(db.Model):
    """Thank-you letters printed together for a period's offline gifts."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    made_by: Mapped[str] = mapped_column(String(254))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThankYouLetter(db.Model):
    """One gift's printed thank-you: each gift gets one, once."""

    __tablename__ = "thank_you_letters"

    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batches.id"), index=True)
