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
    #: what the research is and why it matters
    story: Mapped[str] = mapped_column(Text)
    #: what a gift pays for
    gift_buys: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: who does the work
    who: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: when: how long, and when donors will hear
    timescale: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: what happens to gifts past the goal, or if the work cannot go ahead
    promise: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: where the story comes from, cited on the page
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")
    goal_pence: Mapped[int] = mapped_column(BigInteger)
    #: order on the home page
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
