from flask import Blueprint, abort, current_app, redirect, render_template

from donations.extensions import limiter
from donations.money import AmountError, format_gbp, parse_gift
from donations.sandbox import movements, store
from donations.sandbox import services as sandbox
from donations.sandbox.forms import PortalForm, SandboxPaymentForm
from donations.transaction import commit
from donations.web import found_or_404

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

#: a portal visit lasts this long, as Stripe's do
PORTAL_SECONDS = 30 * 60


def _item_name(price_data: dict) -> str:
    product = store.get(price_data.get("product")) or price_data.get("product_data") or {}
    return product.get("name", "Gift")


def _page(row, form, problem=None, status=200):
    items = [
        (_item_name(item["price_data"]), format_gbp(item["price_data"]["unit_amount"]))
        for item in row.data["line_items"]
    ]
    return (
        render_template(
            "sandbox/checkout.html",
            row=row,
            form=form,
            items=items,
            total=format_gbp(row.data["amount_total"]),
            interval=_interval(row),
            problem=problem,
        ),
        status,
    )


def _interval(row) -> str | None:
    """ "month" or "year" for a session that sets up a recurring gift; None for one gift."""
    if row.data["mode"] != "subscription":
        return None
    recurring = row.data["line_items"][0]["price_data"].get("recurring") or {}
    return recurring.get("interval", "month")


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


# --- the donor's portal: Stripe's customer portal, as the sandbox's own page -----------------


def _portal(session_id: str) -> dict:
    portal = store.get(session_id)
    if portal is None or portal["object"] != "billing_portal.session":
        abort(404)
    if store.now() - portal["created"] > PORTAL_SECONDS:
        abort(404)
    return portal


#: how the practice pages speak of a gift taken every month or every year
KIND = {"month": "monthly gift", "year": "yearly gift"}


def _gift(subscription: dict) -> dict:
    price = subscription["items"]["data"][0]["price"]
    interval = (price.get("recurring") or {}).get("interval", "month")
    return {
        "id": subscription["id"],
        "status": subscription["status"],
        "amount": format_gbp(price["unit_amount"]),
        "interval": interval,
        "kind": KIND.get(interval, "regular gift"),
    }


def _portal_page(portal: dict, form: PortalForm, notice: str | None = None, status: int = 200):
    gifts = [_gift(s) for s in store.every("subscription", customer=portal["customer"])]
    page = render_template(
        "sandbox/portal.html", portal=portal, gifts=gifts, form=form, notice=notice
    )
    return page, status


def _confirm_stop_page(portal: dict, form: PortalForm):
    """As Stripe's portal does, stopping asks once more before it is done."""
    gift = _gift(store.get(form.subscription.data))
    return render_template("sandbox/portal_confirm.html", portal=portal, gift=gift, form=form)


@bp.get("/portal/<session_id>")
def portal(session_id: str):
    return _portal_page(_portal(session_id), PortalForm())


@bp.post("/portal/<session_id>")
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT"])
def portal_change(session_id: str):
    visit = _portal(session_id)
    form = PortalForm()
    mine = {s["id"] for s in store.every("subscription", customer=visit["customer"])}
    if not form.validate() or form.subscription.data not in mine:
        return _portal_page(visit, form, status=400)
    if form.action.data == "stop":
        return _confirm_stop_page(visit, form)
    try:
        if form.action.data == "stop-confirmed":
            movements.change_subscription(form.subscription.data, cancel=True)
            kind = _gift(store.get(form.subscription.data))["kind"]
            notice = f"Your {kind} is stopped. Nothing more will be taken."
        else:
            gift = parse_gift(form.amount.data or "")
            movements.change_subscription(form.subscription.data, cancel=False, gift_pence=gift)
            changed = _gift(store.get(form.subscription.data))
            notice = f"Your {changed['kind']} is now {format_gbp(gift)} a {changed['interval']}."
    except (AmountError, movements.SandboxError) as error:
        form.amount.errors = [str(error)]
        return _portal_page(visit, form, status=400)
    commit()
    return _portal_page(visit, PortalForm(formdata=None), notice=notice)
