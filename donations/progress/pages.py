"""The home page, each fund's campaign page, and the embed builder.

The home page and the fund pages are the same for every visitor (no form, no session), so
each worker keeps them rendered for a second (docs/CONTRACT.md, "Public pages"): at any
number of donations, a page costs one read of the totals a second.
"""

from flask import Blueprint, Response, current_app, render_template, request

from donations.funds import services as funds
from donations.gifts import supporters
from donations.page_cache import Rendered
from donations.progress.embed import SVG_HEIGHT
from donations.progress.figures import figures
from donations.web import found_or_404

bp = Blueprint("funds", __name__)


def _shared_page(key: tuple, render) -> Response:
    """A page every visitor sees alike, from this worker's cache when fresh."""
    cache = current_app.extensions["page_cache"]
    rendered = cache.get((*key, request.host_url), render)
    return Response(rendered.body, rendered.status, mimetype=rendered.mimetype)


def _html(page: str, status: int = 200) -> Rendered:
    return Rendered.of(page.encode(), "text/html", status)


@bp.get("/")
def index():
    def render() -> Rendered:
        shown = [figures(f) for f in funds.all_funds()]
        return _html(render_template("progress/index.html", funds=shown))

    return _shared_page(("page", "index"), render)


@bp.get("/funds/<slug>")
def show(slug: str):
    def render() -> Rendered:
        fund = funds.by_slug(slug)
        if fund is None:
            return _html(render_template("errors/404.html"), 404)
        page = render_template(
            "progress/show.html",
            fund=fund,
            figures=figures(fund),
            supporters=supporters.recent(fund, limit=10),
        )
        return _html(page)

    return _shared_page(("page", "fund", slug), render)


@bp.get("/funds/<slug>/embed")
def embed_builder(slug: str):
    fund = found_or_404(funds.by_slug(slug))
    return render_template(
        "progress/embed_builder.html", fund=fund, f=figures(fund), svg_height=SVG_HEIGHT
    )
