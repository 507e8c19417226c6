"""Staff decide which supporters' messages appear on a fund's page. Services flush."""

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation, DonationStatus, MessageStatus


class ModerationError(ValueError):
    pass


def pending_messages() -> list[Donation]:
    return list(
        db.session.execute(
            select(Donation)
            .where(
                Donation.message_status == MessageStatus.PENDING,
                Donation.status == DonationStatus.PAID,
            )
            .order_by(Donation.paid_at)
        ).scalars()
    )


def moderate(reference: str, approve: bool) -> Donation:
    donation = db.session.execute(
        select(Donation).where(Donation.reference == reference)
    ).scalar_one_or_none()
    if donation is None or donation.message_status == MessageStatus.NONE:
        raise ModerationError(f"No message with the reference {reference!r}.")
    donation.message_status = MessageStatus.APPROVED if approve else MessageStatus.REJECTED
    db.session.flush()
    return donation
