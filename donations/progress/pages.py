"""The home page, each fund's, appeal's and supporter's page, and the embed builder.

The home page and the campaign pages are the same for every visitor (no form, no session),
so each worker keeps them rendered for a second (docs/CONTRACT.md, "Public pages"): at any
number of donations, a page costs one read of the totals a second, and an edit by staff
shows on every worker within that second.
"""

from flask import Blueprint, Response, current_app, render_template, request

from donations.funds import services as funds
from donations.gifts import supporters
from donations.images.services import image
from donations.page_cache import Rendered
from donations.progress.embed import APPEAL, FUND, FUNDRAISER, SVG_HEIGHT
from donations.progress.figures import figures, leaderboard
from donations.updates.feed import atom_feed
from donations.updates.services import published_for
from donations.web import found_or_404

bp = Blueprint("funds", __name__)


def _shared_page(key: tuple, render) -> Response:
    """A page every visitor sees alike, from this worker's cache when fresh."""
    cache = current_app.extensions["page_cache"]
    rendered = cache.get((*key, request.host_url), render)
    return Response(rendered.body, rendered.status, mimetype=rendered.mimetype)


def _html(page: str, status: int = 200) -> Rendered:
    return Rendered.of(page.encode(), "text/html", status)


def _not_found() -> Rendered:
    return _html(render_template("errors/404.html"), 404)


@bp.get("/")
def index():
    def render() -> Rendered:
        shown = [figures(f) for f in funds.public_funds()]
        appeals = [figures(a) for a in funds.open_appeals()]
        return _html(render_template("progress/index.html", funds=shown, appeals=appeals))

    return _shared_page(("page", "index"), render)


def _campaign_page(campaign, **extra) -> Rendered:
    return _html(
        render_template(
            "progress/show.html",
            fund=campaign,
            figures=figures(campaign),
            image=image(campaign.image_id),
            supporters=supporters.recent(campaign, limit=10),
            open_funds=funds.open_funds(),
            **extra,
        )
    )


@bp.get("/funds/<slug>")
def show(slug: str):
    def render() -> Rendered:
        fund = funds.public_by_slug("fund", slug)
        if fund is None:
            return _not_found()
        appeals = [figures(a) for a in funds.open_appeals(fund)]
        return _campaign_page(
            fund,
            appeals=appeals,
            pages=leaderboard(fund),
            updates=_with_images(published_for(fund, limit=3)),
        )

    return _shared_page(("page", "fund", slug), render)


def _with_images(updates: list) -> list[tuple]:
    return [(u, image(u.image_id)) for u in updates]


@bp.get("/funds/<slug>/updates")
def updates(slug: str):
    """A fund's research updates, newest first."""

    def render() -> Rendered:
        fund = funds.public_by_slug("fund", slug)
        if fund is None:
            return _not_found()
        listed = _with_images(published_for(fund))
        return _html(render_template("progress/updates.html", fund=fund, updates=listed))

    return _shared_page(("page", "updates", slug), render)


@bp.get("/funds/<slug>/updates.atom")
def updates_feed(slug: str):
    """The same, as an Atom feed (RFC 4287) for feed readers."""

    def render() -> Rendered:
        fund = funds.public_by_slug("fund", slug)
        if fund is None:
            return _not_found()
        return Rendered.of(atom_feed(fund, published_for(fund)), "application/atom+xml")

    return _shared_page(("feed", "updates", slug), render)


@bp.get("/appeals/<slug>")
def appeal(slug: str):
    def render() -> Rendered:
        found = funds.public_by_slug("appeal", slug)
        if found is None:
            return _not_found()
        return _campaign_page(found, appeals=[], pages=leaderboard(found))

    return _shared_page(("page", "appeal", slug), render)


@bp.get("/fundraising/<slug>")
def fundraiser(slug: str):
    def render() -> Rendered:
        found = funds.public_by_slug("fundraiser", slug)
        if found is None:
            return _not_found()
        return _campaign_page(found, appeals=[], pages=[])

    return _shared_page(("page", "fundraiser", slug), render)


@bp.get("/funds/<slug>/embed", defaults=FUND)
@bp.get("/appeals/<slug>/embed", defaults=APPEAL)
@bp.get("/fundraising/<slug>/embed", defaults=FUNDRAISER)
def embed_builder(kind: str, slug: str):
    found = found_or_404(funds.public_by_slug(kind, slug))
    return render_template(
        "progress/embed_builder.html", fund=found, f=figures(found), svg_height=SVG_HEIGHT
    )
