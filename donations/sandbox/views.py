from flask import Blueprint, current_app, redirect, render_template

from donations.extensions import limiter
from donations.money import format_gbp
from donations.sandbox import services as sandbox
from donations.sandbox.forms import SandboxPaymentForm
from donations.transaction import commit
from donations.web import found_or_404

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")


def _page(row, form, problem=None, status=200):
    items = [
        (item["price_data"]["product_data"]["name"], format_gbp(item["price_data"]["unit_amount"]))
        for item in row.data["line_items"]
    ]
    return (
        render_template(
            "sandbox/checkout.html",
            row=row,
            form=form,
            items=items,
            total=format_gbp(row.data["amount_total"]),
            monthly=row.data["mode"] == "subscription",
            problem=problem,
        ),
        status,
    )


def _back_to_site(row):
    """Where Stripe sends the donor once the session is complete."""
    return redirect(row.data["success_url"].replace("{CHECKOUT_SESSION_ID}", row.id), 303)


def _open_row(session_id: str):
    return found_or_404(sandbox.session_row(session_id))


@bp.get("/checkout/<session_id>")
def checkout(session_id: str):
    row = _open_row(session_id)
    if row.data["status"] != "open":
        return _back_to_site(row)
    return _page(row, SandboxPaymentForm())


@bp.post("/checkout/<session_id>")
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT"])
def pay(session_id: str):
    row = _open_row(session_id)
    if row.data["status"] != "open":
        return _back_to_site(row)
    form = SandboxPaymentForm()
    if not form.validate():
        return _page(row, form, status=400)
    if form.method.data == "bacs":
        sandbox.pay_by_bacs(row)
    else:
        problem = sandbox.pay_by_card(row, form.card_number.data)
        if problem:
            return _page(row, form, problem=problem, status=402)
    commit()
    return _back_to_site(row)
