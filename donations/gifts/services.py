"""Finding and starting donations. Services flush; callers commit."""

import secrets
from dataclasses import replace

from flask import current_app
from sqlalchemy import bindparam, or_, select

from donations import logs
from donations.extensions import db
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gifts.consent import FORM_WORDING
from donations.gifts.details import TYPED, GiftDetails
from donations.gifts.models import Donation, Moderation
from donations.money import fee_cover

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def fee_cover_for(gift_pence: int) -> int:
    """What covering the card fees adds to this gift, at the charity's configured rate."""
    config = current_app.config
    return fee_cover(gift_pence, config["FEE_RATE_BASIS_POINTS"], config["FEE_FIXED_PENCE"])


def new_reference() -> str:
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def by_reference(reference: str | None, *, for_update: bool = False) -> Donation | None:
    """The donation with this reference; locked for this transaction when for_update, so two
    deliveries about it apply one after the other."""
    if not reference or len(reference) > 20:
        return None
    statement = _BY_REFERENCE_LOCKED if for_update else _BY_REFERENCE
    return db.session.execute(statement, {"reference": reference}).scalar_one_or_none()


def _locked(statement):
    """For update, and read again. Nothing else is joined in: a row waited for is read as the
    other transaction left it, but a joined row as it was before that (PostgreSQL's READ
    COMMITTED), so a donor that transaction made would be missing."""
    return statement.with_for_update().execution_options(populate_existing=True)


_BY_REFERENCE = select(Donation).where(Donation.reference == bindparam("reference"))
_BY_REFERENCE_LOCKED = _locked(_BY_REFERENCE)
_LOCK = _locked(select(Donation).where(Donation.id == bindparam("id")))


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


def by_subscription(subscription_id: str | None) -> Donation | None:
    """The donation that began this subscription."""
    if not subscription_id or len(subscription_id) > 255:
        return None
    return (
        db.session.execute(
            select(Donation)
            .where(Donation.subscription_id == subscription_id)
            .order_by(Donation.id)
        )
        .scalars()
        .first()
    )


def lock(donation: Donation) -> Donation:
    """Re-read the donation for update, so two deliveries of one event apply in turn."""
    return db.session.execute(_LOCK, {"id": donation.id}).scalar_one()


def _id(found) -> int | None:
    return found.id if found is not None else None


def _same_request(
    donation: Donation,
    fund: Fund,
    through: tuple[Appeal | None, Fundraiser | None],
    details: GiftDetails,
) -> bool:
    """Everything the donor asked for is as this donation has it."""
    appeal, fundraiser = through
    same_way = (donation.appeal_id, donation.fundraiser_id) == (_id(appeal), _id(fundraiser))
    return (
        donation.fund_id == fund.id
        and same_way
        and details_of(donation) == replace(details, form_token=donation.form_token)
    )


def _made_by_form(token: str) -> list[Donation]:
    """The donations one form made: a resubmission with changed details gets a suffix. At
    most one of them is the same request, so their order does not matter."""
    return list(
        db.session.execute(
            select(Donation).where(
                or_(
                    Donation.form_token == token,
                    Donation.form_token.startswith(f"{token}~", autoescape=True),
                )
            )
        ).scalars()
    )


def _moderation_for(details: GiftDetails) -> Moderation:
    """Anything a donor asks to show publicly waits for staff."""
    return Moderation.PENDING if details.display_name or details.message else Moderation.NONE


def start_donation(
    fund: Fund,
    details: GiftDetails,
    appeal: Appeal | None = None,
    fundraiser: Fundraiser | None = None,
) -> Donation:
    """Create the donation for a submitted form, or find the one this form already made.

    The same form sent twice (a double click, a retry) finds its donation and so the same
    Checkout Session. Sent again with other details (the donor went back and changed the
    amount), it is a new donation: the old one simply expires unpaid. A gift through an
    appeal is for the appeal's fund; through a supporter's page, for the page's appeal and
    fund, and it is sponsorship (HMRC's schedule says so, and never aggregates it).
    """
    if fundraiser is not None:
        appeal = fundraiser.appeal
    if appeal is not None and appeal.fund_id != fund.id:
        raise ValueError("a gift through an appeal is for the appeal's fund")
    if fundraiser is not None and fundraiser.fund_id != fund.id:
        raise ValueError("a gift through a supporter's page is for the page's fund")
    details = replace(details, email=details.email.strip().lower())
    earlier = _made_by_form(details.form_token)
    for donation in earlier:
        if _same_request(donation, fund, (appeal, fundraiser), details):
            return donation
    if earlier:
        details = replace(details, form_token=f"{details.form_token}~{len(earlier)}")
    donation = Donation(
        reference=new_reference(),
        fund=fund,
        appeal=appeal,
        fundraiser=fundraiser,
        sponsored=fundraiser is not None,
        **{name: getattr(details, name) for name in TYPED},
        amount_pence=details.amount_pence,
        fee_cover_pence=details.fee_cover_pence,
        moderation=_moderation_for(details),
        marketing_consent_version=FORM_WORDING if details.marketing_consent else None,
        form_token=details.form_token,
        request_id=logs.request_id(),
    )
    db.session.add(donation)
    db.session.flush()
    return donation


def details_of(donation: Donation) -> GiftDetails:
    """What the donor asked for with this donation (to fill the form again, or compare)."""
    return GiftDetails(
        amount_pence=donation.amount_pence,
        fee_cover_pence=donation.fee_cover_pence,
        form_token=donation.form_token,
        **{name: getattr(donation, name) for name in TYPED},
    )
