"""Finding a donation again: by the form that made it (a double submit), by the subscription
that began with it; and what counts as the same request."""

from donations.extensions import db
from donations.gifts import services as gifts
from donations.transaction import commit
from tests import factories


def test_the_same_form_through_another_way_in_is_another_gift(app):
    appeal = factories.appeal()
    fund = factories.fund("actimus")
    details = factories.details(form_token="form-token-1")
    first = gifts.start_donation(fund, details, appeal, None)
    assert gifts.start_donation(fund, details, appeal, None).id == first.id, "a double submit"
    direct = gifts.start_donation(fund, details, None, None)
    assert direct.id != first.id
    assert direct.appeal_id is None
    page = factories.fundraiser(given_to=appeal)
    through_page = gifts.start_donation(fund, details, appeal, page)
    assert through_page.id not in (first.id, direct.id)
    assert through_page.fundraiser_id == page.id
    commit()
    assert gifts.by_form_token("form-token-1") == first
    assert gifts.by_form_token("no-such-token") is None


def test_a_subscription_finds_the_donation_it_began_with(app):
    first = factories.donation(email="a@example.org")
    later = factories.donation(email="a@example.org")
    longest = "sub_" + "x" * 251
    for donation in (later, first):
        donation.subscription_id = longest
    db.session.commit()
    assert len(longest) == 255
    assert gifts.by_subscription(longest) == first, "the earliest, whatever the order stored"
    assert gifts.by_subscription(longest + "x") is None
    assert gifts.by_subscription(None) is None
    assert gifts.by_subscription("") is None
