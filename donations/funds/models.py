from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class Fund(db.Model):
    """A restricted fund: what a gift is for, and the goal it counts toward."""

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
