"""The research update's staff form, field by field: each refusal said beside its field in
its own words, nothing saved; the picture kept, replaced or removed as asked."""

import io
import re
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from donations.extensions import db
from donations.images.models import StoredImage
from donations.updates.models import ResearchUpdate
from tests import factories
from tests.support import csrf_token, sign_in

NOT_TEXT = "Title cannot contain HTML or control characters."
GOOD = {"fund": "actimus", "title": "First results", "body": "The first results are in."}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def editor(app, client):
    factories.staff("editor")
    sign_in(client, "editor@example.org")
    return client


def post(client, path: str, fields: dict, image: bytes | None = None):
    data = {"csrf_token": csrf_token(client, "/finance/updates/new"), **fields}
    if image is not None:
        data["image"] = (io.BytesIO(image), "lab.png")
    environ = EnvironBuilder(path=path, method="POST", data=data).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def error_beside(html: str, field: str) -> str | None:
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    return (
        unescape(re.sub(r"<[^>]+>", "", found[1])).replace("Error:", "").strip() if found else None
    )


def saved() -> list[ResearchUpdate]:
    db.session.rollback()
    return list(db.session.execute(select(ResearchUpdate)).scalars())


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        (
            {"title": "First\x07results"},
            "title",
            "Title cannot contain HTML or control characters.",
        ),
        ({"title": "<b>First</b>"}, "title", "Title cannot contain HTML or control characters."),
        ({"title": "x" * 151}, "title", "Field cannot be longer than 150 characters."),
        ({"title": ""}, "title", "Give the update a title."),
        ({"body": "Results\x00here"}, "body", "The update cannot contain control characters."),
        ({"body": ""}, "body", "Write the update."),
        ({"fund": ""}, "fund", "Choose the fund the update is about."),
        ({"fund": "no-such-fund"}, "fund", "Choose the fund the update is about."),
        (
            {"image_alt": "A lab\x1b[31m"},
            "image_alt",
            "What the image shows cannot contain HTML or control characters.",
        ),
    ],
)
def test_each_refusal_is_said_beside_its_field_and_nothing_is_saved(editor, changes, field, said):
    refused = post(editor, "/finance/updates/new", {**GOOD, **changes})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert error_beside(html, field) == said
    assert saved() == []


def test_a_tab_in_the_body_is_words_not_a_control_character(editor):
    done = post(editor, "/finance/updates/new", {**GOOD, "body": "Step\tone"})
    assert done.status_code == 303
    [update] = saved()
    assert update.body == "Step\tone"


def test_the_picture_needs_words_and_is_kept_replaced_or_removed_as_asked(editor):
    without_words = post(editor, "/finance/updates/new", GOOD, image=png())
    assert without_words.status_code == 400
    assert error_beside(without_words.get_data(as_text=True), "image_alt") == (
        "Say what the image shows, for people who cannot see it."
    )
    assert saved() == []
    assert db.session.execute(select(StoredImage)).all() == [], "a refused picture is not kept"

    made = post(editor, "/finance/updates/new", {**GOOD, "image_alt": "A lab bench"}, image=png())
    assert made.status_code == 303
    [update] = saved()
    first_image = update.image_id
    assert first_image is not None
    assert update.image_alt == "A lab bench"
    path = made.headers["Location"]

    kept = post(editor, path, {**GOOD, "title": "Renamed", "image_alt": "A lab bench"})
    assert kept.status_code == 303
    [update] = saved()
    assert (update.title, update.image_id) == ("Renamed", first_image)

    no_words = post(editor, path, {**GOOD, "image_alt": ""})
    assert no_words.status_code == 400, "a kept picture still needs its words"

    replaced = post(editor, path, {**GOOD, "image_alt": "A new bench"}, image=png())
    assert replaced.status_code == 303
    [update] = saved()
    assert update.image_id not in (None, first_image)
    assert db.session.get(StoredImage, first_image) is None, "the replaced picture is deleted"

    removed = post(editor, path, {**GOOD, "image_alt": "ignored", "remove_image": "y"})
    assert removed.status_code == 303
    [update] = saved()
    assert (update.image_id, update.image_alt) == (None, "")


def test_the_form_for_an_update_holds_what_is_there_now(editor):
    post(editor, "/finance/updates/new", {**GOOD, "fund": "stem-cell-audit"})
    [update] = saved()
    html = editor.get(f"/finance/updates/{update.id}").get_data(as_text=True)
    assert 'value="stem-cell-audit" checked' in html or 'value="stem-cell-audit" checked' in html
    assert 'value="First results"' in html
    assert "The first results are in." in html
    fresh = editor.get("/finance/updates/new?fund=actimus").get_data(as_text=True)
    assert re.search(r'value="actimus"[^>]*checked', fresh)


def test_a_preview_shows_the_words_as_donors_will_and_saves_nothing(editor):
    shown = post(
        editor, "/finance/updates/new", {**GOOD, "body": "**Bold** news", "action": "preview"}
    )
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Preview (not saved yet)" in html
    assert "<strong>Bold</strong> news" in html
    assert saved() == []


def test_the_form_offers_each_fund_by_name_and_shows_the_saved_picture(editor):
    html = editor.get("/finance/updates/new").get_data(as_text=True)
    assert re.search(r'value="actimus"[^>]*>\s*<label[^>]*>ACTiMuS trial</label>', html)
    made = post(editor, "/finance/updates/new", {**GOOD, "image_alt": "A lab bench"}, image=png())
    page = editor.get(made.headers["Location"]).get_data(as_text=True)
    [update] = saved()
    assert f"/images/{update.image_id}/" in page
    assert 'alt="A lab bench"' in page
    assert "A new image" in page
