from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Row, String, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from donations.extensions import UTCDateTime, db, one_of, utcnow


class EntryKind(StrEnum):
    PAYMENT = "payment"
    OFFLINE = "offline"
    REFUND = "refund"
    #: a refund that failed after it was recorded: the money came back
    REFUND_FAILED = "refund_failed"
    DISPUTE = "dispute"
    DISPUTE_WON = "dispute_won"


#: money coming in: each is a gift standing on its own
GIFT_KINDS = (EntryKind.PAYMENT, EntryKind.OFFLINE)
#: movements against an earlier gift: money going back, and money coming back again
OUTGOING_KINDS = (EntryKind.REFUND, EntryKind.DISPUTE)
RETURNING_KINDS = (EntryKind.REFUND_FAILED, EntryKind.DISPUTE_WON)
KINDS = tuple(EntryKind)


def _quoted(kinds) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


class LedgerEntry(db.Model):
    """One money movement. Rows are only ever added: nothing edits or deletes an amount."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="kind_known"),
        CheckConstraint(
            f"(kind IN ({_quoted(GIFT_KINDS + RETURNING_KINDS)}) AND amount_pence > 0)"
            f" OR (kind IN ({_quoted(OUTGOING_KINDS)}) AND amount_pence < 0)",
            name="amount_sign_matches_kind",
        ),
        CheckConstraint("fee_cover_pence >= 0", name="fee_cover_not_negative"),
        Index("ix_ledger_entries_fund_donor", "fund_id", "donor_key"),
        Index("ix_ledger_entries_appeal_donor", "appeal_id", "donor_key"),
        Index("ix_ledger_entries_fundraiser_donor", "fundraiser_id", "donor_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: signed pence for the fund: gifts positive, refunds and disputes negative
    amount_pence: Mapped[int]
    #: the donor's fee top-up carried by this payment; never part of raised
    fee_cover_pence: Mapped[int] = mapped_column(default=0)
    #: PaymentIntent, Invoice, refund id, dispute id + phase, or receipt number
    source_ref: Mapped[str] = mapped_column(String(255), unique=True)
    #: the payment row a refund or dispute reduces
    payment_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id"), index=True
    )
    #: the appeal the money was given through, if any: it counts toward it and its fund
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    #: the supporter's page it was given through, if any
    fundraiser_id: Mapped[int | None] = mapped_column(ForeignKey("fundraisers.id"))
    #: lower-cased e-mail, or a per-donor key for an offline gift without one
    donor_key: Mapped[str] = mapped_column(String(254))
    #: the payment carries a valid Gift Aid declaration (a reversal shares its payment's)
    gift_aid: Mapped[bool] = mapped_column(default=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingEntry(db.Model):
    """Money promised but not yet collected (a Bacs Direct Debit): opened, then closed once.

    Not raised, so not a ledger movement; kept append-only beside the ledger so that the
    pending total, like every other total, can be recomputed from rows alone.
    """

    __tablename__ = "pending_entries"
    __table_args__ = (CheckConstraint("amount_pence <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    fundraiser_id: Mapped[int | None] = mapped_column(ForeignKey("fundraisers.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    #: positive when opened, the same amount negative when closed (collected or failed)
    amount_pence: Mapped[int]
    #: "<key>:open" or "<key>:close", so neither happens twice
    source_ref: Mapped[str] = mapped_column(String(255), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _totals_checks() -> tuple:
    """Each totals table's own CHECKs (a constraint object belongs to one table)."""
    return (
        CheckConstraint("pending_pence >= 0", name="pending_not_negative"),
        CheckConstraint("donor_count >= 0", name="donors_not_negative"),
        CheckConstraint("donation_count >= 0", name="donations_not_negative"),
    )


class Totals:
    """Running totals kept current in the transaction that writes each ledger row: one row
    per fund (`FundTotals`), appeal (`AppealTotals`) and supporter's page
    (`FundraiserTotals`), moved alike."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return _totals_checks()

    raised_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    gift_aid_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    donor_count: Mapped[int] = mapped_column(default=0)
    donation_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: the ledger's (and pending rows') column naming what these totals count
    KEY = "fund_id"

    @classmethod
    def empty(cls, key: int, since: datetime | None = None) -> "Totals":
        """Totals of a fund, appeal or page that has had no movement yet."""
        return cls(
            **{cls.KEY: key},
            raised_pence=0,
            gift_aid_pence=0,
            pending_pence=0,
            donor_count=0,
            donation_count=0,
            updated_at=since or utcnow(),
        )


class FundTotals(Totals, db.Model):
    __tablename__ = "fund_totals"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)


class AppealTotals(Totals, db.Model):
    __tablename__ = "appeal_totals"
    KEY = "appeal_id"

    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), primary_key=True)


class FundraiserTotals(Totals, db.Model):
    __tablename__ = "fundraiser_totals"
    __table_args__ = (
        *_totals_checks(),
        #: the leaderboards: a fund's or appeal's pages by money raised
        Index("ix_fundraiser_totals_raised", "raised_pence"),
    )
    KEY = "fundraiser_id"

    fundraiser_id: Mapped[int] = mapped_column(ForeignKey("fundraisers.id"), primary_key=True)


#: a ledger row as a service gives it: the model, or (on the webhooks' path, which loads none)
#: its columns read as a Row; both answer to the same names
Entry = LedgerEntry | Row

APPEND_ONLY = (LedgerEntry, PendingEntry)


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_ledger_edits(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsAppendOnly("ledger entries are never edited or deleted")
