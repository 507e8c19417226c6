"""Gift Aid claims in a real browser, by keyboard alone: a finance user checks a period,
sees a row HMRC would refuse, fixes the donor, creates the claim and downloads the
schedule; each page passes axe-core, at a phone's width and a desktop's."""

import io

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from donations.claims.models import GiftAidClaim
from donations.extensions import db
from donations.gifts.links import gift_aid_token
from donations.gifts.models import Donation
from tests import factories
from tests.browser.support import axe_violations, overflow, sign_in_by_keyboard, tab_to
from tests.support import STAFF_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def gifts_to_claim(app):
    factories.payment(amount_pence=2500, gift_aid=True, title="Mr.", last_name="Smith-Jones")
    factories.payment(
        amount_pence=4000,
        gift_aid=True,
        email="zed@example.org",
        first_name="Zed",
        last_name="Хрущёва-Щербакова-Шапошниковых",
    )


def test_a_finance_user_builds_a_claim_fixes_a_donor_and_downloads_the_schedule(
    live_server, page, gifts_to_claim
):
    factories.staff("finance")
    sign_in_by_keyboard(page, live_server, "finance@example.org")
    tab_to(page, "nav a[href='/finance/gift-aid']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/gift-aid")
    assert axe_violations(page) == []
    tab_to(page, "form[aria-label='Choose the period to claim'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/gift-aid?from=*")
    main = page.inner_text("main")
    assert "2 gifts may be claimed" in main
    assert "Last name is 40 characters; HMRC takes at most 35." in main
    assert axe_violations(page) == []

    tab_to(page, "a[href*='/finance/gift-aid/declarations/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/gift-aid/declarations/**")
    assert axe_violations(page) == []
    tab_to(page, "#last_name")
    page.keyboard.press("Control+a")
    page.keyboard.type("Khrushcheva")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/gift-aid?from=*")
    assert "HMRC would refuse 1 row" not in page.inner_text("main")
    assert "corrected" in page.inner_text("main")

    tab_to(page, "form[action='/finance/gift-aid'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/gift-aid/GA-*")
    assert axe_violations(page) == []
    tab_to(page, "a[href$='/schedule.ods']")
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    download = waiting.value
    with open(download.path(), "rb") as saved:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(saved.read())).get_sheet_by_name(
            "R68GAD_V1_00_0_EN"
        )
    rows = [row for row in sheet.to_python(skip_empty_area=False)[24:] if any(row)]
    assert sorted((row[2], row[4], row[10]) for row in rows) == [
        ("", "Khrushcheva", 40.0),
        ("Mr", "Smith Jones", 25.0),
    ]
    assert db.session.execute(select(GiftAidClaim.status)).scalar_one() == "draft"


@pytest.mark.parametrize("width", [320, 1280])
def test_the_gift_aid_pages_fit_and_pass_axe(live_server, browser, app, gifts_to_claim, width):
    factories.staff("finance")
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/finance/login")
    page.fill("#email", "finance@example.org")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/finance/")
    page.goto(f"{live_server}/finance/gift-aid?from=2026-01-01&to=2026-01-02")
    page.goto(f"{live_server}/finance/gift-aid")
    page.click("text=Check these gifts")
    page.wait_for_url("**/finance/gift-aid?from=*")
    paths = [page.url.removeprefix(live_server)]
    page.click("text=Create a draft claim")
    page.wait_for_url("**/finance/gift-aid/GA-*")
    paths.append(page.url.removeprefix(live_server))
    page.click("a[href*='/declarations/']")
    paths.append(page.url.removeprefix(live_server))
    page.fill("#last_name", "")
    page.click("text=Save the correction")
    page.wait_for_selector(".error-summary")
    assert axe_violations(page) == []
    donation = db.session.execute(select(Donation)).scalars().first()
    with app.test_request_context():
        paths.append(f"/gift-aid/stop/{gift_aid_token(donation)}")  # the donor's page
    for path in ["/finance/gift-aid", "/finance/gift-aid?from=x", *paths]:
        page.goto(live_server + path)
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    context.close()
