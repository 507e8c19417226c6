"""Starting a donation from a submitted form: what it holds, where it may go, and which
earlier donation a form sent again finds."""

import re

import pytest

from donations.gifts import services as gifts
from donations.gifts.consent import FORM_WORDING
from donations.gifts.models import Moderation
from tests import factories


def test_a_new_donation_holds_what_the_form_asked_for(app):
    started = gifts.start_donation(
        factories.fund("actimus"),
        factories.details(
            email="  Ada@Example.ORG ",
            amount_pence=4000,
            fee_cover_pence=120,
            form_token="form-token-started-1",
        ),
    )
    assert re.fullmatch(r"D-[2-9A-HJKMNP-TV-Z]{10}", started.reference), started.reference
    assert (started.fund.slug, started.appeal, started.fundraiser) == ("actimus", None, None)
    assert (started.email, started.amount_pence, started.fee_cover_pence) == (
        "ada@example.org",
        4000,
        120,
    )
    assert (started.form_token, started.sponsored) == ("form-token-started-1", False)
    assert (started.moderation, started.marketing_consent_version) == (Moderation.NONE, None)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ({}, Moderation.NONE),
        ({"display_name": "Ada"}, Moderation.PENDING),
        ({"message": "For my sister"}, Moderation.PENDING),
        ({"display_name": "Ada", "message": "For my sister"}, Moderation.PENDING),
    ],
)
def test_anything_to_be_shown_publicly_waits_for_staff(app, shown, expected):
    started = gifts.start_donation(factories.fund(), factories.details(**shown))
    assert started.moderation == expected


def test_consent_to_hear_more_keeps_the_words_agreed_to(app):
    started = gifts.start_donation(factories.fund(), factories.details(marketing_consent=True))
    assert (started.marketing_consent, started.marketing_consent_version) == (True, FORM_WORDING)


def test_a_gift_through_a_supporters_page_is_sponsorship_for_its_appeal(app):
    appeal = factories.appeal()
    page = factories.fundraiser(given_to=appeal)
    started = gifts.start_donation(appeal.fund, factories.details(), None, page)
    assert (started.appeal_id, started.fundraiser_id, started.sponsored) == (
        appeal.id,
        page.id,
        True,
    )


def test_a_gift_is_refused_for_a_fund_other_than_its_appeals_or_its_pages(app):
    other_fund = factories.fund("stem-cell-audit")
    appeal = factories.appeal(fund_slug="actimus")
    page = factories.fundraiser("fund-page", given_to=factories.fund("actimus"))
    with pytest.raises(ValueError, match=r"^a gift through an appeal is for the appeal's fund$"):
        gifts.start_donation(other_fund, factories.details(), appeal)
    with pytest.raises(ValueError, match=r"^a gift through a supporter's page is for the page's"):
        gifts.start_donation(other_fund, factories.details(), None, page)


def test_a_form_sent_again_changed_is_a_new_gift_numbered_after_the_others(app):
    fund = factories.fund()
    first = gifts.start_donation(fund, factories.details(form_token="A" * 20))
    second = gifts.start_donation(fund, factories.details(form_token="A" * 20, amount_pence=999))
    third = gifts.start_donation(fund, factories.details(form_token="A" * 20, amount_pence=998))
    assert [first.form_token, second.form_token, third.form_token] == [
        "A" * 20,
        "A" * 20 + "~1",
        "A" * 20 + "~2",
    ]
    again = gifts.start_donation(fund, factories.details(form_token="A" * 20, amount_pence=999))
    assert again.id == second.id, "sent again as it was changed: the same gift"


def test_a_token_holding_an_underscore_finds_only_its_own_gifts(app):
    """Form tokens may hold `_`, which a LIKE pattern would read as any one character."""
    fund = factories.fund()
    gifts.start_donation(fund, factories.details(form_token="AB" + "x" * 18))
    changed = gifts.start_donation(
        fund, factories.details(form_token="AB" + "x" * 18, amount_pence=999)
    )
    assert changed.form_token == "AB" + "x" * 18 + "~1"
    own = gifts.start_donation(
        fund, factories.details(form_token="A_" + "x" * 18, amount_pence=999)
    )
    assert own.id != changed.id
    assert own.form_token == "A_" + "x" * 18
