"""A supporter's page in a real browser: started by keyboard, confirmed from the link in the
outbox, approved by staff, given to by a donor; every new page fits a phone and a desktop
and passes axe-core."""

import email
import email.policy
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.funds import fundraisers
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import send_queued
from donations.transaction import commit
from tests import factories
from tests.browser.support import (
    axe_violations,
    give_through_the_page,
    overflow,
    tab_to,
    type_by_keyboard,
)
from tests.support import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def outbox_to(address: str) -> list[tuple[str, str]]:
    """(subject, body) of each message to the address, read in a transaction of its own (so
    the test never holds SQLite's snapshot while the server writes)."""
    db.session.rollback()
    statement = select(OutboxMessage.subject, OutboxMessage.body).where(
        OutboxMessage.to_address == address
    )
    found = [tuple(row) for row in db.session.execute(statement.order_by(OutboxMessage.id))]
    db.session.rollback()
    return found


def test_a_supporter_starts_a_page_staff_approve_it_and_a_donor_gives(live_server, page, app):
    page.goto(f"{live_server}/funds/actimus")
    page.click("text=Raise money for this research with a page of your own")
    page.wait_for_url("**/fundraising/start?fund=actimus")
    assert page.is_checked("input[name=given_to][value='fund:actimus']")
    type_by_keyboard(
        page,
        {
            "#first_name": "Ada",
            "#last_name": "Runner",
            "#email": "ada@example.org",
            "#slug": "ada-runs-london",
            "#title": "Ada runs the London Marathon",
            "#story": "I run for my mum, who has **progressive MS**.",
            "#target": "500",
        },
    )
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Check your e-mail")
    assert axe_violations(page) == []

    [(_, confirm)] = outbox_to("ada@example.org")
    link = re.search(r"http://[^/]+(/fundraising/\S+/manage/\S+)", confirm).group(1)
    page.goto(live_server + link)
    assert "waiting for the charity" in page.inner_text("main")
    assert axe_violations(page) == []

    factories.staff("editor")
    staff = page.context.browser.new_context(bypass_csp=True).new_page()
    staff.goto(f"{live_server}/finance/login")
    staff.fill("#email", "editor@example.org")
    staff.fill("#password", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_url("**/finance/funds")
    staff.goto(f"{live_server}/finance/fundraising")
    assert axe_violations(staff) == []
    staff.click("button[value=approve]")
    staff.wait_for_selector("text=Ada runs the London Marathon: public")
    staff.context.close()

    donor = page.context.browser.new_context(bypass_csp=True).new_page()
    donor.goto(f"{live_server}/fundraising/ada-runs-london")
    assert "Ada Runner is raising money for the ACTiMuS trial" in donor.inner_text("main")
    donor.click("text=Give to Ada's page")
    donor.wait_for_url("**/donate?fundraiser=ada-runs-london")
    assert "Ada Runner's page" in donor.inner_text("main")
    give_through_the_page(donor, "25", ("Bo", "Giver", "bo@example.org"))

    for path in ("/fundraising/ada-runs-london", "/funds/actimus"):
        donor.goto(live_server + path)
        assert "£25.00 raised" in donor.inner_text("main"), path
    assert "Ada runs the London Marathon" in donor.inner_text("main"), "on the fund's leaderboard"
    page_json = donor.goto(f"{live_server}/api/fundraising/ada-runs-london").json()
    fund_json = donor.goto(f"{live_server}/api/funds/actimus").json()
    assert (page_json["raised_pence"], fund_json["raised_pence"]) == (2500, 2500)
    donor.context.close()

    told = [subject for subject, _ in outbox_to("ada@example.org")]
    assert told == [
        "Confirm your fundraising page",
        "Your fundraising page is live",
        "A gift of £25.00 to your page",
    ]
    send_queued()  # what `flask outbox work` does beside the site
    delivered = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    ]
    gift_mail = [m for m in delivered if m["Subject"] == "A gift of £25.00 to your page"]
    assert [m["To"] for m in gift_mail] == ["ada@example.org"]
    assert "has given £25.00 through your page" in gift_mail[0].get_content()


@pytest.fixture
def a_live_page(app):
    appeal = factories.appeal()
    supporter = factories.fundraiser(
        given_to=appeal, name="Wolfeschlegelsteinhausenbergerdorff runs a very long way"
    )
    factories.payment(through=supporter, display_name="Uncle Bob", message="Go on!")
    factories.staff("admin")
    return fundraisers.edit_token(supporter)


@pytest.mark.parametrize("width", [320, 1280])
def test_every_new_page_fits_and_passes_axe(live_server, browser, a_live_page, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    for path in (
        "/fundraising/start",
        "/fundraising/link",
        "/fundraising/ada-runs",
        "/fundraising/ada-runs/embed",
        "/embed/fundraising/ada-runs",
        "/donate?fundraiser=ada-runs",
        f"/fundraising/ada-runs/manage/{a_live_page}",
        "/fundraising/ada-runs/manage/not-a-link",
        "/funds/actimus",
        "/appeals/winter-appeal",
    ):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    page.goto(f"{live_server}/fundraising/start")
    page.click("button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert overflow(page) == 0
    assert axe_violations(page) == []

    page.goto(f"{live_server}/finance/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/finance/")
    for path in ("/finance/fundraising", "/finance/fundraising/ada-runs"):
        page.goto(live_server + path)
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    context.close()


def test_starting_a_page_needs_no_mouse(live_server, page, app):
    commit()
    page.goto(f"{live_server}/fundraising/start")
    tab_to(page, "input[name=given_to]")
    page.keyboard.press("Space")
    type_by_keyboard(
        page,
        {
            "#first_name": "Bo",
            "#last_name": "Baker",
            "#email": "bo@example.org",
            "#slug": "bo-bakes",
            "#title": "Bo bakes",
            "#story": "Cakes for research.",
            "#target": "100",
        },
    )
    page.keyboard.press("Enter")  # in a text field, Enter sends the form
    page.wait_for_selector("text=Check your e-mail")
    assert [subject for subject, _ in outbox_to("bo@example.org")] == [
        "Confirm your fundraising page"
    ]
