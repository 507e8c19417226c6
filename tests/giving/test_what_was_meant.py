"""What a donor meant is what is taken: an amount typed beside a tile, a tile of the other
frequency, and a monthly Direct Debit's pages. What Checkout is asked for is read from the
sandbox's own copy of the Checkout Session, as Stripe would have received it."""

import re

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation, Donor
from donations.receipts.models import OutboxMessage
from donations.sandbox import store
from tests.support import count, sandbox_pay, submit_gift

ERROR_BESIDE_AMOUNT = re.compile(r'<p class="error-message" id="amount-error">(.*?)</p>', re.S)


def asked_of_checkout(donation: Donation) -> list[tuple[int, str | None]]:
    """Each line Checkout was asked to charge: pence, and its interval if recurring."""
    session = store.session(donation.checkout_session_id).data
    return [
        (
            line["price_data"]["unit_amount"],
            (line["price_data"].get("recurring") or {}).get("interval"),
        )
        for line in session["line_items"]
    ]


def the_donation() -> Donation:
    return db.session.execute(select(Donation)).scalar_one()


def refused_at_the_amount(response) -> tuple[str, str]:
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (count(Donation), count(Donor)) == (0, 0), "nothing is sent on, nothing recorded"
    assert 'href="#amount-fieldset"' in html, "the summary leads to the amount"
    said = ERROR_BESIDE_AMOUNT.search(html)
    assert said, "the error is beside the amount"
    return re.sub(r"<[^>]+>", "", said[1]).replace("Error:", "").strip(), html


def checked_amounts(html: str) -> list[str]:
    return re.findall(r'name="amount"[^>]*value="(\w+)"(?:\s+data-default)?\s+checked', html)


def test_an_amount_typed_beside_a_chosen_tile_is_asked_about_not_guessed(client):
    response = submit_gift(client, amount="25", other_amount="30", first_name="Grace")
    said, html = refused_at_the_amount(response)
    assert "You chose £25 and also typed another amount" in said
    assert checked_amounts(html) == ["25"], "what the donor chose is kept"
    assert 'value="30"' in html, "and what they typed"
    assert 'value="Grace"' in html


def test_a_typed_amount_with_another_amount_chosen_is_what_checkout_is_asked_for(client):
    assert submit_gift(client, amount="other", other_amount="30").status_code == 303
    assert asked_of_checkout(the_donation()) == [(3000, None)]


def test_a_tile_chosen_with_an_empty_other_box_is_what_checkout_is_asked_for(client):
    assert submit_gift(client, amount="25", other_amount="  ").status_code == 303
    assert asked_of_checkout(the_donation()) == [(2500, None)]


def test_choosing_every_month_beside_a_single_gifts_tile_is_refused(client):
    """Without JavaScript the single gift's tiles stay on the page when the donor chooses
    "Every month": £25 a month was never offered, so it is never taken."""
    response = submit_gift(
        client, frequency="monthly", amount="25", amounts_for="one-off", last_name="Hopper"
    )
    said, html = refused_at_the_amount(response)
    assert "The amounts you saw were for a single gift" in said
    assert "Choose an amount for a monthly gift" in said
    shown = re.findall(r'<div class="tiles" data-frequency="([\w-]+)"(?! hidden)>', html)
    assert shown == ["monthly"], "the monthly tiles are shown now"
    assert checked_amounts(html) == [], "and none is chosen for the donor"
    assert 'value="Hopper"' in html
    assert re.search(r'value="monthly"\s+checked', html), "the frequency chosen is kept"


def test_a_tile_both_frequencies_offer_is_refused_when_seen_among_the_others(client):
    """£10 is a single gift's tile and a monthly one: the donor who saw the single gift's £10
    and then chose every month did not choose £10 a month."""
    response = submit_gift(client, frequency="monthly", amount="10", amounts_for="one-off")
    said, _ = refused_at_the_amount(response)
    assert "The amounts you saw were for a single gift" in said


def test_a_tile_of_the_other_frequency_is_refused_without_the_hidden_field(client):
    said, _ = refused_at_the_amount(submit_gift(client, frequency="monthly", amount="25"))
    assert "£25 is not one of the amounts for a monthly gift" in said
    said, _ = refused_at_the_amount(submit_gift(client, frequency="one-off", amount="5"))
    assert "£5 is not one of the amounts for a single gift" in said


def test_a_monthly_tile_seen_among_the_monthly_tiles_is_taken_monthly(client):
    response = submit_gift(client, frequency="monthly", amount="10", amounts_for="monthly")
    assert response.status_code == 303
    assert asked_of_checkout(the_donation()) == [(1000, "month")]


def test_another_amount_goes_with_whichever_frequency_is_chosen(client):
    response = submit_gift(
        client, frequency="monthly", amount="other", other_amount="7.50", amounts_for="one-off"
    )
    assert response.status_code == 303
    assert asked_of_checkout(the_donation()) == [(750, "month")]


def _bacs_monthly(client):
    checkout = submit_gift(client, frequency="monthly", amount="10").headers["Location"]
    paid = sandbox_pay(
        client,
        checkout,
        method="bacs",
        account_holder="G Hopper",
        sort_code="108800",
        account_number="00012345",
    )
    return client.get(paid.headers["Location"]).get_data(as_text=True)


def test_a_monthly_direct_debit_not_yet_collected_is_called_monthly_with_its_manage_link(
    client,
):
    html = _bacs_monthly(client)
    assert the_donation().status == "pending"
    assert "Your monthly gift of £10.00 a month" in html
    manage = re.search(r'href="http://localhost(/donate/manage/[^"]+)">manage your monthly', html)
    assert manage, "the same link a card donor gets"
    portal = client.get(manage[1])
    assert portal.status_code == 303
    assert "£10.00 a month" in client.get(portal.headers["Location"]).get_data(as_text=True)


def test_a_monthly_direct_debit_receipt_carries_the_manage_link(client, runner):
    _bacs_monthly(client)
    reference = the_donation().reference
    assert runner.invoke(args=["sandbox", "settle", reference]).exit_code == 0
    receipt = db.session.execute(select(OutboxMessage)).scalar_one()
    assert "monthly gift of £10.00" in receipt.body
    assert "/donate/manage/" in receipt.body
    assert "/donate/manage/" in receipt.html_body
