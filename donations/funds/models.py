from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, utcnow


class Fund(db.Model):
    __tablename__ = "funds"
    __table_args__ = (CheckConstraint("goal_pence > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    story: Mapped[str] = mapped_column(Text)
    goal_pence: Mapped[int] = mapped_column(BigInteger)
    #: order on the home page
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    totals: Mapped["FundTotals"] = relationship(back_populates="fund", uselist=False)


class FundTotals(db.Model):
    """Running totals kept current in the transaction that writes each ledger row."""

    __tablename__ = "fund_totals"
    __table_args__ = (
        CheckConstraint("pending_pence >= 0", name="pending_not_negative"),
        CheckConstraint("donor_count >= 0", name="donors_not_negative"),
        CheckConstraint("donation_count >= 0", name="donations_not_negative"),
    )

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    raised_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    gift_aid_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    donor_count: Mapped[int] = mapped_column(default=0)
    donation_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund: Mapped[Fund] = relationship(back_populates="totals")
