"""Signed, expiring links that let a donor manage a monthly gift, or stop Gift Aid on their
gifts, without a password."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from donations.gifts import services
from donations.gifts.models import Donation

SALT = "manage-a-monthly-gift"
#: each monthly receipt brings a fresh link; one lasts a little over two months
MAX_AGE_SECONDS = 65 * 24 * 3600


class LinkExpired(ValueError):
    """The link was ours, but it is too old: a newer one is in the latest receipt."""


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def manage_token(donation: Donation) -> str:
    return _signer().dumps(donation.reference)


def donation_from_token(token: str) -> Donation | None:
    """The monthly donation a link was made for; None when it is not a link of ours."""
    try:
        reference = _signer().loads(token, max_age=MAX_AGE_SECONDS)
    except SignatureExpired as error:
        raise LinkExpired(str(error)) from error
    except BadSignature:
        return None
    donation = services.by_reference(reference) if isinstance(reference, str) else None
    return donation if donation is not None and donation.recurring else None


GIFT_AID_SALT = "cancel-gift-aid"
#: in every receipt that claims Gift Aid; a receipt is kept, so the link lasts two years
GIFT_AID_MAX_AGE_SECONDS = 2 * 366 * 24 * 3600


def _gift_aid_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GIFT_AID_SALT)


def gift_aid_token(donation: Donation) -> str:
    return _gift_aid_signer().dumps(donation.reference)


def donation_from_gift_aid_token(token: str) -> Donation | None:
    """The donation whose receipt carried this link; None when it is not a link of ours."""
    try:
        reference = _gift_aid_signer().loads(token, max_age=GIFT_AID_MAX_AGE_SECONDS)
    except SignatureExpired as error:
        raise LinkExpired(str(error)) from error
    except BadSignature:
        return None
    donation = services.by_reference(reference) if isinstance(reference, str) else None
    return donation if donation is not None and donation.donor_id is not None else None
