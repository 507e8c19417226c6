"""Appeals in a real browser: an editor makes one with an image and a story by keyboard, a
donor gives through its page, and every page shows the gift; every new page, public and
staff, fits a phone and a desktop and passes axe-core."""

import csv
import io

import pytest
from PIL import Image

from donations.funds import services as funds
from donations.transaction import commit
from tests import factories
from tests.browser.support import (
    axe_violations,
    give_through_the_page,
    overflow,
    tab_to,
    type_by_keyboard,
)
from tests.support import STAFF_PASSWORD, sign_in

pytestmark = pytest.mark.browser


def photograph(tmp_path) -> str:
    path = tmp_path / "lab.jpg"
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(path, "JPEG")
    return str(path)


def test_an_editor_runs_an_appeal_and_a_donor_gives_through_it(live_server, page, app, tmp_path):
    factories.staff("editor")
    page.goto(f"{live_server}/finance/")
    type_by_keyboard(page, {"#email": "editor@example.org", "#password": STAFF_PASSWORD})
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/finance/funds")

    tab_to(page, "nav a[href='/finance/appeals']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/appeals")
    tab_to(page, "a[href='/finance/appeals/new']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/appeals/new")
    assert axe_violations(page) == []
    type_by_keyboard(
        page,
        {
            "#name": "Winter appeal 2026",
            "#slug": "winter-appeal-2026",
        },
    )
    tab_to(page, "input[name=fund]")
    for _ in range(3):  # arrows move through a radio group, choosing as they go
        if page.is_checked("input[name=fund][value=actimus]"):
            break
        page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=fund][value=actimus]")
    type_by_keyboard(
        page,
        {
            "#summary": "Help the ACTiMuS trial through the winter.",
            "#story": "## Why now\n\nThe trial needs **you** this winter.",
            "#goal": "20,000",
        },
    )
    page.set_input_files("#image", photograph(tmp_path))
    type_by_keyboard(page, {"#image_alt": "A researcher at a microscope"})
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/appeals/winter-appeal-2026")
    assert "is saved" in page.inner_text("main")
    assert axe_violations(page) == []

    for path in ("/finance/donations", "/finance/donations/export.csv", "/finance/erasure"):
        response = page.goto(live_server + path)
        assert response.status == 403, path

    donor = page.context.browser.new_context(bypass_csp=True).new_page()
    donor.goto(f"{live_server}/appeals/winter-appeal-2026")
    assert donor.locator("img.story-image").get_attribute("alt") == "A researcher at a microscope"
    assert donor.locator(".story h2").inner_text() == "Why now"
    donor.click("text=Give to Winter appeal 2026")
    donor.wait_for_url("**/donate?appeal=winter-appeal-2026")
    assert "goes to the ACTiMuS trial" in donor.inner_text("main")
    give_through_the_page(donor, "50", ("Ada", "Lovelace", "ada@example.org"))

    for path in ("/appeals/winter-appeal-2026", "/funds/actimus"):
        donor.goto(live_server + path)
        assert "£50.00 raised" in donor.inner_text("main"), path
    appeal_json = donor.goto(f"{live_server}/api/appeals/winter-appeal-2026").json()
    fund_json = donor.goto(f"{live_server}/api/funds/actimus").json()
    assert (appeal_json["raised_pence"], appeal_json["fund"]) == (5000, "actimus")
    assert fund_json["raised_pence"] == 5000
    donor.context.close()

    factories.staff("finance")
    with app.test_client() as finance:
        sign_in(finance, "finance@example.org")
        exported = finance.get("/finance/donations/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(row["appeal"], row["amount"]) for row in rows] == [("winter-appeal-2026", "50.00")]


@pytest.fixture
def appeal_with_image(app, tmp_path):
    from donations.images import services as images  # noqa: PLC0415

    with open(photograph(tmp_path), "rb") as upload:
        stored = images.store(upload.read())
    appeal = factories.appeal(
        name="A winter appeal with a rather long name for a phone",
        image_id=stored.id,
        image_alt="A researcher at a microscope",
        story="## Why now\n\n" + "The trial needs you. " * 30,
    )
    factories.payment(through=appeal, display_name="Friends of ACTiMuS", message="Go on!")
    closed = factories.appeal("autumn-appeal", name="Autumn appeal")
    funds.close(closed)
    commit()
    factories.staff("editor")
    return appeal


PUBLIC = (
    "/",
    "/funds/actimus",
    "/appeals/winter-appeal",
    "/appeals/autumn-appeal",
    "/appeals/winter-appeal/embed",
    "/embed/appeals/winter-appeal",
    "/donate?appeal=winter-appeal",
    "/donate?appeal=autumn-appeal",
)
STAFF = (
    "/finance/funds",
    "/finance/appeals",
    "/finance/appeals/new",
    "/finance/appeals/winter-appeal",
    "/finance/funds/actimus",
    "/finance/funds/new",
)


@pytest.mark.parametrize("width", [320, 1280])
def test_every_new_page_fits_and_passes_axe(live_server, browser, appeal_with_image, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    for path in PUBLIC:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path

    page.goto(f"{live_server}/finance/login")
    page.fill("#email", "editor@example.org")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/finance/funds")
    for path in STAFF:
        page.goto(live_server + path)
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
    page.goto(f"{live_server}/finance/appeals/new")
    page.click("button[value=save]")
    page.wait_for_selector(".error-summary")
    assert overflow(page) == 0
    assert axe_violations(page) == []
    context.close()
