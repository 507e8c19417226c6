from flask import Blueprint, abort, render_template

from donations.funds import services as funds
from donations.giving import supporters

bp = Blueprint("funds", __name__)


def _fund_or_404(slug: str):
    fund = funds.by_slug(slug)
    if fund is None:
        abort(404)
    return fund


@bp.get("/")
def index():
    return render_template("funds/index.html", funds=[funds.figures(f) for f in funds.all_funds()])


@bp.get("/funds/<slug>")
def show(slug: str):
    fund = _fund_or_404(slug)
    return render_template(
        "funds/show.html",
        fund=fund,
        figures=funds.figures(fund),
        supporters=supporters.recent(fund, limit=10),
    )


@bp.get("/funds/<slug>/embed")
def embed_builder(slug: str):
    fund = _fund_or_404(slug)
    return render_template("funds/embed_builder.html", fund=fund, f=funds.figures(fund))
