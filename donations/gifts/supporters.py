"""Who is shown as a supporter: a name or message only once staff approved it, and a name
never when the donor asked to stay anonymous."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gifts.models import Donation, DonationStatus, Moderation

ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class Supporter:
    name: str
    message: str | None
    given_at: datetime


def _approved(donation: Donation) -> bool:
    return donation.moderation == Moderation.APPROVED


def shown_name(donation: Donation) -> str:
    """The display name, once approved, unless the donor asked to stay anonymous."""
    if donation.anonymous or not donation.display_name or not _approved(donation):
        return ANONYMOUS
    return donation.display_name


#: the donations given to each kind of page
GIVEN_TO = {Fund: Donation.fund_id, Appeal: Donation.appeal_id, Fundraiser: Donation.fundraiser_id}


def recent(campaign: Fund | Appeal | Fundraiser, limit: int = 10) -> list[Supporter]:
    """The newest paid gifts to a fund, or through an appeal or a supporter's page."""
    given_to = GIVEN_TO[type(campaign)] == campaign.id
    donations = db.session.execute(
        select(Donation)
        .where(given_to, Donation.status == DonationStatus.PAID)
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(limit)
    ).scalars()
    return [
        Supporter(
            name=shown_name(d),
            message=d.message if _approved(d) else None,
            given_at=d.paid_at,
        )
        for d in donations
    ]
