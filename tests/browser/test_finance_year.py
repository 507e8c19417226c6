"""The finance director's year in a real browser: donors and merging, the column-choosing
step, thank-you letters, small donations, the trustees' figures and the payout's journal.
Every new page fits a phone and a desktop and passes axe-core; each is used by keyboard."""

import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donor
from donations.receipts.models import LetterBatch, ThankYouLetter
from tests import factories
from tests.browser.support import axe_violations, overflow, sign_in_by_keyboard, tab_to
from tests.support import STAFF_PASSWORD, give

pytestmark = pytest.mark.browser

BANK_FILE = (
    "Date;Payer forename;Payer surname;Amount;Bank ref;Campaign;Paid by\r\n"
    "02/11/2026;Zoë;Brontë;£50.00;BGC-1;ACTiMuS trial;Cheque\r\n"
).encode("cp1252")


def cheque(first: str, last: str, reference: str, **changes) -> int:
    """A cheque with Gift Aid declared by phone; its donor's number."""
    declared = {"gift_aid": True, "house": "14", "postcode": "SW1A 1AA", "declared_by": "phone"}
    values = {**declared, "declared_on": date(2026, 11, 1), **changes}
    donation = factories.offline_gift(
        first_name=first, last_name=last, receipt_reference=reference, **values
    )
    return donation.donor_id


@pytest.fixture
def a_year(app, runner):
    first = cheque("Alice", "Smith", "CHQ-1")
    second = cheque("alice", "smith", "CHQ-2", gift_aid=False, method="cash")
    with app.test_client() as donor:
        give(donor, amount="50", gift_aid="y", house="1", postcode="SW1A 1AA")
    assert runner.invoke(args=["sandbox", "payout"]).exit_code == 0
    factories.staff("admin")
    return first, second


def shot(page, name: str) -> None:
    """Screenshots for a person to look at, when SCREENSHOTS names a folder."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def checked(page, path: str, name: str) -> None:
    assert overflow(page) == 0, path
    assert axe_violations(page) == [], path
    shot(page, name)


@pytest.mark.parametrize("width", [320, 1280])
def test_every_new_page_fits_and_passes_axe(live_server, browser, a_year, width, tmp_path):
    first, second = a_year
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/finance/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/finance/")
    pages = {
        "donors": "/finance/donors",
        "donors-search": "/finance/donors?q=smith",
        "donors-error": "/finance/donors?q=" + "x" * 101,
        "donor": f"/finance/donors/{first}",
        "merge": f"/finance/donors/{first}/merge?other={second}",
        "merge-error": f"/finance/donors/{first}/merge?other=abc",
        "trustees": "/finance/trustees",
        "gift-aid": "/finance/gift-aid",
        "letters": "/finance/offline/letters?from=2026-11-01&to=2026-11-30",
        "letters-error": "/finance/offline/letters?from=2026-11-30&to=2026-11-01",
        "payouts": "/finance/payouts",
    }
    for name, path in pages.items():
        page.goto(live_server + path)
        checked(page, path, f"{name}-{width}")
    page.goto(f"{live_server}/finance/payouts")
    assert page.get_attribute("a[href$='/journal.csv']", "download") is not None

    page.goto(f"{live_server}/finance/donors/{first}/merge?other={second}")
    page.click("text=Merge donor")  # not ticked: the error beside the box
    page.wait_for_selector(".error-summary")
    checked(page, "merge without confirming", f"merge-unconfirmed-{width}")

    page.goto(f"{live_server}/finance/donors/{second}")
    page.click("text=Record a Gift Aid declaration made by phone or on paper")
    page.click("text=Record the declaration")  # no house or postcode yet: errors
    page.wait_for_selector("#declare .error-summary")
    checked(page, "declaration with errors", f"declaration-errors-{width}")

    upload = tmp_path / "bank.csv"
    upload.write_bytes(BANK_FILE)
    page.goto(f"{live_server}/finance/offline/import")
    page.set_input_files("#file", str(upload))
    page.click("text=Check and import")
    page.wait_for_selector("text=Which column is which?")
    checked(page, "columns", f"columns-{width}")
    page.click("text=Check and import")  # nothing chosen for the names: errors beside them
    page.wait_for_selector(".error-summary")
    checked(page, "columns with errors", f"columns-errors-{width}")
    context.close()


def test_a_finance_user_merges_two_records_of_one_person_by_keyboard(live_server, page, a_year):
    first, second = a_year
    sign_in_by_keyboard(page, live_server, "admin@example.org")
    tab_to(page, "nav a[href='/finance/donors']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/donors")
    tab_to(page, "#donor-q")
    page.keyboard.type("alice smith")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finance/donors?q=alice+smith")
    assert "2 donors found" in page.inner_text("main")
    tab_to(page, f"a[href='/finance/donors/{first}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/finance/donors/{first}")
    tab_to(page, "#merge-other")
    page.keyboard.type(str(second))
    page.keyboard.press("Enter")
    page.wait_for_selector("text=What will happen")
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    tab_to(page, "form[action$='/merge'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text=Donor {second} is now part of this donor's record.")
    assert axe_violations(page) == []
    db.session.rollback()
    assert db.session.get(Donor, second) is None


def test_letters_are_made_and_downloaded_by_keyboard(live_server, page, a_year):
    sign_in_by_keyboard(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/finance/offline/letters?from=2026-11-01&to=2026-11-30")
    assert "2 letters to print" in page.inner_text("main")
    tab_to(page, "form[action='/finance/offline/letters'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=is ready: download its PDF below")
    db.session.rollback()
    batch = db.session.execute(select(LetterBatch.id)).scalar_one()
    tab_to(page, f"a[href$='/letters/{batch}.pdf']")
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    assert Path(waiting.value.path()).read_bytes().startswith(b"%PDF")
    db.session.rollback()
    assert len(db.session.execute(select(ThankYouLetter)).all()) == 2


def test_columns_are_chosen_and_the_year_downloaded_by_keyboard(
    live_server, page, a_year, tmp_path
):
    sign_in_by_keyboard(page, live_server, "admin@example.org")
    upload = tmp_path / "bank.csv"
    upload.write_bytes(BANK_FILE)
    page.goto(f"{live_server}/finance/offline/import")
    page.set_input_files("#file", str(upload))  # a file is chosen in the system's own dialog
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Which column is which?")
    for column, option in {
        "#column-first_name": "Payer forename",
        "#column-last_name": "Payer surname",
        "#column-receipt_reference": "Bank ref",
        "#column-fund": "Campaign",
        "#column-method": "Paid by",
    }.items():
        tab_to(page, column)
        while page.eval_on_selector(column, "s => s.value") != option:
            page.keyboard.press("ArrowDown")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Imported 1 gift from bank.csv")

    page.goto(f"{live_server}/finance/trustees")
    tab_to(page, "a[href*='trustees.xlsx']")
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    assert Path(waiting.value.path()).read_bytes().startswith(b"PK")


def test_a_declaration_by_phone_is_recorded_by_keyboard(live_server, page, a_year):
    _, second = a_year
    sign_in_by_keyboard(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/finance/donors/{second}")
    tab_to(page, "#declare summary")
    page.keyboard.press("Enter")
    tab_to(page, "#declare-house")
    page.keyboard.type("7")
    tab_to(page, "#declare-postcode")
    page.keyboard.type("HX7 8AB")
    tab_to(page, "#declare button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=It covers 1 earlier gift of this donor")
    assert axe_violations(page) == []
