"""What a new donor sees on the form: the order of questions, the amounts, Gift Aid, privacy."""

import re

from donations.giving.views import CSRF_MARK, FORM_TOKEN_MARK
from donations.page_cache import RenderedCache
from tests import factories
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


def test_a_form_kept_by_the_worker_still_gives_each_visitor_their_own_tokens(
    make_app, reset_database
):
    app = make_app()  # no app context held open: each request has its own, as in a worker
    reset_database(app)
    app.extensions["page_cache"] = RenderedCache(ttl=60.0, clock=lambda: 1000.0)
    first, second = app.test_client(), app.test_client()
    one, two = form_tokens(first), form_tokens(second)
    assert one["form_token"] != two["form_token"]
    assert one["csrf_token"] != two["csrf_token"]
    html = page(first)
    assert CSRF_MARK not in html
    assert FORM_TOKEN_MARK not in html
    assert submit_gift(second, tokens=two).status_code == 303
    assert submit_gift(first, tokens=two).status_code == 400, "a token is the visitor's own"


def test_the_home_and_fund_pages_are_kept_by_the_worker_for_a_second(app, client):
    now = [1000.0]
    app.extensions["page_cache"] = RenderedCache(ttl=1.0, clock=lambda: now[0])
    before = {path: client.get(path).get_data(as_text=True) for path in ("/", "/funds/actimus")}
    factories.payment(amount_pence=5000)
    now[0] += 0.5
    for path, html in before.items():
        assert client.get(path).get_data(as_text=True) == html, "the same second: the copy"
    now[0] += 0.5
    for path in before:
        response = client.get(path)
        assert "£50.00 raised" in response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers, "nothing of a visitor's own is in it"
