"""The finance area in a real browser: a finance user, by keyboard alone, signs in, filters,
downloads a CSV and refunds part of a gift; every finance page fits a phone and a desktop
and passes axe-core."""

import csv
import io

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts import plans
from donations.gifts.models import Donation, Plan, PlanStatus
from donations.ledger.models import EntryKind, LedgerEntry
from tests import factories
from tests.browser.support import axe_violations, overflow, sign_in_by_keyboard, tab_to
from tests.support import STAFF_PASSWORD, give

pytestmark = pytest.mark.browser


def test_a_finance_user_filters_downloads_and_refunds_by_keyboard(live_server, page, app):
    with app.test_client() as donor:
        give(donor, amount="50")
        give(donor, amount="other", other_amount="20", email="other@example.org")
    factories.staff("finance")
    sign_in_by_keyboard(page, live_server, "finance@example.org")
    assert axe_violations(page) == []

    tab_to(page, "nav a[href='/finance/donations']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/donations")
    tab_to(page, "#filter-q")
    page.keyboard.type("other@example")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/donations?*q=other%40example*")
    assert "1 record" in page.inner_text("main")
    assert axe_violations(page) == []

    tab_to(page, "a[href*='export.csv']")
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    download = waiting.value
    with open(download.path(), encoding="utf-8-sig") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert [(row["email"], row["amount"]) for row in rows] == [("other@example.org", "20.00")]

    tab_to(page, "table a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/donations/D-*")
    assert axe_violations(page) == []
    tab_to(page, "input[name=amount]")
    page.keyboard.press("Control+a")
    page.keyboard.type("7.50")
    tab_to(page, "textarea[name=reason]")
    page.keyboard.type("Donor gave twice by mistake")
    tab_to(page, "form[action*='/refund/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=The refund is on its way")
    assert axe_violations(page) == []
    refunded = db.session.execute(
        select(LedgerEntry.amount_pence).where(LedgerEntry.kind == EntryKind.REFUND)
    ).scalars()
    assert list(refunded) == [-750]


FINANCE_PAGES = (
    "/finance/",
    "/finance/donations",
    "/finance/donations?from=not-a-date",
    "/finance/offline",
    "/finance/offline/import",
    "/finance/messages",
    "/finance/payouts",
    "/finance/erasure",
    "/finance/erasure?email=ada@example.org",
    "/finance/audit",
    "/finance/staff",
)


@pytest.fixture
def admin_with_records(app):
    with app.test_client() as donor:
        give(donor, amount="50", gift_aid="y", house="1", postcode="SW1A 1AA", message="Go on!")
        give(donor, amount="10", frequency="monthly", email="monthly@example.org")
    widest = db.session.execute(select(Donation).where(Donation.gift_aid.is_(True))).scalar_one()
    widest.reference = "D-WWWWWWWWWW"  # the widest a reference can be, in the page's heading
    monthly = db.session.execute(select(Plan)).scalar_one()
    plans.change_plan(monthly, PlanStatus.PAST_DUE, "invoice.payment_failed")  # one to chase
    db.session.commit()
    factories.staff("admin")


@pytest.mark.parametrize("width", [320, 1280])
def test_every_finance_page_fits_and_passes_axe(live_server, browser, admin_with_records, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/finance/login")
    assert axe_violations(page) == []
    page.fill("#email", "admin@example.org")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/finance/")
    reference = db.session.execute(
        select(Donation.reference).where(Donation.gift_aid.is_(True))
    ).scalar_one()
    paths = [*FINANCE_PAGES, f"/finance/donations/{reference}"]
    for path in paths:
        page.goto(live_server + path)
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    # forms showing their errors
    page.goto(f"{live_server}/finance/offline")
    page.click("text=Record this gift")
    page.wait_for_selector(".error-summary")
    assert axe_violations(page) == []
    page.goto(f"{live_server}/finance/staff")
    page.click("text=Add this account")
    page.wait_for_selector(".error-summary")
    assert axe_violations(page) == []
    context.close()
