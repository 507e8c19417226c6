"""A donor gives with Gift Aid by keyboard alone; axe-core finds no WCAG 2.2 AA violations."""

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation
from tests.browser.support import axe_violations, tab_to, type_by_keyboard

pytestmark = pytest.mark.browser


def test_a_gift_with_gift_aid_by_keyboard_alone(live_server, page):
    page.goto(f"{live_server}/donate/actimus")
    assert axe_violations(page) == []

    tab_to(page, "input[name=amount]")
    assert page.evaluate("document.activeElement.value") == "25", "one amount is pre-selected"
    page.keyboard.press("ArrowRight")  # arrows move and select within the group
    assert page.evaluate("document.activeElement.value") == "50"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.value") == "25"
    type_by_keyboard(
        page, {"#first_name": "Ada", "#last_name": "Lovelace", "#email": "ada@example.org"}
    )
    assert not page.is_visible("#house"), "the Gift Aid address is asked for once ticked"
    tab_to(page, "#gift_aid")
    page.keyboard.press("Space")
    assert page.is_visible("#house")
    type_by_keyboard(page, {"#house": "12", "#postcode": "sw1a 1aa"})
    tab_to(page, "#cover_fees")
    page.keyboard.press("Space")
    assert "£0.59" in page.inner_text("#cover-live")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/sandbox/checkout/**")
    assert "TEST MODE" in page.inner_text("body")
    assert axe_violations(page) == []
    type_by_keyboard(
        page, {"#card_number": "4242 4242 4242 4242", "#expiry": "12 / 30", "#cvc": "123"}
    )
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/donate/thanks?session_id=*")
    assert "£25.00 to the ACTiMuS trial is confirmed" in page.inner_text("main")
    assert axe_violations(page) == []

    donation = db.session.execute(select(Donation)).scalar_one()
    assert (donation.status, donation.amount_pence, donation.fee_cover_pence) == ("paid", 2500, 59)
    assert donation.declaration.postcode == "SW1A 1AA"


def test_the_form_showing_its_errors_is_accessible_and_focuses_the_summary(live_server, page):
    page.goto(f"{live_server}/donate")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    # donate.js is deferred: the summary is on the page before the script moves focus to it
    page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=5000)
    assert "Choose which research" in page.inner_text(".error-summary")
    assert axe_violations(page) == []
    page.click(".error-summary a[href='#first_name']")
    assert page.evaluate("document.activeElement.id") == "first_name"


def test_a_declined_card_is_explained_in_the_browser(live_server, page):
    page.goto(f"{live_server}/donate/stem-cell-audit?amount=10")
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Lovelace")
    page.fill("#email", "ada@example.org")
    page.click("button[type=submit]")
    page.wait_for_url("**/sandbox/checkout/**")
    page.fill("#card_number", "4000 0000 0000 0002")
    page.fill("#expiry", "12 / 30")
    page.fill("#cvc", "123")
    page.click("button[type=submit]")
    assert "Your card was declined" in page.inner_text(".error-summary")
    assert axe_violations(page) == []


def test_the_form_works_with_javascript_off(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/donate?fund=actimus&amount=50")
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Lovelace")
    page.fill("#email", "ada@example.org")
    page.click("button[type=submit]")
    page.wait_for_url("**/sandbox/checkout/**")
    assert "£50.00" in page.inner_text("main")
    context.close()
