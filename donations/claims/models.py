from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, one_of, utcnow


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DISCARDED = "discarded"


class GiftAidClaim(db.Model):
    """One claim to HMRC: the gifts of a period, locked to it while it is a draft or once it
    is submitted. Discarding a draft releases its gifts (its items are deleted)."""

    __tablename__ = "gift_aid_claims"
    __table_args__ = (CheckConstraint(one_of("status", tuple(ClaimStatus)), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.DRAFT)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(254))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list["ClaimItem"]] = relationship(
        back_populates="claim", order_by="ClaimItem.id", cascade="all, delete-orphan"
    )
    over_claims: Mapped[list["OverClaim"]] = relationship(
        back_populates="claim", order_by="OverClaim.id"
    )


class ClaimItem(db.Model):
    """A gift (a ledger payment row) in a claim, with what was claimed on it. A gift is in at
    most one claim: the database holds to it, whatever two staff do at the same moment."""

    __tablename__ = "gift_aid_claim_items"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("gift_aid_pence >= 0", name="gift_aid_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("gift_aid_claims.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("gift_aid_declarations.id"))
    #: the gift as claimed: what remained of it after refunds and disputes, fee cover apart
    amount_pence: Mapped[int]
    gift_aid_pence: Mapped[int]
    #: the day the gift was received (UK), as the schedule dates it
    given_on: Mapped[date]
    sponsored: Mapped[bool] = mapped_column(default=False)

    claim: Mapped[GiftAidClaim] = relationship(back_populates="items")


class OverClaim(db.Model):
    """Gift Aid claimed on a gift that was later refunded or lost to a dispute, owed back to
    HMRC in the next schedule's Box 2 (the tax, not the gift)."""

    __tablename__ = "gift_aid_over_claims"
    __table_args__ = (CheckConstraint("gift_aid_pence > 0", name="gift_aid_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("gift_aid_claim_items.id"), index=True)
    #: the claim whose Box 2 reports it
    claim_id: Mapped[int] = mapped_column(ForeignKey("gift_aid_claims.id"), index=True)
    gift_aid_pence: Mapped[int]
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[GiftAidClaim] = relationship(back_populates="over_claims")
    item: Mapped[ClaimItem] = relationship()
