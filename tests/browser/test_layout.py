"""Every public page at a phone's 320 px and a desktop's 1280 px: nothing runs off the side,
axe-core finds no WCAG 2.2 AA violation; and the three snippets on a partner's page fit too."""

import re
from html import unescape

import pytest

from donations.gifts import links
from tests import factories
from tests.browser.support import axe_violations, give_through_the_page, overflow

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)
PUBLIC = (
    "/",
    "/funds/actimus",
    "/funds/stem-cell-audit",
    "/donate",
    "/donate/actimus?frequency=monthly",
    "/funds/actimus/embed",
    "/embed/funds/actimus",
    "/no-such-page",
)


#: 400% zoom on a 1280 x 1024 screen: 320 x 256 CSS pixels
ZOOMED = (320, 256)


@pytest.fixture
def phone_or_desktop(browser, request):
    width, height = request.param if isinstance(request.param, tuple) else (request.param, 800)
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("phone_or_desktop", [*WIDTHS, ZOOMED], indirect=True)
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_fit_and_pass_axe(app, live_server, phone_or_desktop, path):
    page = phone_or_desktop
    factories.payment(display_name="Friends of ACTiMuS", message="Good luck")
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    assert overflow(page) == 0
    assert axe_violations(page) == []


#: a real first name as long as the form takes (35 characters), with no place to break it
LONGEST_NAME = "Wolfeschlegelsteinhausenbergerdorff"


@pytest.mark.parametrize("phone_or_desktop", WIDTHS, indirect=True)
def test_the_journey_fits_and_passes_axe_at_every_step(live_server, phone_or_desktop):
    page = phone_or_desktop
    page.goto(f"{live_server}/donate/actimus")
    page.click("button[type=submit]")  # nothing filled in: the form with its errors
    page.wait_for_load_state("networkidle")
    assert "There is a problem" in page.inner_text("body")
    assert overflow(page) == 0
    assert axe_violations(page) == []

    page.fill("#first_name", LONGEST_NAME)
    page.fill("#last_name", "Lovelace")
    page.fill("#email", "ada@example.org")
    page.check("#gift_aid")
    page.fill("#house", "1")
    page.fill("#postcode", "SW1A 1AA")
    page.click("button[type=submit]")
    page.wait_for_url("**/sandbox/checkout/**")
    page.check("input[name=method][value=bacs]")
    assert page.is_visible("#account_holder"), "Bacs asks for its own fields"
    assert not page.is_visible("#card_number"), "and only those"
    assert overflow(page) == 0
    assert axe_violations(page) == []

    page.check("input[name=method][value=card]")
    page.fill("#card_number", "4242 4242 4242 4242")
    page.fill("#expiry", "12 / 30")
    page.fill("#cvc", "123")
    page.click("button[type=submit]")
    page.wait_for_url("**/donate/thanks?session_id=*")
    assert f"Thank you, {LONGEST_NAME}" in page.inner_text("h1")
    assert "Gift Aid adds £6.25" in page.inner_text("main")
    assert overflow(page) == 0
    assert axe_violations(page) == []


def snippets(client) -> dict[str, str]:
    """The three snippets exactly as the builder offers them to be copied."""
    html = client.get("/funds/actimus/embed").get_data(as_text=True)
    return {
        name: unescape(re.search(rf'id="snippet-{name}"[^>]*>(.*?)</textarea>', html, re.S)[1])
        for name in ("iframe", "script", "image")
    }


@pytest.mark.parametrize("phone_or_desktop", WIDTHS, indirect=True)
def test_a_partner_page_with_all_three_snippets_fits(
    app, live_server, serve_partner_page, phone_or_desktop
):
    factories.payment(amount_pence=2500)
    copied = {
        name: text.replace("http://localhost", live_server)
        for name, text in snippets(app.test_client()).items()
    }
    partner = serve_partner_page(
        f"""<!doctype html><html lang="en"><head><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Our walk for MS research</title></head>
<body><main><h1>Our walk for MS research</h1>
<p>We are walking 100 miles for stem cell research. Here is how the appeal is doing:</p>
{copied["iframe"]}
{copied["script"]}
<p>{copied["image"]}</p>
</main></body></html>"""
    )
    page = phone_or_desktop
    page.goto(partner)
    page.wait_for_load_state("networkidle")
    page.locator("donation-progress a").wait_for()
    frame_element = page.locator("iframe")
    give_now = page.frame_locator("iframe").locator("a.embed__donate")
    give_now.wait_for()
    page.wait_for_function("document.querySelector('iframe').style.height !== ''")
    frame_box, link_box = frame_element.bounding_box(), give_now.bounding_box()
    assert link_box["y"] + link_box["height"] <= frame_box["y"] + frame_box["height"], (
        "the give button is cut off at the bottom of the frame"
    )
    assert link_box["x"] + link_box["width"] <= frame_box["x"] + frame_box["width"]
    image = page.locator("img").bounding_box()
    assert image["width"] <= page.viewport_size["width"]
    assert overflow(page) == 0


@pytest.mark.parametrize("phone_or_desktop", WIDTHS, indirect=True)
def test_the_form_reads_well_on_a_phone_and_a_desktop(live_server, phone_or_desktop):
    page = phone_or_desktop
    page.goto(f"{live_server}/donate/actimus")
    header = page.locator(".site-header").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert heading["y"] - (header["y"] + header["height"]) >= 16, "space under the header"
    for summary in page.locator("details.optional > summary").all():
        summary.click()
    for box in ("#gift_aid", "#marketing_consent", "#cover_fees", "#anonymous"):
        tick = page.locator(box).bounding_box()
        label = page.locator(f"label[for={box[1:]}]").bounding_box()
        assert label["x"] > tick["x"] + tick["width"], f"{box}'s label is beside its box"
        assert label["y"] < tick["y"] + tick["height"], f"{box}'s label starts on its row"
    tiles = page.locator(".tiles:not([hidden]) .tile__label, .tile--other .tile__label")
    assert tiles.count() == 5, "four amounts for a single gift, and another amount"
    for index in range(tiles.count()):
        box = tiles.nth(index).bounding_box()
        assert box["height"] >= 44, "big enough to tap"
        assert box["width"] >= 44
    page.check("input[name=frequency][value=monthly]")
    monthly = page.locator(".tiles:not([hidden])")
    assert monthly.get_attribute("data-frequency") == "monthly"
    assert page.locator("input[name=amount]:checked").get_attribute("value") == "10"


def test_without_javascript_the_whole_form_still_works(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/donate/actimus?frequency=monthly&amount=20")
    assert page.is_visible("#house"), "the Gift Aid address shows when no script can hide it"
    assert page.is_visible("#other_amount"), "and so does the box for another amount"
    shown = page.locator(".tiles:not([hidden])")
    assert shown.count() == 1, "only the tiles of the frequency chosen"
    assert shown.get_attribute("data-frequency") == "monthly"
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Lovelace")
    page.fill("#email", "ada@example.org")
    page.click("button[type=submit]")
    page.wait_for_url("**/sandbox/checkout/**")
    assert "£20.00 a month" in page.inner_text("main")
    context.close()


@pytest.mark.parametrize("phone_or_desktop", [*WIDTHS, ZOOMED], indirect=True)
def test_a_monthly_donor_stops_their_gift_from_the_thank_you_page(live_server, phone_or_desktop):
    page = phone_or_desktop
    page.goto(f"{live_server}/donate/actimus?frequency=monthly")
    give_through_the_page(page, None, ("Grace", "Hopper", "grace@example.org"))

    page.click("text=manage your monthly gift")
    page.wait_for_url("**/sandbox/portal/**")
    assert "a month" in page.inner_text("main")
    assert overflow(page) == 0
    assert axe_violations(page) == []

    page.fill("input[name=amount]", "0")
    page.click("text=Change the amount")
    assert "There is a problem" in page.inner_text("main"), "a bad amount is named, not taken"
    assert "smallest gift" in page.inner_text(".field--error"), "beside its field too"
    assert page.input_value("input[name=amount]") == "0", "what the donor typed is kept"
    assert overflow(page) == 0
    assert axe_violations(page) == []

    page.click("text=Stop this monthly gift")
    page.wait_for_load_state("networkidle")
    assert "Stop your monthly gift of £10.00?" in page.inner_text("h1"), "it asks first"
    assert overflow(page) == 0
    assert axe_violations(page) == []
    page.click("text=Yes, stop my monthly gift")
    page.wait_for_load_state("networkidle")
    assert "stopped" in page.inner_text("h2")
    assert overflow(page) == 0
    assert axe_violations(page) == []


@pytest.mark.parametrize("phone_or_desktop", WIDTHS, indirect=True)
def test_an_expired_manage_link_says_what_to_do(live_server, phone_or_desktop, monkeypatch):
    page = phone_or_desktop
    token = links.manage_token(factories.payment(frequency="monthly"))
    monkeypatch.setattr(links, "MAX_AGE_SECONDS", -1)
    response = page.goto(f"{live_server}/donate/manage/{token}")
    assert response.status == 410
    assert "latest receipt" in page.inner_text("main")
    assert overflow(page) == 0
    assert axe_violations(page) == []
