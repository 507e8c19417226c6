"""Who is shown as a supporter: a name only where the donor gave one; a message once approved."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund
from donations.giving.models import Donation

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
        .where(Donation.fund_id == fund.id, Donation.status == "paid")
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(limit)
    ).scalars()
    return [
        Supporter(
            name=shown_name(d),
            message=d.message if d.message_status == "approved" else None,
            given_at=d.paid_at,
        )
        for d in donations
    ]


def pending_messages() -> list[Donation]:
    return list(
        db.session.execute(
            select(Donation)
            .where(Donation.message_status == "pending", Donation.status == "paid")
            .order_by(Donation.paid_at)
        ).scalars()
    )


class ModerationError(ValueError):
    pass


def moderate(reference: str, approve: bool) -> Donation:
    donation = db.session.execute(
        select(Donation).where(Donation.reference == reference)
    ).scalar_one_or_none()
    if donation is None or donation.message_status == "none":
        raise ModerationError(f"No message with the reference {reference!r}.")
    donation.message_status = "approved" if approve else "rejected"
    db.session.flush()
    return donation
