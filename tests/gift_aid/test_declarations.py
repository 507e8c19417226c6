"""A Gift Aid declaration: made when a gift-aided donation is paid, in the words shown."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app

from donations.gift_aid.address import normalise_postcode
from donations.gift_aid.models import GiftAidDeclaration
from donations.gift_aid.rules import carries_gift_aid
from donations.gift_aid.services import new_declaration
from donations.gift_aid.wording import WORDING_VERSION, declaration_wording
from donations.ledger.standing import gift_aid_due
from tests import factories
from tests.support import count


def test_a_paid_gift_makes_a_declaration_of_everything_the_donor_gave(app):
    donation = factories.payment(
        gift_aid=True,
        title="Dr",
        first_name="Zoë",
        last_name="O'Brien",
        house="Flat 2, Rose Court",
        address="12 Long Lane",
        postcode="M1 1AE",
    )
    declaration = donation.declaration
    assert (
        declaration.donor_id,
        declaration.title,
        declaration.first_name,
        declaration.last_name,
        declaration.house,
        declaration.address,
        declaration.postcode,
        declaration.overseas,
    ) == (
        donation.donor_id,
        "Dr",
        "Zoë",
        "O'Brien",
        "Flat 2, Rose Court",
        "12 Long Lane",
        "M1 1AE",
        False,
    )
    assert declaration.wording_version == WORDING_VERSION
    assert current_app.config["CHARITY_NAME"] in declaration.wording
    assert "UK taxpayer" in declaration.wording


def test_a_donor_abroad_is_declared_without_a_postcode(app):
    donation = factories.payment(
        gift_aid=True, house="4", address="Rue X, Paris, France", postcode=None, overseas=True
    )
    assert (donation.declaration.overseas, donation.declaration.postcode) == (True, None)
    assert donation.declaration.address == "Rue X, Paris, France"


def test_a_declaration_from_abroad_never_keeps_a_postcode(app):
    declaration = new_declaration(
        1,
        title=None,
        first_name="A",
        last_name="B",
        house="4 Rue X",
        address="Paris",
        postcode="SW1A 1AA",
        overseas=True,
    )
    assert (declaration.overseas, declaration.postcode) == (True, None)


def test_an_unpaid_gift_makes_no_declaration(app):
    factories.donation(gift_aid=True)
    assert count(GiftAidDeclaration) == 0


def test_a_cancelled_declaration_covers_gifts_before_the_moment_it_ends_only(app):
    cancelled_at = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    declaration = GiftAidDeclaration(cancelled_at=cancelled_at)
    assert carries_gift_aid(declaration, cancelled_at - timedelta(seconds=1))
    assert not carries_gift_aid(declaration, cancelled_at)
    assert not carries_gift_aid(declaration, cancelled_at + timedelta(days=1))
    assert carries_gift_aid(GiftAidDeclaration(cancelled_at=None), cancelled_at)
    assert not carries_gift_aid(None, cancelled_at)


def test_gift_aid_follows_the_configured_rate(app):
    assert gift_aid_due(1235) == 308
    app.config["GIFT_AID_BASIC_RATE"] = 25
    assert gift_aid_due(1200) == 400


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" ec1a  1bb ", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("GIR0AA", "GIR 0AA"),
        ("B338TH", "B33 8TH"),
        ("", None),
        (None, None),
        ("SW1A", None),
        ("SW1A1AAA", None),
        ("12345", None),
        ("1AB 2CD", None),  # a postcode starts with a letter
    ],
)
def test_postcodes_are_held_to_hmrcs_pattern(typed, kept):
    assert normalise_postcode(typed) == kept


def test_the_declaration_is_hmrcs_model_wording_word_for_word():
    """Stored with every declaration as the donor saw it: a changed word is a new version."""
    assert declaration_wording("The Example Trust") == (
        "I want to Gift Aid my donation and any donations I make in the future or have made "
        "in the past 4 years to The Example Trust. I am a UK taxpayer and understand that if "
        "I pay less Income Tax and/or Capital Gains Tax in the current tax year than the "
        "amount of Gift Aid claimed on all my donations it is my responsibility to pay any "
        "difference."
    )
