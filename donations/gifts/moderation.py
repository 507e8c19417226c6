"""Staff decide whether the name and message a supporter gave appear on a fund's page.

Services flush; callers commit."""

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation, DonationStatus, Moderation
from donations.staff import audit
from donations.staff.audit import Action


class ModerationError(ValueError):
    pass


def awaiting_decision() -> list[Donation]:
    """Paid gifts whose display name or message waits for staff, oldest first."""
    return list(
        db.session.execute(
            select(Donation)
            .where(
                Donation.moderation == Moderation.PENDING,
                Donation.status == DonationStatus.PAID,
            )
            .order_by(Donation.paid_at)
        ).scalars()
    )


def moderate(reference: str, approve: bool) -> Donation:
    donation = db.session.execute(
        select(Donation).where(Donation.reference == reference)
    ).scalar_one_or_none()
    if donation is None or donation.moderation == Moderation.NONE:
        raise ModerationError(f"Nothing to moderate with the reference {reference!r}.")
    donation.moderation = Moderation.APPROVED if approve else Moderation.REJECTED
    db.session.flush()
    decision = "approved" if approve else "rejected"
    audit.record(Action.MODERATION, subject=donation.reference, decision=decision)
    return donation
