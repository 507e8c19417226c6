"""Who is shown as a supporter: a name only where the donor gave one; a message once approved."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund
from donations.gifts.models import Donation, DonationStatus, MessageStatus

ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class Supporter:
    name: str
    message: str | None
    given_at: datetime


def shown_name(donation: Donation) -> str:
    if donation.anonymous or not donation.display_name:
        return ANONYMOUS
    return donation.display_name


def recent(fund: Fund, limit: int = 10) -> list[Supporter]:
    donations = db.session.execute(
        select(Donation)
        .where(Donation.fund_id == fund.id, Donation.status == DonationStatus.PAID)
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(limit)
    ).scalars()
    return [
        Supporter(
            name=shown_name(d),
            message=d.message if d.message_status == MessageStatus.APPROVED else None,
            given_at=d.paid_at,
        )
        for d in donations
    ]
