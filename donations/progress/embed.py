"""The embed family: progress JSON, the SVG bar, the frameable page and /embed.js.

All of them may be fetched cross-origin, carry a strong ETag of their exact bytes and a short
public Cache-Control, and are served from the per-worker RenderedCache.
"""

import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from donations.funds import services as funds
from donations.page_cache import Rendered
from donations.progress.figures import figures, progress
from donations.web import open_to_embedding

bp = Blueprint("embed", __name__)
open_to_embedding(bp)

EMBED_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "embed.js"
WIDTH = re.compile(r"-?[0-9]{1,12}", re.ASCII)
SVG_WIDTH_DEFAULT, SVG_WIDTH_MIN, SVG_WIDTH_MAX = 400, 200, 1200
SVG_HEIGHT = 102


def _cache():
    return current_app.extensions["page_cache"]


def _respond(rendered: Rendered) -> Response:
    headers = {}
    if rendered.status != 200:
        headers["Cache-Control"] = "no-store"
        return Response(rendered.body, rendered.status, headers, mimetype=rendered.mimetype)
    headers["Cache-Control"] = current_app.config["PROGRESS_CACHE_CONTROL"]
    headers["ETag"] = f'"{rendered.etag}"'
    if request.if_none_match.contains_weak(rendered.etag):
        return Response(status=304, headers=headers)
    return Response(rendered.body, 200, headers, mimetype=rendered.mimetype)


def _json(body: dict, status: int = 200) -> Rendered:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Rendered.of(data, "application/json", status)


#: what each kind of page is called, in an answer that did not find one
NAMED = {"fund": "fund", "appeal": "appeal", "fundraiser": "fundraising page"}
#: the same routes for a fund, an appeal and a supporter's page, told apart by the `kind`
#: each rule sets
FUND, APPEAL, FUNDRAISER = {"kind": "fund"}, {"kind": "appeal"}, {"kind": "fundraiser"}


def _not_found_json(kind: str) -> Rendered:
    message = f"There is no {NAMED[kind]} with that name."
    return _json({"error": "not_found", "message": message}, 404)


def _not_found_text(kind: str) -> Rendered:
    return Rendered.of(f"There is no {NAMED[kind]} with that name.".encode(), "text/plain", 404)


def _base() -> str:
    """What absolute links are built from: part of every cache key."""
    return current_app.config["PUBLIC_URL"] or request.host_url


@bp.get("/api/funds")
def api_funds():
    def render() -> Rendered:
        return _json({"funds": [progress(f) for f in funds.public_funds()]})

    return _respond(_cache().get(("api", None, _base()), render))


@bp.get("/api/funds/<slug>", defaults=FUND)
@bp.get("/api/appeals/<slug>", defaults=APPEAL)
@bp.get("/api/fundraising/<slug>", defaults=FUNDRAISER)
def api_fund(kind: str, slug: str):
    def render() -> Rendered:
        found = funds.public_by_slug(kind, slug)
        if found is None:
            return _not_found_json(kind)
        return _json(progress(found))

    return _respond(_cache().get(("api", kind, slug, _base()), render))


def _svg_width(text: str | None) -> int | None:
    """An integer clamped to 200-1200; None when the text is not an integer at all."""
    if text is None:
        return SVG_WIDTH_DEFAULT
    if not WIDTH.fullmatch(text):
        return None
    return max(SVG_WIDTH_MIN, min(SVG_WIDTH_MAX, int(text)))


@bp.get("/funds/<slug>/progress.svg", defaults=FUND)
@bp.get("/appeals/<slug>/progress.svg", defaults=APPEAL)
@bp.get("/fundraising/<slug>/progress.svg", defaults=FUNDRAISER)
def progress_svg(kind: str, slug: str):
    width = _svg_width(request.args.get("width"))
    if width is None:
        message = b"width must be a whole number of pixels (200 to 1200)."
        return _respond(Rendered.of(message, "text/plain", 400))
    theme = "dark" if request.args.get("theme") == "dark" else "light"

    def render() -> Rendered:
        found = funds.public_by_slug(kind, slug)
        if found is None:
            return _not_found_text(kind)
        svg = render_template(
            "progress/embed/progress.svg",
            f=figures(found),
            width=width,
            height=SVG_HEIGHT,
            theme=theme,
        )
        return Rendered.of(svg.encode(), "image/svg+xml")

    return _respond(_cache().get(("svg", kind, slug, _base(), width, theme), render))


@bp.get("/embed/funds/<slug>", defaults=FUND)
@bp.get("/embed/appeals/<slug>", defaults=APPEAL)
@bp.get("/embed/fundraising/<slug>", defaults=FUNDRAISER)
def embed_page(kind: str, slug: str):
    def render() -> Rendered:
        found = funds.public_by_slug(kind, slug)
        if found is None:
            page = render_template("progress/embed/missing.html")
            return Rendered.of(page.encode(), "text/html", 404)
        page = render_template("progress/embed/bar.html", f=figures(found))
        return Rendered.of(page.encode(), "text/html")

    return _respond(_cache().get(("embed", kind, slug, _base()), render))


@bp.get("/embed.js")
def embed_script():
    def render() -> Rendered:
        script = EMBED_JS.read_bytes()
        if current_app.config["SANDBOX"]:
            script = script.replace(b"var TEST_MODE = false;", b"var TEST_MODE = true;", 1)
        return Rendered.of(script, "text/javascript")

    return _respond(_cache().get(("embed.js",), render))
