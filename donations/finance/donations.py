"""The records: the list with its filters and totals, a donation's page with its history and
refunds, and the exports of exactly what the list shows."""

from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from donations.claims import eligibility
from donations.extensions import db
from donations.finance import exports, history, listing
from donations.finance.guard import bp, requires
from donations.funds import services as funds
from donations.gifts import services as gifts
from donations.gifts.consent import WORDINGS
from donations.gifts.models import Frequency
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.money import AmountError, parse_pounds
from donations.payments.refunds import RefundRefused, refund, refundable
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit, undone_on
from donations.uk_time import uk_today
from donations.updates import consent
from donations.web import Form, found_or_404

EXPORT_TYPES = {
    "csv": ("text/csv", exports.csv_chunks),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.xlsx_chunks,
    ),
}


def _filters() -> tuple[listing.Filters, listing.FilterError | None]:
    slugs = [fund.slug for fund in funds.all_funds()]
    try:
        personal = current_user.may(Permission.VIEW_PERSONAL_DATA)
        return listing.parse_filters(request.args, slugs, personal=personal), None
    except listing.FilterError as error:
        return listing.Filters(), error


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


@bp.get("/donations")
@requires(Permission.VIEW_RECORDS)
def donations():
    filters, problem = _filters()
    if problem is not None:
        return _list_page(filters, problem, status=400)
    return _list_page(filters, None)


def _list_page(filters, problem, status=200):
    number = _page_number()
    totals = listing.totals(filters)
    pages = max(1, -(-totals.rows // listing.PAGE_SIZE))
    rows = listing.page(filters, min(number, pages))
    return (
        render_template(
            "finance/donations.html",
            filters=filters,
            problem=problem,
            args=request.args,
            totals=totals,
            rows=rows,
            number=min(number, pages),
            pages=pages,
            funds=funds.all_funds(),
            appeals=funds.all_appeals(),
            statuses=listing.STATUSES,
            channels=listing.CHANNELS,
            frequencies=[str(frequency) for frequency in Frequency],
            personal=current_user.may(Permission.VIEW_PERSONAL_DATA),
            can_export=current_user.may(Permission.EXPORT),
        ),
        status,
    )


@bp.get("/donations/export.<kind>")
@requires(Permission.EXPORT)
def export(kind: str):
    if kind not in EXPORT_TYPES:
        abort(404)
    filters, problem = _filters()
    if problem is not None:
        abort(400, description=f"{problem.field}: {problem}")
    rows = listing.totals(filters).rows
    audit.record(Action.EXPORT, format=kind, filters=filters.as_query(), rows=rows)
    commit()
    mimetype, chunks = EXPORT_TYPES[kind]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    # Flask adds "; charset=utf-8" to a text/ type itself
    return Response(
        stream_with_context(chunks(filters)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="donations-{stamp}.{kind}"'},
    )


class RefundForm(Form):
    amount = StringField("Amount to refund, in pounds", [InputRequired("Enter an amount.")])
    reason = TextAreaField(
        "Reason",
        [
            InputRequired("Say why, for the audit log."),
            Length(max=300, message="The reason must be 300 characters or fewer."),
        ],
    )


def donation_or_404(reference: str):
    return found_or_404(gifts.by_reference(reference.upper()) if len(reference) <= 20 else None)


def consent_of(donor_id: int | None):
    """The donor's choices about research updates, as evidence, and what stands today."""
    if donor_id is None:
        return None
    return {"records": consent.evidence_of(donor_id), "standing": consent.subscription(donor_id)}


def _detail_page(donation, forms: dict | None = None, status: int = 200):
    personal = current_user.may(Permission.VIEW_PERSONAL_DATA)
    received = history.gifts_of(donation)
    forms = forms or {}
    refunds = []
    for entry in received:
        form = forms.get(entry.id) or RefundForm(formdata=None)
        if not form.amount.data:
            form.amount.data = exports.pounds_text(refundable(entry).total_pence)
        refunds.append((entry, refundable(entry), form))
    return (
        render_template(
            "finance/donation.html",
            donation=donation,
            personal=personal,
            can_refund=current_user.may(Permission.REFUND),
            refunds=refunds,
            plan=history.plan_of(donation),
            happenings=history.history(donation, personal=personal),
            gift_aid={
                gift.entry.id: gift.assessment for gift in eligibility.for_donation(donation.id)
            },
            can_cancel_declaration=current_user.may(Permission.CLAIM_GIFT_AID),
            consent=consent_of(donation.donor_id) if personal else None,
            wordings=WORDINGS,
            today=uk_today(),
            status_error=status >= 400,
        ),
        status,
    )


@bp.get("/donations/<reference>")
@requires(Permission.VIEW_RECORDS)
def donation(reference: str):
    return _detail_page(donation_or_404(reference))


@bp.post("/donations/<reference>/refund/<id:entry_id>")
@requires(Permission.REFUND)
def donation_refund(reference: str, entry_id: int):
    donation = donation_or_404(reference)
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.donation_id != donation.id or entry.kind not in GIFT_KINDS:
        abort(404)
    form = RefundForm()
    if form.validate():
        try:
            pence = parse_pounds(form.amount.data)
        except AmountError as error:
            form.amount.errors.append(str(error))
        else:
            try:
                with undone_on(RefundRefused):
                    message = refund(donation, entry, pence, form.reason.data.strip(), current_user)
            except RefundRefused as error:
                form.amount.errors.append(str(error))
            else:
                commit()
                flash(message)
                return redirect(url_for("finance.donation", reference=donation.reference), 303)
    return _detail_page(donation, {entry.id: form}, status=400)
