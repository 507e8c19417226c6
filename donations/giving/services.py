"""Creating donations and moving them through their states. Services flush; callers commit."""

import secrets
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from donations.extensions import db, utcnow
from donations.funds.models import Fund
from donations.giving.gift_aid import WORDING_VERSION, declaration_wording
from donations.giving.models import Donation, Donor, GiftAidDeclaration
from donations.ledger import services as ledger
from donations.money import fee_cover
from donations.receipts import services as receipts

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

#: the one place that says which status may follow which
ALLOWED = {
    "created": {"pending", "paid", "failed", "expired"},
    "pending": {"paid", "failed"},
    "paid": set(),
    "failed": set(),
    "expired": set(),
}


class IllegalTransition(RuntimeError):
    pass


@dataclass(frozen=True)
class GiftDetails:
    """What a donor asked for, already validated by the form."""

    amount_pence: int
    fee_cover_pence: int
    frequency: str
    title: str | None
    first_name: str
    last_name: str
    email: str
    gift_aid: bool
    house: str | None
    address: str | None
    postcode: str | None
    overseas: bool
    anonymous: bool
    display_name: str | None
    message: str | None
    marketing_consent: bool
    form_token: str


def fee_cover_for(gift_pence: int) -> int:
    """What covering the card fees adds to this gift, at the charity's configured rate."""
    config = current_app.config
    return fee_cover(gift_pence, config["FEE_RATE_BASIS_POINTS"], config["FEE_FIXED_PENCE"])


def new_reference() -> str:
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def by_reference(reference: str) -> Donation | None:
    return db.session.execute(
        select(Donation).where(Donation.reference == reference)
    ).scalar_one_or_none()


def by_form_token(token: str) -> Donation | None:
    return db.session.execute(
        select(Donation).where(Donation.form_token == token)
    ).scalar_one_or_none()


def by_checkout_session(session_id: str) -> Donation | None:
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


def _declaration(donor: Donor, details: GiftDetails) -> GiftAidDeclaration:
    return GiftAidDeclaration(
        donor=donor,
        wording_version=WORDING_VERSION,
        wording=declaration_wording(current_app.config["CHARITY_NAME"]),
        title=details.title,
        first_name=details.first_name,
        last_name=details.last_name,
        house=details.house,
        address=details.address,
        postcode=None if details.overseas else details.postcode,
        overseas=details.overseas,
    )


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
    donation = Donation(
        reference=new_reference(),
        fund=fund,
        donor=donor,
        declaration=_declaration(donor, details) if details.gift_aid else None,
        amount_pence=details.amount_pence,
        fee_cover_pence=details.fee_cover_pence,
        frequency=details.frequency,
        anonymous=details.anonymous,
        display_name=None if details.anonymous else details.display_name,
        message=details.message,
        message_status="pending" if details.message else "none",
        marketing_consent=details.marketing_consent,
        form_token=details.form_token,
    )
    db.session.add(donation)
    db.session.flush()
    return donation


def can_move(donation: Donation, to: str) -> bool:
    return to in ALLOWED[donation.status]


def _move(donation: Donation, to: str) -> None:
    if not can_move(donation, to):
        raise IllegalTransition(f"{donation.reference}: {donation.status} -> {to}")
    donation.status = to


def mark_pending(donation: Donation) -> None:
    """Money promised but not yet collected (Bacs): counted as pending, not raised."""
    _move(donation, "pending")
    ledger.move_pending(donation.fund_id, donation.amount_pence)


def mark_paid(donation: Donation, source_ref: str, occurred_at=None) -> bool:
    """Record the payment once: ledger row, fund totals and receipt, in this transaction."""
    was_pending = donation.status == "pending"
    _move(donation, "paid")
    donation.paid_at = occurred_at or utcnow()
    if was_pending:
        ledger.move_pending(donation.fund_id, -donation.amount_pence)
    entry = ledger.record(
        donation,
        "payment",
        donation.amount_pence,
        source_ref,
        fee_cover_pence=donation.fee_cover_pence,
        occurred_at=donation.paid_at,
    )
    if entry is None:
        return False
    receipts.queue_receipt(donation, entry)
    return True


def mark_failed(donation: Donation) -> None:
    if donation.status == "pending":
        ledger.move_pending(donation.fund_id, -donation.amount_pence)
    _move(donation, "failed")


def mark_expired(donation: Donation) -> None:
    _move(donation, "expired")
