"""The home page, each fund's campaign page, and the embed builder."""

from flask import Blueprint, render_template

from donations.funds import services as funds
from donations.gifts import supporters
from donations.progress.figures import figures
from donations.web import found_or_404

bp = Blueprint("funds", __name__)


@bp.get("/")
def index():
    return render_template("progress/index.html", funds=[figures(f) for f in funds.all_funds()])


@bp.get("/funds/<slug>")
def show(slug: str):
    fund = found_or_404(funds.by_slug(slug))
    return render_template(
        "progress/show.html",
        fund=fund,
        figures=figures(fund),
        supporters=supporters.recent(fund, limit=10),
    )


@bp.get("/funds/<slug>/embed")
def embed_builder(slug: str):
    fund = found_or_404(funds.by_slug(slug))
    return render_template("progress/embed_builder.html", fund=fund, f=figures(fund))
