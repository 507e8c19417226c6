"""Stripe's payouts, each matched to the penny (the same report as `flask payments payouts`),
and each one's accounting journal."""

import io
import re
from datetime import UTC, datetime, timedelta

from flask import Response, abort, current_app, render_template, request

from donations.finance.guard import bp, requires
from donations.payments import journal, payouts
from donations.payments.gateway import GatewayError, gateway
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit, undone_on

DAYS = (30, 90, 365)


def _days() -> int:
    text = request.args.get("days", "30")
    return int(text) if text.isdigit() and int(text) in DAYS else 30


def _reports(days: int):
    since = datetime.now(UTC) - timedelta(days=days)
    try:
        with undone_on(GatewayError):
            found = payouts.reports(since)
    except GatewayError:
        current_app.logger.exception("could not list payouts")
        return None
    commit()  # each matched payment now knows its fee, net and payout
    return found


@bp.get("/payouts")
@requires(Permission.VIEW_RECORDS)
def payouts_page():
    days = _days()
    found = _reports(days)
    return render_template("finance/payouts.html", found=found, days=days, choices=DAYS), (
        200 if found is not None else 503
    )


@bp.get("/payouts.csv")
@requires(Permission.VIEW_RECORDS)
def payouts_csv():
    found = _reports(_days())
    if found is None:
        return Response("Stripe could not be reached; try again in a minute.\n", 503)
    out = io.StringIO()
    payouts.write_csv(found, out)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="payouts.csv"'},
    )


#: what Stripe's payout ids look like: anything else is no payout, and never sent to Stripe
PAYOUT_ID = re.compile(r"po_[A-Za-z0-9_]{1,100}")


@bp.get("/payouts/<payout_id>/journal.csv")
@requires(Permission.EXPORT)
def payout_journal(payout_id: str):
    if not PAYOUT_ID.fullmatch(payout_id):
        abort(404)
    try:
        with undone_on(GatewayError):
            payout = gateway().retrieve_payout(payout_id)
            made = journal.journal(payouts.report(payout)) if payout is not None else None
    except GatewayError:
        current_app.logger.exception("could not read payout %s", payout_id)
        return Response("Stripe could not be reached; try again in a minute.\n", 503)
    if made is None:
        abort(404)
    audit.record(Action.EXPORT, format="journal", payout=payout_id, rows=len(made.lines))
    commit()
    out = io.StringIO()
    journal.write_csv([made], out)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="journal-{payout_id}.csv"'},
    )
