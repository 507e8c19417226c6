"""Research updates, and what each donor has chosen about receiving them by e-mail."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, utcnow
from donations.funds.models import Fund


class ResearchUpdate(db.Model):
    """What a fund's money has done, written by staff: on the fund's page, in its feed, and
    e-mailed to the donors who asked."""

    __tablename__ = "research_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    #: Markdown, shown sanitised (`donations/markup.py`)
    body: Mapped[str] = mapped_column(Text)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    image_alt: Mapped[str] = mapped_column(String(250), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: None while it is a draft
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: when its e-mails were queued (once: never twice)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many donors it was queued for
    recipients: Mapped[int | None]

    fund: Mapped[Fund] = relationship()


class ConsentSource(StrEnum):
    """Where a donor made a choice about research updates."""

    DONATION_FORM = "donation form"
    OFFLINE = "offline gift"
    PREFERENCES = "preferences page"
    UNSUBSCRIBE_PAGE = "unsubscribe page"
    ONE_CLICK = "one-click unsubscribe"


class ConsentRecord(db.Model):
    """Evidence of one choice: agreed or withdrew, when, where, under which words. Only the
    donor's own choices make one; erasure removes them with the donor."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    given: Mapped[bool]
    #: when the donor made the choice (a gift's form: when they sent it)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(30))
    #: the words agreed to (`gifts/consent.py`); None for a withdrawal
    wording_version: Mapped[str | None] = mapped_column(String(30))
    #: the gift whose form carried it, if any
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(db.Model):
    """A donor's standing choice, from their latest consent record, and whether their
    address still takes mail."""

    __tablename__ = "update_subscriptions"

    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), primary_key=True)
    consenting: Mapped[bool]
    #: when the choice that stands was made; an older one never overrides it
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: a mail server refused the address for good (5xx): no more updates to it
    undeliverable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FundChoice(db.Model):
    """A donor's choice on the preferences page for one fund: without one, a donor hears
    about the funds they gave to."""

    __tablename__ = "update_fund_choices"

    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    wants: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SuppressedAddress(db.Model):
    """An erased donor's address that had said no (or could not take mail): kept only as a
    keyed digest, so nothing but the donor's own new choice mails it again."""

    __tablename__ = "suppressed_addresses"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
