from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, utcnow


class Campaign:
    """What a fund, an appeal and a supporter's page share: a public page with a story, an
    image, a goal, and the days it takes gifts. Stories are Markdown, shown sanitised
    (`donations/markup.py`)."""

    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    #: what the research is and why it matters (Markdown)
    story: Mapped[str] = mapped_column(Text)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    #: what the image shows, for people who cannot see it; required with an image
    image_alt: Mapped[str] = mapped_column(String(250), default="", server_default="")
    goal_pence: Mapped[int] = mapped_column(BigInteger)
    #: the first day (UK) it takes gifts; None: from the start
    opens_on: Mapped[date | None] = mapped_column(Date)
    #: the last day (UK) it takes gifts; it closes itself when the day ends
    closes_on: Mapped[date | None] = mapped_column(Date)
    #: closed by staff before (or without) a closing day
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: not shown anywhere public (its gifts still count)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: order on the home page and in lists
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Fund(Campaign, db.Model):
    """A restricted fund: what a gift is for, and the goal it counts toward."""

    __tablename__ = "funds"
    __table_args__ = (CheckConstraint("goal_pence > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what a gift pays for (Markdown)
    gift_buys: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: who does the work (Markdown)
    who: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: when: how long, and when donors will hear (Markdown)
    timescale: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: what happens to gifts past the goal, or if the work cannot go ahead (Markdown)
    promise: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: where the story comes from, cited on the page (Markdown, one line)
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")

    kind = "fund"


class Appeal(Campaign, db.Model):
    """A time-bound push for one fund, with its own goal and story: a gift through it counts
    toward the appeal and toward its fund."""

    __tablename__ = "appeals"
    __table_args__ = (CheckConstraint("goal_pence > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)

    fund: Mapped[Fund] = relationship()

    kind = "appeal"


class Fundraiser(Campaign, db.Model):
    """A supporter's own page (a marathon, a bake sale) for a fund or one of its appeals, with
    a target (`goal_pence`) and a title (`name`): a gift through it counts toward the page,
    its appeal if any, and its fund. The supporter keeps it through signed links e-mailed to
    them (no password); it is public once they confirmed their address and staff approved."""

    __tablename__ = "fundraisers"
    __table_args__ = (CheckConstraint("goal_pence > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(35))
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: the day of the marathon, the bake sale…; the page closes some days after it
    event_on: Mapped[date | None] = mapped_column(Date)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: part of every link to edit the page: a fresh link raises it, ending the older ones
    link_version: Mapped[int] = mapped_column(default=0)
    #: e-mail the supporter about each gift (they may stop it)
    notify_gifts: Mapped[bool] = mapped_column(default=True)
    #: when the page first reached its target (the supporter is told once)
    target_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fund: Mapped[Fund] = relationship()
    appeal: Mapped[Appeal | None] = relationship()

    kind = "fundraiser"
