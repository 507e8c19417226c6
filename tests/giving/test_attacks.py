"""What an attacker tried against the donation form and the thank-you page (issue 7), each
reproduced here; and the behaviours the deliberate-fault run found no test pinning down."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation, Donor
from donations.sandbox.models import SandboxSession
from tests import factories
from tests.support import (
    GOOD_GIFT,
    count,
    form_tokens,
    give,
    hidden_value,
    sandbox_pay,
    submit_gift,
)


def test_a_forged_host_never_reaches_the_checkout_links(make_app, reset_database):
    """Attack 1: with PUBLIC_URL set, links come from it alone and other hosts are refused."""
    app = make_app(PUBLIC_URL="https://give.charity.example")
    reset_database(app)
    gift = dict(GOOD_GIFT)
    with app.app_context():
        client = app.test_client()
        evil = "https://evil.example"
        page = client.get("/donate", base_url=evil)
        assert page.status_code == 400
        forged = client.post("/donate", base_url=evil, data=gift, headers={"Referer": evil})
        assert forged.status_code == 400
        assert b"evil.example" not in forged.data
        assert count(Donation) == 0

        site = "https://give.charity.example"
        tokens = form_tokens(client, path=f"{site}/donate")
        response = client.post(
            "/donate",
            base_url=site,
            headers={"Referer": f"{site}/donate"},  # CSRF checks it over HTTPS
            data={**tokens, **gift},
        )
        assert response.status_code == 303
        assert response.headers["Location"].startswith(f"{site}/sandbox/checkout/")
        donation = db.session.execute(select(Donation)).scalar_one()
        data = db.session.get(SandboxSession, donation.checkout_session_id).data
        for link in (data["success_url"], data["cancel_url"], data["url"]):
            assert link.startswith(f"{site}/"), link


def test_an_unpaid_form_changes_nothing_of_the_donor_it_names(client):
    """Attack 2: a stranger who knows a donor's e-mail could rewrite their names and attach
    a Gift Aid declaration with their own address, without paying."""
    give(client, first_name="Ada", last_name="Lovelace", email="ada@example.org")
    donor = db.session.execute(select(Donor)).scalar_one()
    before = (donor.title, donor.first_name, donor.last_name)

    stranger = submit_gift(
        client,
        email="ADA@example.org",
        title="Dr",
        first_name="Mallory",
        last_name="Evil",
        gift_aid="y",
        house="666",
        postcode="EC1A 1BB",
    )
    assert stranger.status_code == 303, "the form itself is fine: it is just never paid"
    db.session.expire_all()
    donor = db.session.execute(select(Donor)).scalar_one()
    assert (donor.title, donor.first_name, donor.last_name) == before
    assert count(GiftAidDeclaration) == 0
    unpaid = db.session.execute(select(Donation).where(Donation.first_name == "Mallory")).one()
    assert unpaid.Donation.donor_id is None, "an unpaid donation belongs to no donor yet"


def test_a_paid_gift_brings_its_details_to_the_donor_and_makes_its_declaration(client):
    give(client, first_name="Ada", gift_aid="y", house="1", postcode="SW1A 1AA")
    give(client, first_name="Augusta", gift_aid="y", house="2", postcode="M1 1AE")
    donor = db.session.execute(select(Donor)).scalar_one()
    assert donor.first_name == "Augusta"
    houses = db.session.execute(select(GiftAidDeclaration.house).order_by(GiftAidDeclaration.id))
    assert list(houses.scalars()) == ["1", "2"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "title", "display_name", "house"])
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n", "\u2028"])
def test_names_and_addresses_are_single_lines(client, field, newline):
    fields = {"gift_aid": "y", "house": "1", "postcode": "SW1A 1AA"}
    response = submit_gift(client, **{**fields, field: f"Ada{newline}Bcc: x"})
    assert response.status_code == 400
    assert re.search(rf'id="{field}-error">.*?single line', response.get_data(as_text=True), re.S)
    assert count(Donation) == 0


def test_a_failed_csrf_check_shows_a_fresh_form_with_nothing_of_the_request(client):
    """Attack 5: a cross-site POST got its values shown back, ticked, with a fresh token."""
    attack = {
        "fund": "actimus",
        "amount": "other",
        "other_amount": "25000",
        "frequency": "monthly",
        "first_name": "Mallory",
        "email": "victim@example.org",
        "gift_aid": "y",
        "marketing_consent": "y",
        "cover_fees": "y",
        "form_token": "A" * 24,
    }
    response = client.post("/donate/actimus", data=attack)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "For your security" in html
    checked = {
        (re.search(r'name="([^"]+)"', tag)[1], re.search(r'value="([^"]*)"', tag)[1])
        for tag in re.findall(r"<input[^>]*\bchecked\b[^>]*>", html)
    }
    assert checked == {("fund", "actimus"), ("frequency", "one-off"), ("amount", "25")}, (
        "only a fresh form's own choices: the fund of the page, once, the suggested amount"
    )
    for sent in ("25000", "Mallory", "victim@example.org"):
        assert sent not in html
    assert count(Donation) == 0


@pytest.mark.parametrize("message", ["Hi\rSPAM", "Tab\there", "Bell\x07", "rtl \u202e gnp.exe"])
def test_control_characters_in_a_message_are_refused(client, message):
    """Attack 6: a carriage return and tabs hid spam in the moderation list."""
    response = submit_gift(client, message=message)
    assert response.status_code == 400
    assert "cannot contain HTML or control characters" in response.get_data(as_text=True)


def test_a_message_keeps_its_new_lines(client):
    give(client, message="Line one\r\nLine two")
    assert db.session.execute(select(Donation.message)).scalar_one() == "Line one\nLine two"


def test_the_moderation_list_shows_text_unambiguously(app, runner):
    factories.payment(message="Line one\nLine two", display_name='The "Smiths"')
    output = runner.invoke(args=["messages", "pending"]).output
    assert 'message: "Line one\\nLine two"' in output
    assert 'name: "The \\"Smiths\\""' in output


def test_a_text_field_sent_as_a_file_is_a_clean_400(client):
    """Attack 7a: a multipart file in a text field's place raised a 500."""
    data = {
        **form_tokens(client),
        "fund": "actimus",
        "amount": "25",
        "frequency": "one-off",
        "last_name": "L",
        "email": "ada@example.org",
        "first_name": (BytesIO(b"Ada"), "name.txt"),
    }
    response = client.post("/donate", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Enter your first name" in response.get_data(as_text=True)
    assert count(Donation) == 0


def test_a_json_body_is_a_clean_400(client):
    response = client.post("/donate", json={"first_name": {"a": 1}, "amount": [1]})
    assert response.status_code == 400
    assert count(Donation) == 0


@pytest.mark.parametrize("token", ["A" * 20 + "~1", "A" * 15, "A" * 49, "A" * 20 + " ", "é" * 20])
def test_a_crafted_form_token_is_refused(client, token):
    """Attack 7b: a token of "X~1" and then "X" raised a 500."""
    tokens = form_tokens(client)
    response = submit_gift(client, tokens={**tokens, "form_token": token})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert count(Donation) == 0


def test_the_tilde_attack_in_sequence_never_500s(client):
    tokens = form_tokens(client)
    first = submit_gift(client, tokens={**tokens, "form_token": "B" * 20 + "~1"})
    second = submit_gift(client, tokens={**tokens, "form_token": "B" * 20}, amount="10")
    assert (first.status_code, second.status_code) == (400, 303)


def test_only_the_browser_that_gave_sees_the_gifts_details(app, client):
    """Attack 8: the thank-you link showed a stranger the donor's name, e-mail and amount."""
    paid = give(client, first_name="Ada", email="ada@example.org", amount="25")
    thanks_url = paid.headers["Location"]
    own = client.get(thanks_url)
    assert "Thank you, Ada" in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "no-store"

    stranger = app.test_client().get(thanks_url)
    html = stranger.get_data(as_text=True)
    assert stranger.status_code == 200
    assert "has been received" in html
    reference = db.session.execute(select(Donation.reference)).scalar_one()
    for private in ("Ada", "ada@example.org", "£25", reference):
        assert private not in html
    assert stranger.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/donate", "/donate/actimus"])
def test_the_form_and_its_refusals_are_never_stored_by_a_cache(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"
    refused = client.post(path, data={**form_tokens(client), "first_name": "Ada"})
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "no-store"


def test_the_sandbox_checkout_is_never_stored_by_a_cache(client):
    checkout = submit_gift(client).headers["Location"]
    assert client.get(checkout).headers["Cache-Control"] == "no-store"
    declined = sandbox_pay(client, checkout, card_number="4000 0000 0000 0002")
    assert declined.headers["Cache-Control"] == "no-store"


# --- what the deliberate-fault run found no test for --------------------------------------


def test_unticking_gift_aid_and_sending_the_same_form_again_makes_no_declaration(client):
    tokens = form_tokens(client)
    with_gift_aid = submit_gift(
        client, tokens=tokens, gift_aid="y", house="1", postcode="SW1A 1AA"
    ).headers["Location"]
    without = submit_gift(client, tokens=tokens).headers["Location"]
    assert without != with_gift_aid
    sandbox_pay(client, without)
    paid = db.session.execute(select(Donation).where(Donation.status == "paid")).scalar_one()
    assert (paid.gift_aid, paid.declaration_id) == (False, None)
    assert count(GiftAidDeclaration) == 0


def test_the_hidden_token_is_fresh_on_every_form(client):
    first = hidden_value(client.get("/donate").get_data(as_text=True), "form_token")
    second = hidden_value(client.get("/donate").get_data(as_text=True), "form_token")
    assert first != second
