"""Making declarations. Services flush; callers commit."""

from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gift_aid.wording import WORDING_VERSION, declaration_wording


def new_declaration(
    donor_id: int,
    *,
    title: str | None,
    first_name: str,
    last_name: str,
    house: str,
    address: str | None,
    postcode: str | None,
    overseas: bool,
) -> GiftAidDeclaration:
    """A declaration in today's wording, naming the charity as configured."""
    return GiftAidDeclaration(
        donor_id=donor_id,
        wording_version=WORDING_VERSION,
        wording=declaration_wording(current_app.config["CHARITY_NAME"]),
        title=title,
        first_name=first_name,
        last_name=last_name,
        house=house,
        address=address,
        postcode=None if overseas else postcode,
        overseas=overseas,
    )


class CancellationRefused(ValueError):
    """A cancellation that cannot be made, in words for the user."""


def cancel(declaration: GiftAidDeclaration, effective: datetime, now: datetime) -> None:
    """Cancel a declaration from a moment on: gifts made from then stop carrying Gift Aid,
    earlier ones keep it. A cancellation takes effect when the charity is told, or later
    if the donor asks: never earlier, so what was rightly claimed stays claimed."""
    if declaration.cancelled_at is not None:
        raise CancellationRefused("That declaration is already cancelled.")
    if effective < now:
        raise CancellationRefused(
            "A cancellation takes effect from today or a later day, never an earlier one."
        )
    declaration.cancelled_at = effective


def cancel_all(donor_id: int, effective: datetime, now: datetime) -> int:
    """Cancel every declaration of a donor still in force (the donor asked to stop Gift Aid,
    not to stop one gift's); returns how many."""
    live = (
        db.session.execute(
            select(GiftAidDeclaration).where(
                GiftAidDeclaration.donor_id == donor_id, GiftAidDeclaration.cancelled_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    for declaration in live:
        cancel(declaration, effective, now)
    return len(live)


def has_live(donor_id: int | None) -> bool:
    """Whether the donor has a declaration still in force."""
    if donor_id is None:
        return False
    live = exists().where(
        GiftAidDeclaration.donor_id == donor_id, GiftAidDeclaration.cancelled_at.is_(None)
    )
    return db.session.scalar(select(live))
