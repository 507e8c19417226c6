import hashlib
import json

from flask import Blueprint, Response, abort, current_app, render_template, request

from donations.funds import services as funds
from donations.money import format_gbp

bp = Blueprint("funds", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


def _figures(fund) -> dict:
    progress = funds.progress(fund, current_app.config["PUBLIC_URL"])
    return {
        **progress,
        "raised": format_gbp(progress["raised_pence"]),
        "goal": format_gbp(progress["goal_pence"], drop_zero_pence=True),
        "gift_aid": format_gbp(progress["gift_aid_pence"]),
        "bar_percent": min(progress["percent"], 100),
    }


@bp.get("/")
def index():
    return render_template("funds/index.html", funds=[_figures(f) for f in funds.all_funds()])


@bp.get("/funds/<slug>")
def show(slug: str):
    fund = funds.by_slug(slug)
    if fund is None:
        abort(404)
    return render_template("funds/show.html", fund=fund, figures=_figures(fund))


def _json(body: dict, status: int = 200) -> Response:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    response = Response(data, status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    if status == 200:
        response.set_etag(hashlib.sha256(data).hexdigest()[:32])
        response.headers["Cache-Control"] = "public, max-age=10, stale-while-revalidate=60"
        response.make_conditional(request)
    return response


@api.get("/funds")
def api_funds():
    public_url = current_app.config["PUBLIC_URL"]
    return _json({"funds": [funds.progress(f, public_url) for f in funds.all_funds()]})


@api.get("/funds/<slug>")
def api_fund(slug: str):
    fund = funds.by_slug(slug)
    if fund is None:
        return _json({"error": "not_found", "message": "No fund has that name."}, 404)
    return _json(funds.progress(fund, current_app.config["PUBLIC_URL"]))
