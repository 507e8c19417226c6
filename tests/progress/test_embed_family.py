"""The progress family: JSON, SVG, the frameable page and /embed.js."""

import re
from html import unescape
from xml.etree import ElementTree

import pytest

from donations.page_cache import RenderedCache
from tests import factories

FAMILY = [
    "/api/funds/actimus",
    "/funds/actimus/progress.svg",
    "/embed/funds/actimus",
]


def test_progress_json_has_the_contract_fields(client):
    factories.payment(amount_pence=2500, gift_aid=True)
    body = client.get("/api/funds/actimus").json
    assert body == {
        "slug": "actimus",
        "name": "ACTiMuS trial",
        "currency": "GBP",
        "goal_pence": 25_000_000,
        "raised_pence": 2500,
        "gift_aid_pence": 625,
        "pending_pence": 0,
        "donor_count": 1,
        "donation_count": 1,
        "percent": 0.01,
        "updated_at": body["updated_at"],
        "url": "http://localhost/funds/actimus",
        "donate_url": "http://localhost/donate/actimus",
        "kind": "fund",
        "status": "open",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["updated_at"])
    listing = client.get("/api/funds").json
    assert [f["slug"] for f in listing["funds"]] == ["stem-cell-audit", "actimus"]


def test_absolute_links_follow_public_url(make_app, reset_database):
    app = make_app(PUBLIC_URL="https://give.example.org")
    reset_database(app)
    client = app.test_client()
    body = client.get("/api/funds/stem-cell-audit", base_url="https://give.example.org").json
    assert body["url"] == "https://give.example.org/funds/stem-cell-audit"
    assert body["donate_url"] == "https://give.example.org/donate/stem-cell-audit"


@pytest.mark.parametrize("path", [*FAMILY, "/embed.js", "/api/funds"])
def test_every_member_is_cacheable_and_open_to_any_origin(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    etag = response.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag), "a strong validator"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    weak = client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'})
    assert weak.status_code == 304, "If-None-Match compares weakly"
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_new_paid_gift_changes_every_member(client):
    before = {path: client.get(path) for path in FAMILY}
    factories.payment(amount_pence=5000)
    for path in FAMILY:
        after = client.get(path, headers={"If-None-Match": before[path].headers["ETag"]})
        assert after.status_code == 200, f"{path} still says nothing changed"
        assert after.headers["ETag"] != before[path].headers["ETag"]
        assert "£50.00" in after.get_data(as_text=True) or after.json["raised_pence"] == 5000


def test_a_gift_to_the_other_fund_changes_nothing_here(client):
    etag = client.get("/api/funds/actimus").headers["ETag"]
    factories.payment("stem-cell-audit", amount_pence=1000)
    assert client.get("/api/funds/actimus", headers={"If-None-Match": etag}).status_code == 304


def test_each_worker_serves_its_cached_copy_for_at_most_its_ttl(app, client):
    now = [1000.0]
    app.extensions["page_cache"] = RenderedCache(ttl=1.0, clock=lambda: now[0])
    assert client.get("/api/funds/actimus").json["raised_pence"] == 0
    factories.payment(amount_pence=1000)
    now[0] += 0.5
    assert client.get("/api/funds/actimus").json["raised_pence"] == 0, "served from the cache"
    now[0] += 0.5
    assert client.get("/api/funds/actimus").json["raised_pence"] == 1000, "fresh within 1 s"


def test_the_cache_keeps_each_variant_apart(app, client):
    now = [1000.0]
    app.extensions["page_cache"] = RenderedCache(ttl=60.0, clock=lambda: now[0])
    narrow = client.get("/funds/actimus/progress.svg?width=300")
    wide = client.get("/funds/actimus/progress.svg?width=900")
    dark = client.get("/funds/actimus/progress.svg?width=300&theme=dark")
    assert len({narrow.data, wide.data, dark.data}) == 3
    assert b'width="900"' in wide.data
    other = client.get("/api/funds/stem-cell-audit").json
    assert other["slug"] == "stem-cell-audit"
    assert client.get("/api/funds/actimus").json["slug"] == "actimus"
    public = client.get("/api/funds/actimus", base_url="http://other.example").json
    assert public["url"] == "http://other.example/funds/actimus", "links follow their host"


def test_the_cache_never_keeps_a_missing_fund(app, client, runner):
    now = [1000.0]
    app.extensions["page_cache"] = RenderedCache(ttl=60.0, clock=lambda: now[0])
    assert client.get("/api/funds/new-fund").status_code == 404
    assert (
        runner.invoke(args=["funds", "add", "new-fund", "A new fund", "--goal", "100"]).exit_code
        == 0
    )
    assert client.get("/api/funds/new-fund").status_code == 200


def test_the_cache_stays_small_whatever_is_asked(app, client):
    cache = RenderedCache(ttl=60.0)
    cache.MAX_ENTRIES = 5
    app.extensions["page_cache"] = cache
    for width in range(200, 230):
        assert client.get(f"/funds/actimus/progress.svg?width={width}").status_code == 200
        assert len(cache) <= 5


def test_unknown_slugs_are_404_and_the_api_says_so_in_json(client):
    api = client.get("/api/funds/nope")
    assert api.status_code == 404
    assert api.json == {"error": "not_found", "message": "There is no fund with that name."}
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/funds/nope/progress.svg").status_code == 404
    assert client.get("/embed/funds/nope").status_code == 404
    assert client.get("/funds/nope").status_code == 404
    assert client.get("/funds/nope/embed").status_code == 404


def svg_of(response):
    assert response.mimetype == "image/svg+xml"
    return ElementTree.fromstring(response.data)  # noqa: S314  (our own SVG, parsed to check it)


SVG = "{http://www.w3.org/2000/svg}"


def test_the_svg_is_well_formed_with_numbers_and_an_accessible_name(client):
    factories.payment(amount_pence=10000, gift_aid=True)
    root = svg_of(client.get("/funds/actimus/progress.svg"))
    assert root.get("role") == "img"
    assert root.get("width") == "400"
    title = root.find(f"{SVG}title").text
    assert title == "ACTiMuS trial: £100.00 raised of £250,000 (0.04%)"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "£100.00 raised of £250,000" in texts
    assert "£25.00 Gift Aid" in texts


@pytest.mark.parametrize(
    ("query", "width"),
    [
        ("width=600", "600"),
        ("width=-1", "200"),
        ("width=1000000000", "1200"),
        ("width=0", "200"),
        ("", "400"),
        ("unknown=<b>x</b>", "400"),
    ],
)
def test_svg_width_is_clamped(client, query, width):
    response = client.get(f"/funds/actimus/progress.svg?{query}")
    assert response.status_code == 200
    assert svg_of(response).get("width") == width
    assert b"<b>" not in response.data


@pytest.mark.parametrize("width", ["abc", "1.5", "12px", "", "%3Cscript%3E", "1e3", "\uff19"])
def test_svg_width_that_is_not_a_whole_number_is_a_clean_400(client, width):
    response = client.get(f"/funds/actimus/progress.svg?width={width}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"<script" not in response.data


def test_svg_themes(client):
    dark = client.get("/funds/actimus/progress.svg?theme=dark").get_data(as_text=True)
    light = client.get("/funds/actimus/progress.svg?theme=light").get_data(as_text=True)
    hostile = client.get("/funds/actimus/progress.svg?theme=%3Cscript%3E").get_data(as_text=True)
    assert dark != light
    assert hostile == light
    assert "<script" not in hostile


def test_a_slug_of_five_thousand_characters_is_a_clean_404(client):
    slug = "a" * 5000
    for path in (
        f"/api/funds/{slug}",
        f"/funds/{slug}/progress.svg",
        f"/embed/funds/{slug}",
        f"/funds/{slug}",
        f"/donate/{slug}",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert slug.encode() not in response.data


def test_markup_in_a_slug_is_never_reflected(client):
    response = client.get("/embed/funds/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert b"<script>alert" not in response.data


def test_the_embed_page_is_a_labelled_progressbar_with_the_numbers(client):
    factories.payment(amount_pence=2500)
    html = client.get("/embed/funds/actimus").get_data(as_text=True)
    assert 'role="progressbar"' in html
    assert 'aria-valuemin="0"' in html
    assert 'aria-valuemax="100"' in html
    assert 'aria-valuenow="0.01"' in html
    assert 'aria-valuetext="£25.00 raised of £250,000 (0.01%)"' in html
    assert "£25.00</strong> raised of" in html
    assert re.search(
        r'<a class="embed__donate" href="http://localhost/donate/actimus"'
        r' target="_blank" rel="noopener">',
        html,
    )
    assert "Test mode" in html
    assert "TEST MODE" not in html, "a small mark, not the site banner"
    assert "embed-page.js" in html, "it refreshes itself"


def test_past_the_goal_aria_stays_within_its_range_and_says_the_real_figures(client, runner):
    assert runner.invoke(args=["funds", "set-goal", "actimus", "10"]).exit_code == 0
    factories.payment(amount_pence=2500)
    api = client.get("/api/funds/actimus").json
    assert api["percent"] == 250.0
    html = client.get("/embed/funds/actimus").get_data(as_text=True)
    assert 'aria-valuenow="100"' in html
    assert 'aria-valuetext="£25.00 raised of £10 (250%)"' in html
    root = svg_of(client.get("/funds/actimus/progress.svg"))
    fill = list(root.iter(f"{SVG}rect"))[-1]
    assert float(fill.get("width")) == 400 - 24, "the bar stops at full"


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])[1]


def test_only_the_embed_family_may_be_framed(client):
    for path in FAMILY:
        assert frame_ancestors(client.get(path)) == "*"
    closed = (
        "/",
        "/funds/actimus",
        "/donate",
        "/donate/actimus",
        "/donate/stem-cell-audit?amount=10",
        "/donate/thanks?session_id=nope",
        "/funds/actimus/embed",
        "/no/such/page",
        "/embed/unknown/route",
    )
    for path in closed:
        response = client.get(path)
        assert frame_ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_a_setting_narrows_who_may_frame_the_embed(make_app, reset_database):
    app = make_app(EMBED_FRAME_ANCESTORS="https://blog.example.org https://partner.example")
    reset_database(app)
    response = app.test_client().get("/embed/funds/actimus")
    assert frame_ancestors(response) == "https://blog.example.org https://partner.example"


def test_embed_js_is_small_dependency_free_and_defines_the_element(client):
    response = client.get("/embed.js")
    assert response.mimetype == "text/javascript"
    assert len(response.data) < 5 * 1024
    source = response.get_data(as_text=True)
    assert 'customElements.define("donation-progress"' in source
    assert "attachShadow" in source
    assert "import " not in source
    assert "progressbar" in source


def snippet(html: str, element_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, element_id
    return unescape(match.group(1))


def test_the_builder_offers_every_snippet_with_a_preview(client):
    factories.payment(amount_pence=2500)
    html = client.get("/funds/actimus/embed").get_data(as_text=True)
    assert snippet(html, "snippet-iframe").startswith(
        '<iframe src="http://localhost/embed/funds/actimus" title="ACTiMuS trial'
    )
    assert snippet(html, "snippet-script") == (
        '<script src="http://localhost/embed.js" defer></script>\n'
        '<donation-progress fund="actimus"></donation-progress>'
    )
    image = snippet(html, "snippet-image")
    assert 'src="http://localhost/funds/actimus/progress.svg"' in image
    assert 'alt="ACTiMuS trial: £25.00 raised of £250,000 (0.01%)' in image
    assert 'value="http://localhost/api/funds/actimus"' in html
    assert '<iframe class="preview" src="/embed/funds/actimus"' in html
    assert '<donation-progress fund="actimus">' in html
    assert "does not update" in html


def test_the_web_component_is_marked_test_only_while_the_sandbox_runs(client):
    """In the sandbox the script says so, as the frame does (with Stripe it does not:
    tests/payments/test_stripe_mode.py)."""
    assert "var TEST_MODE = true;" in client.get("/embed.js").get_data(as_text=True)
