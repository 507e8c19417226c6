"""Funds and appeals run by staff: editors and admins create and change them, every change
audited with what it replaced; editors see nothing of donors or money."""

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from donations.extensions import db
from donations.funds import services as funds
from donations.funds.models import Appeal
from donations.images.models import StoredImage
from donations.page_cache import RenderedCache
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import count, csrf_token, sign_in

NEW_APPEAL = {
    "name": "Winter appeal 2026",
    "slug": "winter-appeal-2026",
    "fund": "actimus",
    "summary": "Help the ACTiMuS trial through the winter.",
    "story": "## Why now\n\nThe trial needs **you** this winter.",
    "goal": "20,000",
    "closes_on": "2099-01-31",
    "image_alt": "A researcher at a microscope",
}


def png(width=640, height=480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def signed_in_as(client, role: str):
    factories.staff(role)
    response = sign_in(client, f"{role}@example.org")
    assert response.status_code == 303
    return response


def post_page(client, path: str, fields: dict, image: tuple[bytes, str] | None = None):
    data = {"csrf_token": csrf_token(client, "/finance/appeals/new"), **fields}
    if image is not None:
        data["image"] = (io.BytesIO(image[0]), image[1])
    # the builder's own copy of a large body is a temporary file only it can close
    environ = EnvironBuilder(path=path, method="POST", data=data).get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def audited(action: str) -> list[dict]:
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).scalars()
    return [json.loads(entry.detail) for entry in entries]


def test_an_editor_lands_on_the_pages_and_creates_an_appeal_with_an_image_and_a_story(client):
    landed = signed_in_as(client, "editor")
    assert landed.headers["Location"] == "/finance/funds"
    response = post_page(client, "/finance/appeals/new", NEW_APPEAL, (png(), "lab.png"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == "/finance/appeals/winter-appeal-2026"

    appeal = funds.appeal_by_slug("winter-appeal-2026")
    assert (appeal.fund.slug, appeal.goal_pence) == ("actimus", 2_000_000)
    assert audited("appeal_created")[0]["after"]["name"] == "Winter appeal 2026"
    page = client.get("/appeals/winter-appeal-2026").get_data(as_text=True)
    assert "<h2>Why now</h2>" in page
    assert 'alt="A researcher at a microscope"' in page
    assert (
        f'srcset="/images/{appeal.image_id}/480.webp 480w, /images/{appeal.image_id}/640.webp 640w"'
        in page
    )


def test_a_change_is_audited_with_what_it_replaced(client):
    signed_in_as(client, "admin")
    factories.appeal()
    edit = {**NEW_APPEAL, "name": "Winter appeal", "goal": "15000", "fund": "actimus"}
    edit.pop("slug")
    response = post_page(client, "/finance/appeals/winter-appeal", edit)
    assert response.status_code == 303, response.get_data(as_text=True)
    change = audited("appeal_changed")[-1]
    assert change["before"]["goal_pence"] == 1_000_000
    assert change["after"]["goal_pence"] == 1_500_000
    assert change["before"]["story"] == "Help us finish the trial."
    assert "name" not in change["before"], "only what changed"


def test_closing_and_hiding_are_audited_and_said(client):
    signed_in_as(client, "editor")
    data = {"csrf_token": csrf_token(client, "/finance/funds"), "change": "close"}
    response = client.post("/finance/funds/actimus/state", data=data)
    assert response.status_code == 303
    assert funds.status_of(factories.fund("actimus")) is funds.Status.CLOSED
    assert "closed" in client.get("/finance/funds/actimus").get_data(as_text=True)
    data["change"] = "hide"
    assert client.post("/finance/funds/actimus/state", data=data).status_code == 303
    db.session.rollback()  # a fresh read, after the request's own transaction
    assert factories.fund("actimus").hidden
    changes = audited("fund_changed")
    assert changes[0]["before"] == {"closed_at": None}
    assert changes[1] == {"after": {"hidden": True}, "before": {"hidden": False}}
    data["change"] = "explode"
    assert client.post("/finance/funds/actimus/state", data=data).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/finance/donations",
        "/finance/donations/export.csv",
        "/finance/donations/export.xlsx",
        "/finance/offline",
        "/finance/gift-aid",
        "/finance/payouts",
        "/finance/erasure",
        "/finance/messages",
        "/finance/audit",
        "/finance/staff",
    ],
)
def test_an_editor_cannot_open_donors_or_money(client, path):
    signed_in_as(client, "editor")
    assert client.get(path).status_code == 403


def test_the_areas_front_door_takes_an_editor_to_the_pages_not_the_money(client):
    signed_in_as(client, "editor")
    response = client.get("/finance/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/finance/funds"


def test_an_editor_cannot_refund(client):
    donation = factories.payment()
    signed_in_as(client, "editor")
    token = csrf_token(client, "/finance/funds")
    entry = factories.payment_entry(donation)
    refused = client.post(
        f"/finance/donations/{donation.reference}/refund/{entry.id}", data={"csrf_token": token}
    )
    assert refused.status_code == 403
    assert client.get(f"/finance/donations/{donation.reference}").status_code == 403


@pytest.mark.parametrize("role", ["finance", "viewer"])
def test_only_admins_and_editors_edit_pages(client, role):
    signed_in_as(client, role)
    for path in ("/finance/funds", "/finance/appeals", "/finance/appeals/new"):
        assert client.get(path).status_code == 403
    assert "/finance/funds" not in client.get("/finance/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        ("admin", "own words: choose another"),
        ("finance", "own words: choose another"),
        ("\u0430dmin", "lower-case letters a to z"),  # a Cyrillic a
        ("winter\u2010appeal", "lower-case letters a to z"),  # a Unicode hyphen
        ("Winter-Appeal", "lower-case letters a to z"),
        ("winter--appeal", "lower-case letters a to z"),
        ("-winter", "lower-case letters a to z"),
        ("ab", "Use 3 to 60 characters"),
        ("winter-appeal", "taken"),
    ],
)
def test_a_reserved_look_alike_or_taken_address_is_refused(client, slug, words):
    signed_in_as(client, "editor")
    factories.appeal()
    response = post_page(client, "/finance/appeals/new", {**NEW_APPEAL, "slug": slug})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert count(Appeal) == 1


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        ((SVG, "photo.png"), "not a PNG, JPEG or WebP image"),
        ((png() + b"<script>alert(1)</script>" + bytes(20 * 1024 * 1024), "big.png"),
         "larger than 10 MB"),
    ],
    ids=["svg-named-png", "20MB"],
)  # fmt: skip
def test_an_image_that_cannot_be_used_is_refused_beside_its_field(client, upload, words):
    signed_in_as(client, "editor")
    response = post_page(client, "/finance/appeals/new", NEW_APPEAL, upload)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in page
    assert 'id="image-error"' in page
    assert count(Appeal) == count(StoredImage) == 0


def test_a_file_name_with_a_path_in_it_is_never_used(client, app, tmp_path):
    signed_in_as(client, "editor")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    response = post_page(client, "/finance/appeals/new", NEW_APPEAL, (png(), "../../../etc/x.png"))
    assert response.status_code == 303
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "no file written anywhere"
    page = client.get("/appeals/winter-appeal-2026").get_data(as_text=True)
    assert "etc/x.png" not in page


def test_an_image_needs_words_for_people_who_cannot_see_it(client):
    signed_in_as(client, "editor")
    response = post_page(
        client, "/finance/appeals/new", {**NEW_APPEAL, "image_alt": ""}, (png(), "lab.png")
    )
    assert response.status_code == 400
    assert "Say what the image shows" in response.get_data(as_text=True)
    assert count(StoredImage) == 0


def test_a_story_with_script_is_shown_as_words(client):
    signed_in_as(client, "editor")
    story = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    response = post_page(client, "/finance/appeals/new", {**NEW_APPEAL, "story": story})
    assert response.status_code == 303
    page = client.get("/appeals/winter-appeal-2026").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_preview_shows_the_story_and_saves_nothing(client):
    signed_in_as(client, "editor")
    response = post_page(client, "/finance/appeals/new", {**NEW_APPEAL, "action": "preview"})
    assert response.status_code == 200
    assert "<h2>Why now</h2>" in response.get_data(as_text=True)
    assert count(Appeal) == 0


def test_bad_goals_and_days_are_refused_beside_their_fields(client):
    signed_in_as(client, "editor")
    for fields, words in (
        ({"goal": "0"}, "more than £0"),
        ({"goal": "lots"}, "Enter"),
        ({"opens_on": "2099-02-01", "closes_on": "2099-01-01"}, "closing day must not be before"),
        ({"name": "Bad\nname"}, "single line"),
        ({"fund": "nope"}, "Choose the fund"),
    ):
        response = post_page(client, "/finance/appeals/new", {**NEW_APPEAL, **fields})
        assert response.status_code == 400, fields
        assert words in response.get_data(as_text=True), fields
    assert count(Appeal) == 0


def test_an_edit_shows_on_the_public_page_within_a_second(client, app):
    now = [1000.0]
    app.extensions["page_cache"] = RenderedCache(ttl=1.0, clock=lambda: now[0])
    assert "ACTiMuS trial" in client.get("/funds/actimus").get_data(as_text=True)
    funds.change(factories.fund("actimus"), name="ACTiMuS stem cell trial")
    db.session.commit()
    now[0] += 0.5
    assert "ACTiMuS stem cell trial" not in client.get("/funds/actimus").get_data(as_text=True)
    now[0] += 0.5
    assert "ACTiMuS stem cell trial" in client.get("/funds/actimus").get_data(as_text=True)


def test_a_refused_change_shows_the_same_appeal_its_image_and_saves_to_it_again(client):
    signed_in_as(client, "editor")
    made = post_page(client, "/finance/appeals/new", NEW_APPEAL, (png(), "lab.png"))
    assert made.status_code == 303
    appeal = funds.appeal_by_slug("winter-appeal-2026")
    edit = {**NEW_APPEAL, "goal": "lots"}
    edit.pop("slug")
    refused = post_page(client, "/finance/appeals/winter-appeal-2026", edit)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "<h1>Winter appeal 2026</h1>" in page
    assert 'action="/finance/appeals/winter-appeal-2026"' in page, "not a new appeal"
    assert f'src="/images/{appeal.image_id}/480.webp"' in page, "the image it has now"
    assert "A new image (optional)" in page


def test_an_image_removed_leaves_the_appeal_without_one(client):
    signed_in_as(client, "editor")
    post_page(client, "/finance/appeals/new", NEW_APPEAL, (png(), "lab.png"))
    edit = {**NEW_APPEAL, "remove_image": "y"}
    edit.pop("slug")
    saved = post_page(client, "/finance/appeals/winter-appeal-2026", edit)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.expire_all()
    assert funds.appeal_by_slug("winter-appeal-2026").image_id is None
    assert audited("appeal_changed")[-1]["after"] == {"image_id": None}
    assert "srcset=" not in client.get("/appeals/winter-appeal-2026").get_data(as_text=True)


def test_the_funds_list_gives_each_goal_in_whole_pounds_and_its_state(client):
    signed_in_as(client, "editor")
    page = client.get("/finance/funds").get_data(as_text=True)
    cells = [cell.strip() for cell in re.findall(r"<td>([^<]*)</td>", page)]
    assert "£50,000" in cells, cells
    assert "£250,000" in cells, cells
    assert "open" in cells, cells
