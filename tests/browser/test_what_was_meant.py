"""What a donor chose in the browser is what Checkout is asked for, with JavaScript and
without: an amount typed beside a tile, the frequency changed after a tile was chosen, and a
monthly Direct Debit's pages. Checkout's request is read from the sandbox's copy of it."""

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation
from donations.sandbox import store
from tests.browser.support import (
    axe_violations,
    axe_violations_without_javascript,
    tab_to,
    type_by_keyboard,
)

pytestmark = pytest.mark.browser

#: two thirds of the empty form's height at 320 px before it was shortened (5,315 px)
FORM_HEIGHT_LIMIT = 5315 * 2 // 3


def asked_of_checkout() -> list[tuple[int, str | None]]:
    db.session.expire_all()
    donation = db.session.execute(select(Donation)).scalar_one()
    session = store.session(donation.checkout_session_id).data
    return [
        (
            line["price_data"]["unit_amount"],
            (line["price_data"].get("recurring") or {}).get("interval"),
        )
        for line in session["line_items"]
    ]


def no_violations(page, browser) -> bool:
    found = (
        axe_violations(page)
        if page.javascript
        else axe_violations_without_javascript(page, browser)
    )
    assert found == []
    return True


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def donor(browser, request):
    context = browser.new_context(
        viewport={"width": 320, "height": 800}, java_script_enabled=request.param, bypass_csp=True
    )
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


def about_me(page) -> None:
    page.fill("#first_name", "Grace")
    page.fill("#last_name", "Hopper")
    page.fill("#email", "grace@example.org")


def continue_to_payment(page) -> None:
    page.click("button[type=submit]")


def test_another_amount_typed_is_what_is_charged(live_server, donor, browser):
    page = donor
    page.goto(f"{live_server}/donate/actimus")
    assert page.is_checked("input[name=amount][value='25']"), "£25 is chosen to begin with"
    about_me(page)
    if page.javascript:
        assert not page.is_visible("#other_amount"), "the box opens inside its own option"
        page.check("input[name=amount][value=other]")
        page.fill("#other_amount", "30")
    else:
        page.fill("#other_amount", "30")  # the box shows; £25 is still chosen
        continue_to_payment(page)
        page.wait_for_selector(".error-summary")
        assert "also typed another amount" in page.inner_text("#amount-error")
        assert page.is_checked("input[name=amount][value='25']"), "both are kept to choose from"
        assert page.input_value("#other_amount") == "30"
        assert page.input_value("#first_name") == "Grace", "and everything else typed"
        assert no_violations(page, browser)
        page.check("input[name=amount][value=other]")
    continue_to_payment(page)
    page.wait_for_url("**/sandbox/checkout/**")
    assert asked_of_checkout() == [(3000, None)]
    assert "£30.00" in page.inner_text("main")


def test_a_tile_chosen_after_typing_is_what_is_charged(live_server, browser):
    """With the script, a box left behind for a tile is not sent: what shows is what is taken."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/donate/actimus")
    about_me(page)
    page.check("input[name=amount][value=other]")
    page.fill("#other_amount", "30")
    page.check("input[name=amount][value='50']")
    assert not page.is_visible("#other_amount")
    continue_to_payment(page)
    page.wait_for_url("**/sandbox/checkout/**")
    assert asked_of_checkout() == [(5000, None)]
    context.close()


def test_choosing_every_month_gives_the_monthly_amount_chosen(live_server, donor, browser):
    page = donor
    page.goto(f"{live_server}/donate/actimus")
    about_me(page)
    page.check("input[name=frequency][value=monthly]")
    if page.javascript:
        assert page.locator(".tiles:not([hidden])").get_attribute("data-frequency") == "monthly"
        assert page.is_checked(".tiles[data-frequency=monthly] input[value='10']")
        page.check(".tiles[data-frequency=monthly] input[value='20']")
    else:
        continue_to_payment(page)  # the single gift's £25 is still the tile chosen
        page.wait_for_selector(".error-summary")
        assert "amounts you saw were for a single gift" in page.inner_text("#amount-error")
        shown = page.locator(".tiles:not([hidden])")
        assert shown.get_attribute("data-frequency") == "monthly", "now the monthly tiles"
        assert page.locator("input[name=amount]:checked").count() == 0, "none chosen for them"
        assert page.input_value("#last_name") == "Hopper"
        assert no_violations(page, browser)
        page.check(".tiles[data-frequency=monthly] input[value='20']")
    continue_to_payment(page)
    page.wait_for_url("**/sandbox/checkout/**")
    assert asked_of_checkout() == [(2000, "month")]
    assert "£20.00 a month" in page.inner_text("main")


def test_a_monthly_direct_debit_says_a_month_and_can_be_managed(live_server, donor, browser):
    page = donor
    page.goto(f"{live_server}/donate/actimus?frequency=monthly&amount=10")
    about_me(page)
    continue_to_payment(page)
    page.wait_for_url("**/sandbox/checkout/**")
    page.check("input[name=method][value=bacs]")
    page.fill("#account_holder", "G Hopper")
    page.fill("#sort_code", "10-88-00")
    page.fill("#account_number", "00012345")
    page.click("button[type=submit]")
    page.wait_for_url("**/donate/thanks?session_id=*")
    main = page.inner_text("main")
    assert "Your monthly gift of £10.00 a month" in main
    assert "has not been collected yet" in main
    assert no_violations(page, browser)
    page.click("text=manage your monthly gift")
    page.wait_for_url("**/sandbox/portal/**")
    assert "£10.00 a month" in page.inner_text("main")


def test_the_empty_form_is_two_thirds_as_tall_as_it_was_and_keeps_what_is_folded(
    live_server, browser
):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/donate")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= FORM_HEIGHT_LIMIT, f"{height} px at 320 px"
    assert not page.is_visible("#message"), "the optional parts are folded away"
    page.click("summary:has-text('A name or message')")
    page.fill("#message", "For my sister")
    page.click("summary:has-text('A name or message')")  # folded again, still holding it
    continue_to_payment(page)  # nothing else filled in: refused
    page.wait_for_selector(".error-summary")
    assert page.is_visible("#message"), "shown again open, with what was typed"
    assert page.input_value("#message") == "For my sister"
    context.close()


def test_every_choice_is_a_target_a_tremor_can_hit(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/donate")
    for summary in page.locator("details > summary").all():
        summary.click()
    controls = page.locator(
        "input[type=radio]:not(.tile__input):visible, input[type=checkbox]:visible"
    )
    assert controls.count() >= 8
    for control in controls.all():
        box = control.bounding_box()
        name = control.get_attribute("id")
        large = control.get_attribute("name") in ("fund", "frequency")
        least = 44 if large else 40
        assert min(box["width"], box["height"]) >= least, f"{name}: {box}"
    for tile in page.locator(".tile__label:visible").all():
        box = tile.bounding_box()
        assert min(box["width"], box["height"]) >= 44
    context.close()


def test_the_form_by_keyboard_alone_at_400_percent_zoom(live_server, browser):
    """400% zoom on a 1280 x 1024 screen leaves 320 x 256 CSS pixels: nothing runs off the
    side, and each field reached by Tab is scrolled into view."""
    context = browser.new_context(viewport={"width": 320, "height": 256}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/donate/actimus")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    tab_to(page, "input[name=frequency]:checked")
    page.keyboard.press("ArrowDown")  # to "Every month"
    assert page.locator(".tiles:not([hidden])").get_attribute("data-frequency") == "monthly"
    tab_to(page, "input[name=amount]:checked")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.value") == "20"
    type_by_keyboard(
        page, {"#first_name": "Grace", "#last_name": "Hopper", "#email": "grace@example.org"}
    )
    in_view = page.evaluate(
        "(() => { const r = document.activeElement.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight + 1; })()"
    )
    assert in_view, "the field being typed in is on the screen"
    tab_to(page, "#news-summary")
    page.keyboard.press("Enter")
    tab_to(page, "#marketing_consent")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sandbox/checkout/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    assert asked_of_checkout() == [(2000, "month")]
    db.session.expire_all()
    assert db.session.execute(select(Donation.marketing_consent)).scalar_one() is True
    context.close()


def test_a_monthly_donor_stops_by_keyboard_and_is_asked_first(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/donate/actimus?frequency=monthly&amount=10")
    about_me(page)
    continue_to_payment(page)
    page.wait_for_url("**/sandbox/checkout/**")
    type_by_keyboard(
        page, {"#card_number": "4242 4242 4242 4242", "#expiry": "12 / 30", "#cvc": "123"}
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/donate/thanks?session_id=*")
    assert "Your monthly gift of £10.00 a month" in page.inner_text("main")
    tab_to(page, "a[href*='/donate/manage/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sandbox/portal/**")
    tab_to(page, "form:has(input[value=stop]) button")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Stop your monthly gift of £10.00?')")
    assert axe_violations(page) == []
    tab_to(page, "a[href*='/sandbox/portal/']")  # "No, keep my monthly gift" comes back
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Stop this monthly gift")
    tab_to(page, "form:has(input[value=stop]) button")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Stop your monthly gift')")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your monthly gift is stopped")
    context.close()
