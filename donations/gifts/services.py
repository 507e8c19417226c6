"""Finding and starting donations. Services flush; callers commit."""

import secrets
from dataclasses import replace

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from donations.extensions import db
from donations.funds.models import Fund
from donations.gift_aid.services import new_declaration
from donations.gifts.details import GiftDetails
from donations.gifts.models import Donation, Donor, MessageStatus
from donations.money import fee_cover

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def fee_cover_for(gift_pence: int) -> int:
    """What covering the card fees adds to this gift, at the charity's configured rate."""
    config = current_app.config
    return fee_cover(gift_pence, config["FEE_RATE_BASIS_POINTS"], config["FEE_FIXED_PENCE"])


def new_reference() -> str:
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def by_reference(reference: str | None) -> Donation | None:
    if not reference or len(reference) > 20:
        return None
    return db.session.execute(
        select(Donation).where(Donation.reference == reference)
    ).scalar_one_or_none()


def by_form_token(token: str) -> Donation | None:
    return db.session.execute(
        select(Donation).where(Donation.form_token == token)
    ).scalar_one_or_none()


def by_checkout_session(session_id: str | None) -> Donation | None:
    if not session_id or len(session_id) > 255:
        return None
    return db.session.execute(
        select(Donation).where(Donation.checkout_session_id == session_id)
    ).scalar_one_or_none()


def lock(donation: Donation) -> Donation:
    """Re-read the donation for update, so two deliveries of one event apply in turn."""
    return db.session.execute(
        select(Donation)
        .where(Donation.id == donation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _donor_for(details: GiftDetails) -> Donor:
    email = details.email.strip().lower()
    donor = db.session.execute(select(Donor).where(Donor.email == email)).scalar_one_or_none()
    if donor is None:
        try:
            with db.session.begin_nested():
                donor = Donor(
                    email=email,
                    first_name=details.first_name,
                    last_name=details.last_name,
                    title=details.title,
                )
                db.session.add(donor)
        except IntegrityError:  # another request created this donor a moment ago
            donor = db.session.execute(select(Donor).where(Donor.email == email)).scalar_one()
    donor.title = details.title
    donor.first_name = details.first_name
    donor.last_name = details.last_name
    return donor


def _same_request(donation: Donation, fund: Fund, details: GiftDetails) -> bool:
    return (
        donation.fund_id == fund.id
        and donation.amount_pence == details.amount_pence
        and donation.fee_cover_pence == details.fee_cover_pence
        and donation.frequency == details.frequency
        and donation.donor.email == details.email.strip().lower()
        and (donation.declaration_id is not None) == details.gift_aid
    )


def _made_by_form(token: str) -> list[Donation]:
    """The donations one form made: a resubmission with changed details gets a suffix."""
    return list(
        db.session.execute(
            select(Donation)
            .where(
                or_(
                    Donation.form_token == token,
                    Donation.form_token.startswith(f"{token}~", autoescape=True),
                )
            )
            .order_by(Donation.id)
        ).scalars()
    )


def start_donation(fund: Fund, details: GiftDetails) -> Donation:
    """Create the donation for a submitted form, or find the one this form already made.

    The same form sent twice (a double click, a retry) finds its donation and so the same
    Checkout Session. Sent again with other details (the donor went back and changed the
    amount), it is a new donation: the old one simply expires unpaid.
    """
    earlier = _made_by_form(details.form_token)
    for donation in earlier:
        if _same_request(donation, fund, details):
            return donation
    if earlier:
        details = replace(details, form_token=f"{details.form_token}~{len(earlier)}")
    donor = _donor_for(details)
    declaration = None
    if details.gift_aid:
        declaration = new_declaration(
            donor.id,
            title=details.title,
            first_name=details.first_name,
            last_name=details.last_name,
            house=details.house,
            address=details.address,
            postcode=details.postcode,
            overseas=details.overseas,
        )
    donation = Donation(
        reference=new_reference(),
        fund=fund,
        donor=donor,
        declaration=declaration,
        amount_pence=details.amount_pence,
        fee_cover_pence=details.fee_cover_pence,
        frequency=details.frequency,
        anonymous=details.anonymous,
        display_name=None if details.anonymous else details.display_name,
        message=details.message,
        message_status=MessageStatus.PENDING if details.message else MessageStatus.NONE,
        marketing_consent=details.marketing_consent,
        form_token=details.form_token,
    )
    db.session.add(donation)
    db.session.flush()
    return donation


def details_of(donation: Donation) -> GiftDetails:
    """What the donor asked for with this donation, to fill the form again."""
    donor, declaration = donation.donor, donation.declaration
    return GiftDetails(
        amount_pence=donation.amount_pence,
        fee_cover_pence=donation.fee_cover_pence,
        frequency=donation.frequency,
        title=donor.title,
        first_name=donor.first_name,
        last_name=donor.last_name,
        email=donor.email,
        gift_aid=declaration is not None,
        house=declaration.house if declaration else None,
        address=declaration.address if declaration else None,
        postcode=declaration.postcode if declaration else None,
        overseas=declaration.overseas if declaration else False,
        anonymous=donation.anonymous,
        display_name=donation.display_name,
        message=donation.message,
        marketing_consent=donation.marketing_consent,
        form_token=donation.form_token,
    )
