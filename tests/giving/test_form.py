"""The donation form: every bad input refused beside its field, nothing recorded, nothing lost."""

import re

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation, Donor
from tests.support import count, form_tokens, hidden_value, submit_gift


def errors_beside(html: str, field: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


def refused(client, field, **fields):
    response = submit_gift(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert count(Donation) == 0
    assert count(Donor) == 0
    assert 'class="error-summary"' in html
    assert f'href="#{field}' in html, "the summary links to the field"
    return errors_beside(html, field), html


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0", "smallest gift"),
        ("-5", "numbers only"),
        ("1e5", "numbers only"),
        ("12.345", "numbers only"),
        ("£", "numbers only"),
        ("25000.01", "largest gift"),
        ("ten pounds", "numbers only"),
        ("1_000", "numbers only"),
        ("0x19", "numbers only"),
        ("NaN", "numbers only"),
        ("١٢", "numbers only"),
        ("1,00", "numbers only"),
        ("<b>5</b>", "numbers only"),
        ("", "Enter an amount"),
        ("9" * 10_000, "20 characters or fewer"),
    ],
)
def test_bad_other_amounts_are_refused_beside_the_field(client, typed, says):
    message, html = refused(client, "other_amount", amount="other", other_amount=typed)
    assert says in message
    if len(typed) < 30 and "<" not in typed:
        assert f'value="{typed}"' in html, "what the donor typed is kept"


@pytest.mark.parametrize("typed", ["25", "25.5", "£1,000.00", "1", "25000", "25,000.00"])
def test_good_other_amounts_are_taken(client, typed):
    assert submit_gift(client, amount="other", other_amount=typed).status_code == 303


def test_a_fund_that_does_not_exist_is_a_form_error(client):
    message, _ = refused(client, "fund", fund="no-such-fund")
    assert "Choose which research" in message


def test_an_unknown_fund_in_the_path_is_a_404_page(client):
    response = client.get("/donate/no-such-fund")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_amount_that_is_not_offered_is_refused(client):
    message, _ = refused(client, "amount", amount="7")
    assert "Choose an amount" in message


def test_required_fields_are_named(client):
    _, html = refused(client, "first_name", first_name="  ", last_name="", email="")
    assert errors_beside(html, "first_name") == "Enter your first name."
    assert errors_beside(html, "last_name") == "Enter your last name."
    assert "receipt" in errors_beside(html, "email")


def test_a_bad_email_is_refused(client):
    message, _ = refused(client, "email", email="not-an-email")
    assert "right form" in message


def test_ten_thousand_characters_in_a_name_are_refused(client):
    message, _ = refused(client, "last_name", last_name="x" * 10_000)
    assert "35 characters or fewer" in message


def test_html_in_a_name_is_refused_and_never_echoed_as_markup(client):
    message, html = refused(client, "first_name", first_name="<script>alert(1)</script>")
    assert "cannot contain HTML" in message
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_a_long_message_is_refused(client):
    message, _ = refused(client, "message", message="m" * 501)
    assert "500 characters" in message


def test_gift_aid_needs_house_and_postcode(client):
    _, html = refused(client, "house", gift_aid="y", house="", postcode="")
    assert "house name or number" in errors_beside(html, "house")
    assert "postcode" in errors_beside(html, "postcode")


def test_gift_aid_refuses_a_postcode_that_is_not_uk(client):
    message, _ = refused(client, "postcode", gift_aid="y", house="1", postcode="12345")
    assert "UK postcode" in message


def test_an_overseas_donor_gives_an_address_not_a_postcode(client):
    message, _ = refused(client, "address", gift_aid="y", house="4", overseas="y")
    assert "rest of the home address" in message
    assert (
        submit_gift(
            client, gift_aid="y", house="4", address="Rue X, Paris, France", overseas="y"
        ).status_code
        == 303
    )
    donation = db.session.execute(select(Donation)).scalar_one()
    assert (donation.overseas, donation.postcode) == (True, None)


@pytest.mark.parametrize(
    ("typed", "kept"), [("sw1a1aa", "SW1A 1AA"), (" ec1a  1bb ", "EC1A 1BB"), ("M1 1AE", "M1 1AE")]
)
def test_postcodes_are_normalised(client, typed, kept):
    assert submit_gift(client, gift_aid="y", house="1", postcode=typed).status_code == 303
    assert db.session.execute(select(Donation)).scalar_one().postcode == kept


def test_without_a_csrf_token_the_form_is_refused_and_shown_fresh(client):
    tokens = form_tokens(client)
    response = submit_gift(
        client, tokens={"form_token": tokens["form_token"]}, first_name="Florence"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "For your security" in html
    assert "Florence" not in html, "nothing of a request that may be forged is shown back"
    assert count(Donation) == 0
    wrong = submit_gift(client, tokens={**tokens, "csrf_token": "forged"})
    assert wrong.status_code == 400
    assert count(Donation) == 0


def test_prefill_takes_only_fund_amount_and_frequency(client):
    html = client.get(
        "/donate?fund=actimus&amount=37.5&frequency=monthly&gift_aid=y"
        "&marketing_consent=y&first_name=Eve"
    ).get_data(as_text=True)
    assert re.search(r'value="actimus"\s+checked', html)
    assert re.search(r'value="other"\s+checked', html)
    assert 'value="37.5"' in html
    assert re.search(r'value="monthly"\s+checked', html)
    assert 'value="Eve"' not in html
    assert not re.search(r'name="gift_aid"[^>]*checked', html)
    assert not re.search(r'name="marketing_consent"[^>]*checked', html)


def test_the_path_preselects_the_fund_and_a_preset_amount(client):
    html = client.get("/donate/stem-cell-audit?amount=50").get_data(as_text=True)
    assert re.search(r'value="stem-cell-audit"\s+checked', html)
    assert re.search(r'value="50"\s+checked', html)


def test_cover_fees_shows_exact_pence_for_each_preset(client):
    html = client.get("/donate").get_data(as_text=True)
    # ceil((gift + 20) / 0.985) - gift
    for preset, cover in (("£10", "£0.36"), ("£25", "£0.59"), ("£50", "£0.97"), ("£100", "£1.73")):
        assert f"{preset} adds {cover}" in html


def test_the_form_carries_a_one_time_token(client):
    first = hidden_value(client.get("/donate").get_data(as_text=True), "form_token")
    second = hidden_value(client.get("/donate").get_data(as_text=True), "form_token")
    assert first != second
    assert len(first) >= 24


def test_nothing_is_pre_ticked(client):
    html = client.get("/donate").get_data(as_text=True)
    for name in ("gift_aid", "marketing_consent", "cover_fees", "anonymous", "overseas"):
        assert not re.search(rf'name="{name}"[^>]*checked', html), name


def test_a_donor_abroad_gives_the_address_as_hmrc_will_print_it_in_40_characters(client):
    """HMRC prints a donor abroad's house and address together in 40 characters: a longer one
    is asked to be shortened here, not found months later by finance."""
    abroad = {"gift_aid": "y", "overseas": "y", "house": "Apartamento 12"}
    message, html = refused(
        client, "address", **abroad, address="Calle Mayor 5, 28013 Madrid, Spain"
    )
    assert "40 characters" in message
    assert "this one is 50" in message
    assert 'value="Calle Mayor 5, 28013 Madrid, Spain"' in html
    assert 'id="address-count"' in html, "the form counts as the donor types"
    taken = submit_gift(client, **abroad, address="C Mayor 5, Madrid, Spain")
    assert taken.status_code == 303
