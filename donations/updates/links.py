"""Signed links in every update e-mail: one-click unsubscribe and the preferences page. They
do not expire (an old e-mail's unsubscribe must still work) and name the donor and, by a
keyed digest, their address: once the address is erased, they open nothing."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from donations import keyed
from donations.extensions import db
from donations.gifts.models import Donor

UNSUBSCRIBE = "research-updates:unsubscribe"
PREFERENCES = "research-updates:preferences"


def _signer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def token(donor: Donor, purpose: str) -> str:
    return _signer(purpose).dumps([donor.id, keyed.digest(donor.email or "")])


def donor_from(value: str, purpose: str) -> Donor | None:
    """The donor a link was made for; None when it is not ours or their address is gone."""
    try:
        donor_id, digest = _signer(purpose).loads(value)
    except (BadSignature, TypeError, ValueError):
        return None
    donor = db.session.get(Donor, donor_id) if isinstance(donor_id, int) else None
    if donor is None or not donor.email or keyed.digest(donor.email) != digest:
        return None
    return donor
