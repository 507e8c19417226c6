"""The signed links in receipts: a link of ours that carries anything but a reference opens
nothing (never an error); an expired one says so."""

import pytest
from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from donations.gifts import links
from tests import factories


def signed(salt: str, payload) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt).dumps(payload)


@pytest.mark.parametrize("payload", [["D-1"], {"reference": "D-1"}, 12, None])
def test_a_signed_link_that_holds_no_reference_opens_nothing(app, payload):
    factories.payment(frequency="monthly", gift_aid=True)
    assert links.donation_from_token(signed(links.SALT, payload)) is None
    assert links.donation_from_gift_aid_token(signed(links.GIFT_AID_SALT, payload)) is None


def test_an_expired_link_says_so_in_words(app, monkeypatch):
    gift = factories.payment(frequency="monthly", gift_aid=True)
    token, aid_token = links.manage_token(gift), links.gift_aid_token(gift)
    monkeypatch.setattr(links, "MAX_AGE_SECONDS", -1)
    monkeypatch.setattr(links, "GIFT_AID_MAX_AGE_SECONDS", -1)
    with pytest.raises(links.LinkExpired, match="Signature age"):
        links.donation_from_token(token)
    with pytest.raises(links.LinkExpired, match="Signature age"):
        links.donation_from_gift_aid_token(aid_token)


def test_a_gift_aid_link_for_a_gift_never_paid_opens_nothing(app):
    unpaid = factories.checkout(gift_aid=True)
    assert unpaid.donor_id is None
    assert links.donation_from_gift_aid_token(links.gift_aid_token(unpaid)) is None
