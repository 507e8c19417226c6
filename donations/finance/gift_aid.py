"""Gift Aid claims in the finance area: choose a period, see each gift's standing and every
row HMRC would refuse, fix a donor's details, create the claim, download its schedule, mark
it submitted or discard it."""

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from donations.claims import hmrc, small_donations, statements
from donations.claims import schedule as schedules
from donations.claims import services as claims
from donations.claims.models import ClaimStatus
from donations.extensions import db, length_of
from donations.finance.donations import donation_or_404
from donations.finance.guard import bp, requires
from donations.gift_aid import services as declarations
from donations.gift_aid.address import POSTCODE_TYPED_MAX, home_address_problems
from donations.gift_aid.models import GiftAidDeclaration, audit_subject
from donations.gifts.dates import tax_year_of
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.text import line_problem
from donations.transaction import commit, undone_on
from donations.uk_time import uk_date, uk_midnight, uk_today
from donations.web import Form, found_or_404

#: a page of this site's own to go back to: a path, no scheme, host or control characters
LOCAL_PATH = re.compile(r"/finance/[A-Za-z0-9/_.\-]*(\?[A-Za-z0-9=&%_.\-]*)?")


def _back(value: str | None, prefix: str, default: str) -> str:
    """Where to return after a form: the page it came from, when that is one of ours."""
    value = value or ""
    if value.startswith(prefix) and LOCAL_PATH.fullmatch(value):
        return value
    return default


class ClaimForm(Form):
    """Only the CSRF token: the period comes from the page's own fields."""


def _period(args) -> tuple[date, date, str | None]:
    today = uk_today()
    try:
        start = date.fromisoformat(args.get("from") or (today - timedelta(days=30)).isoformat())
        end = date.fromisoformat(args.get("to") or today.isoformat())
    except ValueError:
        return today, today, "Write each date as YYYY-MM-DD."
    return start, end, None


def _report(gifts) -> list[tuple[object, hmrc.Row]]:
    today = uk_today()
    return [
        (
            gift,
            hmrc.row_for(
                gift.declaration,
                gift.assessment.given_on,
                gift.assessment.claimable_pence,
                sponsored=gift.donation.sponsored,
                today=today,
            ),
        )
        for gift in gifts
        if gift.assessment.eligible
    ]


@bp.get("/gift-aid")
@requires(Permission.CLAIM_GIFT_AID)
def gift_aid():
    start, end, problem = _period(request.args)
    previewing = "from" in request.args and problem is None
    gifts = claims.preview(start, end) if previewing else []
    report = _report(gifts)
    return render_template(
        "finance/gift_aid.html",
        form=ClaimForm(formdata=None),
        start=start,
        end=end,
        problem=problem,
        previewing=previewing,
        report=report,
        refused=[gift for gift in gifts if not gift.assessment.eligible],
        claimable=sum(gift.assessment.claimable_pence for gift, _ in report),
        gift_aid_total=sum(gift.assessment.gift_aid_pence for gift, _ in report),
        over_claimed=sum(pence for _, pence in claims.over_claimed()) if previewing else 0,
        found=claims.all_claims(),
        small_donations=small_donations.years(),
        today=uk_today(),
    ), (400 if problem else 200)


@bp.post("/gift-aid")
@requires(Permission.CLAIM_GIFT_AID)
def gift_aid_create():
    if not ClaimForm().validate():
        flash("The form had expired; nothing was created. Please try again.")
        return redirect(url_for("finance.gift_aid"), 303)
    start, end, problem = _period(request.form)
    if problem is None:
        try:
            made = claims.create(start, end, current_user.email)
        except claims.ClaimRefused as refused:
            problem = str(refused)
    if problem is not None:
        flash(problem)
        return redirect(url_for("finance.gift_aid"), 303)
    commit()
    flash(f"Claim {made.reference} created as a draft.")
    return redirect(url_for("finance.gift_aid_claim", reference=made.reference), 303)


def _claim_or_404(reference: str):
    return found_or_404(claims.by_reference(reference))


def _schedule(claim):
    changed = claims.refresh(claim) if claim.status == ClaimStatus.DRAFT else []
    limit = current_app.config["GIFT_AID_AGGREGATE_LIMIT_PENCE"]
    aggregate = request.args.get("aggregate") == "yes"
    return schedules.build(claim, limit if aggregate else 0), changed, aggregate


@bp.get("/gift-aid/<reference>")
@requires(Permission.CLAIM_GIFT_AID)
def gift_aid_claim(reference: str):
    claim = _claim_or_404(reference)
    made, changed, aggregate = _schedule(claim)
    commit()
    return render_template(
        "finance/gift_aid_claim.html",
        form=ClaimForm(formdata=None),
        claim=claim,
        schedule=made,
        changed=changed,
        aggregate=aggregate,
        names=schedules.file_names(claim, made),
        gift_aid_total=sum(item.gift_aid_pence for item in claim.items),
    )


@bp.get("/gift-aid/<reference>/schedule.<kind>")
@requires(Permission.CLAIM_GIFT_AID)
def gift_aid_schedule(reference: str, kind: str):
    claim = _claim_or_404(reference)
    made, _, _ = _schedule(claim)
    if kind not in ("ods", "csv", "zip"):
        abort(404)
    if claim.status == ClaimStatus.DISCARDED:
        flash("A discarded claim has no schedule.")
        return redirect(url_for("finance.gift_aid_claim", reference=reference), 303)
    if made.problems:
        commit()
        flash("HMRC would refuse some rows: fix them first, then download the schedule.")
        return redirect(url_for("finance.gift_aid_claim", reference=reference), 303)
    audit.record(Action.CLAIM_SCHEDULE, subject=reference, rows=len(made.rows), kind=kind)
    commit()
    if kind == "csv":
        return _download(schedules.csv_text(made).encode(), f"{reference}.csv", "text/csv")
    files = schedules.ods_files(made)
    names = schedules.file_names(claim, made)
    if kind == "ods" and len(files) == 1:
        return _download(files[0], names[0], "application/vnd.oasis.opendocument.spreadsheet")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as bundle:
        for name, content in zip(names, files, strict=True):
            bundle.writestr(name, content)
    return _download(packed.getvalue(), f"{reference}.zip", "application/zip")


def _download(content: bytes, name: str, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/gift-aid/<reference>/<action>")
@requires(Permission.CLAIM_GIFT_AID)
def gift_aid_change(reference: str, action: str):
    claim = _claim_or_404(reference)
    if action not in ("submit", "discard"):
        abort(404)
    if not ClaimForm().validate():
        flash("The form had expired; nothing was changed. Please try again.")
        return redirect(url_for("finance.gift_aid_claim", reference=reference), 303)
    try:
        with undone_on(claims.ClaimRefused):
            message = _submit_or_discard(claim, action)
    except claims.ClaimRefused as refused:
        flash(str(refused))
        return redirect(url_for("finance.gift_aid_claim", reference=reference), 303)
    commit()
    flash(message)
    return redirect(url_for("finance.gift_aid_claim", reference=reference), 303)


def _submit_or_discard(claim, action: str) -> str:
    if action == "submit":
        made, _, _ = _schedule(claim)
        if made.problems:
            raise claims.ClaimRefused("HMRC would refuse some rows: fix them first.")
        claims.mark_submitted(claim, current_user.email)
        return f"Claim {claim.reference} marked as submitted to HMRC."
    released = claims.discard(claim)
    return f"Claim {claim.reference} discarded; its {released} gifts may be claimed again."


# --- fixing a donor's details for HMRC -------------------------------------------------------

#: every field HMRC prints from a declaration, and its length in the database
FIXABLE = {
    **{
        name: length_of(getattr(GiftAidDeclaration, name))
        for name in ("title", "first_name", "last_name", "house", "address")
    },
    "postcode": POSTCODE_TYPED_MAX,
}
FIX_LABELS = {
    "title": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "house": "House name or number",
    "address": "The rest of the address (street, town and country)",
    "postcode": "Postcode",
}


def fix_fields(overseas: bool) -> dict[str, str]:
    """The fields HMRC prints for a declaration: the rest of the address only for a donor
    abroad (it goes into HMRC's house column), the postcode only for one in the UK."""
    skipped = "postcode" if overseas else "address"
    return {name: label for name, label in FIX_LABELS.items() if name != skipped}


def read_declared(form, names, overseas: bool) -> tuple[dict, dict]:
    """A declaration's name and home address as staff typed them (the fields named), held to
    HMRC's rules: (values, problems by field). The postcode comes back as HMRC takes it."""
    values, problems = {}, {}
    for name in names:
        limit = FIXABLE[name]
        text = " ".join((form.get(name) or "").split())
        if name in ("first_name", "last_name") and not text:
            problems[name] = f"Enter the {FIX_LABELS[name].lower()}."
        elif len(text) > limit:
            problems[name] = f"{FIX_LABELS[name]} must be {limit} characters or fewer."
        elif (problem := line_problem(text, FIX_LABELS[name])) is not None:
            problems[name] = problem
        values[name] = text or None
    found, postcode = home_address_problems(
        values.get("house"), values.get("address"), values.get("postcode"), overseas
    )
    for name, problem in found.items():
        problems.setdefault(name, problem)
    if "postcode" in values:
        values["postcode"] = postcode
    return values, problems


def _read_fix(form, declaration) -> tuple[dict, dict]:
    return read_declared(form, fix_fields(declaration.overseas), declaration.overseas)


@bp.route("/gift-aid/declarations/<id:declaration_id>", methods=["GET", "POST"])
@requires(Permission.CLAIM_GIFT_AID)
def declaration_fix(declaration_id: int):
    declaration = found_or_404(db.session.get(GiftAidDeclaration, declaration_id))
    back = _back(request.values.get("back"), "/finance/gift-aid", url_for("finance.gift_aid"))
    values = {name: getattr(declaration, name) or "" for name in fix_fields(declaration.overseas)}
    problems: dict[str, str] = {}
    if request.method == "POST":
        values, problems = _read_fix(request.form, declaration)
        if not ClaimForm().validate():
            problems["form"] = "The form had expired; please send it again."
        if not problems:
            before = {name: getattr(declaration, name) for name in values}
            for name, value in values.items():
                setattr(declaration, name, value)
            audit.record(
                Action.DECLARATION_CORRECTED,
                subject=audit_subject(declaration.id),
                before=before,
                after=values,
            )
            commit()
            flash("The donor's details are corrected.")
            return redirect(back, 303)
    return render_template(
        "finance/declaration_fix.html",
        form=ClaimForm(formdata=None),
        declaration=declaration,
        values=values,
        problems=problems,
        labels=fix_fields(declaration.overseas),
        back=back,
    ), (400 if problems else 200)


@bp.post("/gift-aid/declarations/<id:declaration_id>/cancel")
@requires(Permission.CLAIM_GIFT_AID)
def declaration_cancel(declaration_id: int):
    declaration = found_or_404(db.session.get(GiftAidDeclaration, declaration_id))
    back = _back(request.form.get("back"), "/finance/donations/", url_for("finance.donations"))
    problem = None
    if not ClaimForm().validate():
        problem = "The form had expired; nothing was changed. Please try again."
    else:
        problem = _cancel(declaration, request.form.get("effective", ""))
    if problem is not None:
        flash(problem)
        return redirect(back, 303)
    commit()
    flash(
        "The donor's Gift Aid declarations are cancelled from "
        f"{uk_date(declaration.cancelled_at):%-d %B %Y}: gifts from then on carry no Gift Aid; "
        "earlier ones keep it."
    )
    return redirect(back, 303)


def _cancel(declaration: GiftAidDeclaration, effective_text: str) -> str | None:
    """Cancel from the day given (today if none); why not, in words, or None when done."""
    now = datetime.now(UTC)
    try:
        day = date.fromisoformat(effective_text) if effective_text.strip() else uk_today()
    except ValueError:
        return "Write the date the cancellation takes effect as YYYY-MM-DD."
    effective = now if day == uk_today() else uk_midnight(day)
    try:
        with undone_on(declarations.CancellationRefused):
            count = declarations.cancel_all(declaration.donor_id, effective, now)
    except declarations.CancellationRefused as refused:
        return str(refused)
    audit.record(
        Action.DECLARATION_CANCELLED,
        subject=f"donor {declaration.donor_id}",
        effective=effective,
        declarations=count,
    )
    return None


@bp.post("/gift-aid/statements/<reference>")
@requires(Permission.CLAIM_GIFT_AID)
def statement_send(reference: str):
    """E-mail a donation's donor their statement for the tax year the donation was made in,
    at staff's request: again, if it was sent before."""
    donation = donation_or_404(reference)
    if donation.donor is None:
        abort(404)
    back = url_for("finance.donation", reference=donation.reference)
    if not ClaimForm().validate():
        flash("The form had expired; nothing was sent. Please try again.")
        return redirect(back, 303)
    year = tax_year_of(uk_date(donation.paid_at or donation.created_at))
    label = statements.tax_year_label(year)
    if statements.queue(donation.donor, year, again=True):
        commit()
        flash(f"The {label} statement is on its way to the donor.")
    else:
        flash("Nothing was sent: the donor has no e-mail address, or no gift that year.")
    return redirect(back, 303)
