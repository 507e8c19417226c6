from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, one_of, utcnow
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gift_aid.models import GiftAidDeclaration


class DonationStatus(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"


class Frequency(StrEnum):
    ONE_OFF = "one-off"
    MONTHLY = "monthly"
    ANNUAL = "annual"


#: how often each recurring frequency is taken: Stripe's `recurring.interval`
INTERVALS = {Frequency.MONTHLY: "month", Frequency.ANNUAL: "year"}


class Moderation(StrEnum):
    """Staff's decision on what a donor asked to show publicly (a name, a message)."""

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


STATUSES = tuple(DonationStatus)
FREQUENCIES = tuple(Frequency)


def donor_key(email: str | None, donor_id: int) -> str:
    """Who counts as one donor: the lower-cased e-mail, else that donor record alone."""
    return email or f"donor:{donor_id}"


class Donor(db.Model):
    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased; one donor per e-mail address (an offline donor may have none)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    title: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        return donor_key(self.email, self.id)


class Donation(db.Model):
    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("fee_cover_pence >= 0", name="fee_cover_not_negative"),
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint(one_of("frequency", FREQUENCIES), name="frequency_known"),
        CheckConstraint(one_of("moderation", tuple(Moderation)), name="moderation_known"),
        #: the fund page's recent supporters: newest paid gifts of one fund, in the query's
        #: own order (paid_at, then id), so the database reads the newest few and stops
        Index("ix_donations_fund_status_paid_at_id", "fund_id", "status", "paid_at", "id"),
        #: and an appeal's page's
        Index("ix_donations_appeal_status_paid_at_id", "appeal_id", "status", "paid_at", "id"),
        Index(
            "ix_donations_fundraiser_status_paid_at_id", "fundraiser_id", "status", "paid_at", "id"
        ),
        #: whether a donor gave to a fund (asked for each research update written): without
        #: it SQLite chose the fund's index and read every gift of the fund each time
        Index("ix_donations_donor_fund_status", "donor_id", "fund_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the public reference that travels to Stripe in metadata
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    #: the appeal it was given through, if any (its fund is the appeal's)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    #: the supporter's page it was given through, if any (its appeal and fund are the page's)
    fundraiser_id: Mapped[int | None] = mapped_column(ForeignKey("fundraisers.id"))
    #: set once the gift is paid: until then it touches no donor's stored details
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"), index=True)
    #: made from the details below once the gift is paid, when Gift Aid was asked for
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("gift_aid_declarations.id"))
    # What the donor typed, kept with the donation exactly as given.
    title: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(35))
    #: lower-cased
    email: Mapped[str | None] = mapped_column(String(254))
    #: the donor ticked the Gift Aid declaration
    gift_aid: Mapped[bool] = mapped_column(default=False)
    house: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(8))
    overseas: Mapped[bool] = mapped_column(default=False)
    #: the gift itself; the fee cover is kept apart and never counted as raised
    amount_pence: Mapped[int]
    fee_cover_pence: Mapped[int] = mapped_column(default=0)
    frequency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=DonationStatus.CREATED, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    #: sponsorship of someone taking part in an event (HMRC's schedule marks it)
    sponsored: Mapped[bool] = mapped_column(default=False)
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: kept even when anonymous is ticked; shown only if not anonymous and approved
    display_name: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str | None] = mapped_column(String(500))
    #: staff's decision on the display name and message together
    moderation: Mapped[str] = mapped_column(String(10), default=Moderation.NONE)
    #: the donor asked for research updates by e-mail (`updates` keeps it as evidence)
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    #: the words they agreed to (`gifts/consent.py`)
    marketing_consent_version: Mapped[str | None] = mapped_column(String(30))
    #: one-time token from the form, so a double submit finds this donation again
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: the id of the request that started the gift, which its log lines carry (donations.logs)
    request_id: Mapped[str | None] = mapped_column(String(64))
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    fund: Mapped[Fund] = relationship()
    appeal: Mapped[Appeal | None] = relationship()
    fundraiser: Mapped[Fundraiser | None] = relationship()
    donor: Mapped[Donor | None] = relationship()
    declaration: Mapped[GiftAidDeclaration | None] = relationship()

    @property
    def total_charged_pence(self) -> int:
        return self.amount_pence + self.fee_cover_pence

    @property
    def recurring(self) -> bool:
        """Taken again and again (a Stripe subscription), not once."""
        return self.frequency in INTERVALS

    @property
    def interval(self) -> str | None:
        """ "month" or "year" for a recurring gift (as Stripe says it), None for one gift."""
        return INTERVALS.get(self.frequency)

    @property
    def every(self) -> str:
        """ " a month" or " a year" after an amount, for a recurring gift; else nothing."""
        return f" a {self.interval}" if self.interval else ""

    @property
    def kind_of_gift(self) -> str:
        """ "monthly gift", "annual gift" or "gift", as a donor reads it."""
        return f"{self.frequency} gift" if self.recurring else "gift"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"


class Plan(db.Model):
    """A monthly gift: the donation that began it, and its Stripe subscription's state."""

    __tablename__ = "plans"
    __table_args__ = (CheckConstraint(one_of("status", tuple(PlanStatus)), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), unique=True)
    subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.ACTIVE)
    #: the monthly gift (and fee cover) as Stripe last said it is
    amount_pence: Mapped[int]
    fee_cover_pence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    donation: Mapped[Donation] = relationship()


class PlanChange(db.Model):
    """Each change of a plan's state, for its history."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    amount_pence: Mapped[int]
    #: what brought the change (an event type)
    note: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
