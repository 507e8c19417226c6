"""What a new donor sees on the form: the order of questions, the amounts, Gift Aid, privacy."""

import re

from tests.support import PRODUCTION, form_tokens, submit_gift


def page(client, path="/donate/actimus") -> str:
    return client.get(path).get_data(as_text=True)


def test_how_often_is_asked_before_how_much(client):
    html = page(client)
    assert html.index("How often would you like to give?") < html.index(
        "How much would you like to give?"
    )


def test_each_amount_is_a_tile_saying_what_it_becomes_and_one_is_chosen(client):
    html = page(client)
    tiles = re.findall(
        r'<input class="tile__input"[^>]*value="(\d+)"[^>]*>\s*<label class="tile__label"[^>]*>'
        r'\s*<span class="tile__amount">(£[\d,]+)'
        r'(?:<span class="tile__per"> a month</span>)?</span>\s*'
        r'<span class="tile__impact">([^<]+)</span>',
        html,
    )
    assert tiles == [
        ("10", "£10", "£12.50 with Gift Aid"),
        ("25", "£25", "£31.25 with Gift Aid"),
        ("50", "£50", "£62.50 with Gift Aid"),
        ("100", "£100", "£125 with Gift Aid"),
        ("5", "£5", "£60 a year, £75 with Gift Aid"),
        ("10", "£10", "£120 a year, £150 with Gift Aid"),
        ("20", "£20", "£240 a year, £300 with Gift Aid"),
        ("30", "£30", "£360 a year, £450 with Gift Aid"),
    ]
    assert re.findall(r'name="amount"[^>]*value="(\w+)"[^>]*checked', html) == ["25"]


def test_a_monthly_link_chooses_the_monthly_tile(client):
    html = page(client, "/donate/actimus?frequency=monthly")
    assert re.findall(r'name="amount"[^>]*value="(\w+)"[^>]*checked', html) == ["10"]
    monthly = html.split('data-frequency="monthly"', 1)[1].split("</div>\n    </div>", 1)[0]
    assert re.search(r'value="10"\s+data-default\s+checked', monthly)


def test_a_monthly_tile_amount_is_taken(client):
    response = submit_gift(client, frequency="monthly", amount="5")
    assert response.status_code == 303


def test_the_gift_aid_box_makes_the_declaration_beside_it_with_hmrcs_conditions(app, client):
    html = page(client)
    label = re.search(r'<label class="checkbox__label" for="gift_aid">(.*?)</label>', html, re.S)[1]
    assert "I want to Gift Aid my donation and any donations I make in the future" in label
    assert app.config["CHARITY_NAME"] in label
    hint = re.search(r'id="gift_aid-hint">(.*?)</div>', html, re.S)[1]
    for condition in (
        "I am a UK taxpayer",
        "the money is your own",
        "not a payment for a ticket, a raffle",
        "not money you collected from other people",
    ):
        assert condition in hint
    assert 'aria-controls="gift-aid-address"' in html
    assert html.index('id="gift_aid"') < html.index('id="house"')


def test_the_privacy_notice_is_linked_beside_the_marketing_opt_in(app, client):
    html = page(client)
    consent = html.split('id="marketing_consent"', 1)[1].split("</div>", 2)
    assert f'href="{app.config["PRIVACY_URL"]}"' in "".join(consent[:2])
    assert 'id="marketing_consent" name="marketing_consent" type="checkbox" value="y"\n' in html
    assert 'name="marketing_consent" type="checkbox" value="y"\n         checked' not in html


def test_the_fee_cover_is_called_covering_the_fees(client):
    html = page(client)
    assert "Add a little to cover the fees" in html
    assert "card fees" not in html


def test_every_page_says_who_the_charity_is(make_app, reset_database, database_url):
    app = make_app(**{**PRODUCTION, "SQLALCHEMY_DATABASE_URI": database_url})
    reset_database(app)
    client = app.test_client()
    base = "https://give.charity.example"
    tokens = form_tokens(client, path=f"{base}/donate")
    refused = client.post(
        "/donate", base_url=base, data={**tokens}, headers={"Referer": f"{base}/donate"}
    )
    pages = [
        client.get(f"{base}{path}")
        for path in ("/", "/funds/actimus", "/donate", "/funds/actimus/embed", "/no-such-page")
    ]
    for response in [*pages, refused]:
        html = response.get_data(as_text=True)
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert "The Example MS Research Trust" in footer
        assert "1234567" in footer
        assert "1 High Street, Exampletown EX1 1AA" in footer
        assert "mailto:supporters@charity.example" in footer
        assert 'href="https://charity.example/privacy"' in footer
