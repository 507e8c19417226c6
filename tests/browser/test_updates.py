"""Research updates in a real browser: an editor writes one by keyboard, previews it, sends a
test copy, publishes and e-mails it; the e-mail reads well at 320 and 600 px; its one-click
link stops updates; every new page fits a phone and a desktop and passes axe-core."""

import os
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from PIL import Image

from donations.images import services as images
from donations.receipts.outbox import send_queued
from donations.transaction import commit
from donations.updates import services
from tests import factories
from tests.browser.support import (
    axe_violations,
    follow_by_keyboard,
    overflow,
    sign_in_by_keyboard,
    tab_to,
    type_by_keyboard,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the screenshots go: SCREENSHOTS names a folder to keep them in to look at."""
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def update_emails(app) -> list:
    """The research updates the outbox wrote (no mail server: .eml files), parsed."""
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["List-Unsubscribe"] or message["Subject"].startswith("[Test]"):
            found.append(message)
    return found


def test_an_editor_writes_tests_and_publishes_an_update_and_a_reader_stops_it(
    live_server, page, app
):
    for n in range(2):
        factories.payment(email=f"reader{n}@example.org", marketing_consent=True)
    factories.payment(email="quiet@example.org", marketing_consent=False)
    factories.staff("editor")
    sign_in_by_keyboard(page, live_server, "editor@example.org", lands_on="/finance/funds")
    follow_by_keyboard(page, "nav a[href='/finance/updates']")
    follow_by_keyboard(page, "a[href='/finance/updates/new']")
    tab_to(page, "input[name=fund]")
    for _ in range(3):
        if page.is_checked("input[name=fund][value=actimus]"):
            break
        page.keyboard.press("ArrowDown")
    type_by_keyboard(
        page,
        {
            "#title": "The first patients are treated",
            "#body": "## What happened\n\nTwo people had their **own** cells back.",
        },
    )
    tab_to(page, "button[value=preview]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".preview-story")
    assert "own" in page.inner_text(".preview-story strong")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/finance/updates/\d+$"))
    assert "2 donors of the ACTiMuS trial asked for research updates" in page.inner_text("main")

    page.click("text=Send a test copy to me")
    page.wait_for_selector("text=A test copy is on its way to editor@example.org")
    [test_copy] = update_emails(app)
    assert test_copy["To"] == "editor@example.org"

    page.check("#send")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Its e-mail is queued for 2 donors")
    send_queued(bulk=True)
    page.reload()
    assert "2 sent" in page.inner_text("main")

    emails = [m for m in update_emails(app) if not m["Subject"].startswith("[Test]")]
    assert sorted(m["To"] for m in emails) == ["reader0@example.org", "reader1@example.org"]
    reader = page.context.browser.new_context(bypass_csp=True).new_page()
    reader.goto(f"{live_server}/funds/actimus")
    assert "The first patients are treated" in reader.inner_text("#update-1")
    unsubscribe = (
        emails[0]["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", live_server)
    )
    reader.goto(unsubscribe)
    reader.click("text=Stop all research updates")
    reader.wait_for_selector("text=You will get no more research updates")
    assert services.recipient_count(factories.fund("actimus").id) == 1
    reader.context.close()


@pytest.fixture
def update_world(app, tmp_path):
    photo = tmp_path / "lab.jpg"
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(photo, "JPEG")
    stored = images.store(photo.read_bytes())
    for n in range(2):
        factories.payment(email=f"reader{n}@example.org", marketing_consent=True)
    published = services.save(
        None,
        fund_id=factories.fund("actimus").id,
        title="The first patients are treated, and what the team learnt from it",
        body="## What happened\n\n"
        + "The team treated the first people in the trial. " * 12
        + "\n\n- a list\n- of findings\n\n[Read the paper](https://example.org/a/very/long/link/to/a/paper/that/goes/on)",
        image_id=stored.id,
        image_alt="A researcher at a microscope",
    )
    services.publish(published, send=True)
    draft = services.save(None, fund_id=published.fund_id, title="Not yet", body="Draft")
    commit()
    send_queued(bulk=True)
    factories.staff("editor")
    return published, draft, update_emails(app)


def test_the_email_reads_at_320_and_600_pixels(browser, update_world, shots):
    [email, _] = update_world[2]
    html = email.get_body(("html",)).get_content()
    for width in (320, 600):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.set_content(html)
        assert overflow(page) == 0, width
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "17px"
        assert axe_violations(page) == [], width
        page.screenshot(path=str(shots / f"email-{width}.png"), full_page=True)
        context.close()
    text = email.get_body(("plain",)).get_content()
    assert "Stop all research updates:" in text
    assert "registered charity" in text.lower()


@pytest.mark.parametrize("width", [320, 1280])
def test_every_new_page_fits_and_passes_axe(live_server, page, update_world, width, shots):
    published, draft, [email, _] = update_world
    html = email.get_body(("html",)).get_content()
    unsubscribe = re.search(r'href="http://127.0.0.1:5000(/unsubscribe/[^"]+)"', html).group(1)
    preferences = re.search(
        r'href="http://127.0.0.1:5000(/updates/preferences/[^"]+)"', html
    ).group(1)
    page.set_viewport_size({"width": width, "height": 800})
    public = (
        "/funds/actimus",
        "/funds/actimus/updates",
        preferences,
        unsubscribe,
        "/unsubscribe/example",
    )
    for n, path in enumerate(public):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
        page.screenshot(path=str(shots / f"public-{n}-{width}.png"), full_page=True)
    page.goto(live_server + preferences)
    page.click("button:has-text('Save my choices')")
    page.wait_for_selector("text=Saved.")
    assert axe_violations(page) == []
    page.goto(live_server + unsubscribe)
    page.click("text=Stop all research updates")
    page.wait_for_selector("text=You will get no more research updates")
    assert overflow(page) == 0
    assert axe_violations(page) == []

    sign_in_by_keyboard(page, live_server, "editor@example.org", lands_on="/finance/funds")
    staff = (
        "/finance/updates",
        "/finance/updates/new",
        f"/finance/updates/{published.id}",
        f"/finance/updates/{draft.id}",
    )
    for n, path in enumerate(staff):
        page.goto(live_server + path)
        assert overflow(page) == 0, path
        assert axe_violations(page) == [], path
        page.screenshot(path=str(shots / f"staff-{n}-{width}.png"), full_page=True)
    page.goto(f"{live_server}/finance/updates/new")
    page.click("button[value=save]")
    page.wait_for_selector(".error-summary")
    assert overflow(page) == 0
    assert axe_violations(page) == []
