from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from donations.extensions import UTCDateTime, db, one_of, utcnow

KINDS = ("payment", "offline", "refund", "dispute", "dispute_won")


class LedgerEntry(db.Model):
    """One money movement. Rows are only ever added: nothing edits or deletes an amount."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="kind_known"),
        CheckConstraint(
            "(kind IN ('payment', 'offline', 'dispute_won') AND amount_pence > 0)"
            " OR (kind IN ('refund', 'dispute') AND amount_pence < 0)",
            name="amount_sign_matches_kind",
        ),
        CheckConstraint("fee_cover_pence >= 0", name="fee_cover_not_negative"),
        Index("ix_ledger_entries_fund_donor", "fund_id", "donor_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    kind: Mapped[str] = mapped_column(String(12))
    #: signed pence for the fund: gifts positive, refunds and disputes negative
    amount_pence: Mapped[int]
    #: the donor's fee top-up carried by this payment; never part of raised
    fee_cover_pence: Mapped[int] = mapped_column(default=0)
    #: PaymentIntent, Invoice, refund id, dispute id + phase, or receipt number
    source_ref: Mapped[str] = mapped_column(String(255), unique=True)
    #: the payment row a refund or dispute reduces
    payment_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    #: lower-cased e-mail, or a per-donation key for an offline gift without one
    donor_key: Mapped[str] = mapped_column(String(254))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    donation = relationship("Donation")


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_ledger_edits(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, LedgerEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsAppendOnly("ledger entries are never edited or deleted")
