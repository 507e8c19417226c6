"""A bad day as a donor meets it: the database goes away between opening the form and
sending it; the answer keeps what was typed, and once the database is back one button starts
the gift, by keyboard alone. Both 503 pages pass axe and fit at 320 and 1280 px."""

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from donations.extensions import db
from donations.gifts.models import Donation
from tests.browser.support import axe_violations, overflow, tab_to, type_by_keyboard

pytestmark = pytest.mark.browser


@pytest.fixture
def switchable(app, make_app, database_url):
    """One address whose site can lose its database and get it back (two apps sharing one
    secret key, so a visitor's session survives the switch)."""
    if database_url.startswith("postgres"):
        away_url = database_url.rsplit("@", 1)[0] + "@127.0.0.1:9/none"
    else:
        away_url = "sqlite:////nonexistent/directory/donations.db"
    away = make_app(SQLALCHEMY_DATABASE_URI=away_url)
    serving = {"app": app}

    def whichever(environ, start_response):  # the app of the moment, not the first one
        return serving["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, whichever, threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def database(up: bool) -> None:
        serving["app"] = app if up else away

    yield f"http://127.0.0.1:{server.server_port}", database
    server.shutdown()
    server.server_close()


def fits_and_passes_axe(page, name: str) -> None:
    assert overflow(page) == 0
    assert axe_violations(page) == []
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [320, 1280])
def test_the_form_sent_while_the_database_is_away_is_kept_and_sent_again(
    browser, switchable, width
):
    site, database = switchable
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site}/donate/actimus")
    page.check("input[name=amount][value=other]")
    page.fill("#other_amount", "37.50")
    type_by_keyboard(
        page, {"#first_name": "Grace", "#last_name": "Hopper", "#email": "grace@example.org"}
    )

    database(up=False)
    page.click("button[type=submit]")
    assert page.title().startswith("Please try again shortly")
    assert "nothing has been taken" in page.inner_text("main")
    fits_and_passes_axe(page, f"bad-day-form-kept-{width}")
    elsewhere = context.new_page()
    elsewhere.goto(f"{site}/funds/actimus")
    assert "Please try again shortly" in elsewhere.inner_text("h1")
    fits_and_passes_axe(elsewhere, f"bad-day-503-{width}")

    database(up=True)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sandbox/**")
    db.session.rollback()
    gift = db.session.execute(select(Donation)).scalar_one()
    assert (gift.amount_pence, gift.first_name, gift.email) == (3750, "Grace", "grace@example.org")
    context.close()
