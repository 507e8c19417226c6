"""Donors as people: a search, one donor's whole record (gifts, plans, declarations,
messages, research-update choices), and merging two records of one person, said in full
before it is done. Staff without personal data see references and money only."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from donations.extensions import db
from donations.finance.donations import consent_of
from donations.finance.gift_aid import FIX_LABELS, fix_fields, read_declared
from donations.finance.guard import bp, requires
from donations.finance.offline import LABELS, read_date
from donations.gift_aid.models import (
    SOURCES,
    GiftAidDeclaration,
    audit_subject,
    needs_written_record,
)
from donations.gifts import declarations as donor_declarations
from donations.gifts import donor_records
from donations.gifts.consent import WORDINGS
from donations.gifts.models import Donor
from donations.gifts.offline import DECLARED_BY
from donations.receipts import letters, outbox
from donations.receipts.services import send_written_record
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.text import CONTROL
from donations.transaction import commit
from donations.uk_time import uk_today
from donations.updates import consent
from donations.web import ROW_ID_MAX, Form, found_or_404

MAX_QUERY = 100


class DeclarationForm(Form):
    """Only the CSRF token: the fields are read by `_read_declaration`."""


class MergeForm(Form):
    other = HiddenField()
    confirm = BooleanField(
        "I have checked these are the same person",
        [DataRequired("Tick to confirm these two records are the same person.")],
    )


def _donor_or_404(donor_id: int) -> Donor:
    return found_or_404(db.session.get(Donor, donor_id))


def _personal() -> bool:
    return current_user.may(Permission.VIEW_PERSONAL_DATA)


@bp.get("/donors")
@requires(Permission.VIEW_RECORDS)
def donors():
    q = (request.args.get("q") or "").strip()
    if len(q) > MAX_QUERY or CONTROL.search(q):
        problem = f"Search for at most {MAX_QUERY} ordinary characters."
        return render_template("finance/donors.html", q="", rows=[], problem=problem), 400
    rows = donor_records.search(q or None, personal=_personal())
    return render_template(
        "finance/donors.html", q=q, rows=rows, personal=_personal(), problem=None
    )


def _donor_page(
    donor: Donor,
    *,
    merge=None,
    form=None,
    problem=None,
    declaring=None,
    declaring_problems=None,
    status=200,
):
    gifts = donor_records.gifts_of(donor.id)
    declarations = donor_records.declarations_of(donor.id)
    personal = _personal()
    return render_template(
        "finance/donor.html",
        donor=donor,
        summary=donor_records.row(donor),
        gifts=gifts,
        plans=donor_records.plans_of(donor.id),
        declarations=declarations,
        messages=outbox.messages_for(donor.id, [gift.id for gift in gifts]),
        kind_of=outbox.kind_of,
        consent=consent_of(donor.id) if personal else None,
        wordings=WORDINGS,
        sources=SOURCES,
        personal=personal,
        can_merge=current_user.may(Permission.MERGE_DONORS),
        merge=merge,
        form=form or MergeForm(formdata=None),
        problem=problem,
        can_declare=personal and current_user.may(Permission.CLAIM_GIFT_AID),
        declaring=declaring or _declaration_values(donor, declarations),
        declaring_problems=declaring_problems or {},
        declaration_form=DeclarationForm(formdata=None),
        declared_by=DECLARED_BY,
        labels={**LABELS, "declared_on": "The day they made it"},
        needs_written_record=needs_written_record,
    ), status


@bp.get("/donors/<id:donor_id>")
@requires(Permission.VIEW_RECORDS)
def donor(donor_id: int):
    return _donor_page(_donor_or_404(donor_id))


# --- a declaration made after giving ------------------------------------------------------


def _declaration_values(donor: Donor, declarations: list) -> dict[str, str]:
    """What the form starts with: the donor's names and the address they last gave (the
    declarations come newest first)."""
    last = next(iter(declarations), None)
    values = {
        "title": donor.title or "",
        "first_name": donor.first_name,
        "last_name": donor.last_name,
    }
    if last is not None:
        values.update(house=last.house, address=last.address or "", postcode=last.postcode or "")
        values["overseas"] = "yes" if last.overseas else ""
    values["declared_by"], values["declared_on"] = "phone", uk_today().isoformat()
    return values


def _read_declaration(form) -> tuple[dict, dict[str, str]]:
    overseas = form.get("overseas") == "yes"
    values, problems = read_declared(form, fix_fields(overseas), overseas)
    values = {**dict.fromkeys(FIX_LABELS), **values, "overseas": overseas}
    values["declared_by"] = form.get("declared_by", "")
    if values["declared_by"] not in DECLARED_BY:
        problems["declared_by"] = "Choose how the donor made the declaration."
    try:
        values["declared_on"] = read_date((form.get("declared_on") or "").strip())
    except ValueError:
        problems["declared_on"] = "Write the date as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-20."
    else:
        if values["declared_on"] > uk_today():
            problems["declared_on"] = "The date cannot be in the future."
        elif values["declared_on"].year < 2000:
            problems["declared_on"] = "The date is too long ago."
    return values, problems


@bp.post("/donors/<id:donor_id>/declarations")
@requires(Permission.CLAIM_GIFT_AID)
def donor_declaration(donor_id: int):
    donor = _donor_or_404(donor_id)
    form = DeclarationForm()
    values, problems = _read_declaration(request.form)
    if not form.validate():
        problems["form"] = "The form had expired; please send it again."
    if problems:
        shown = {
            name: request.form.get(name, "")
            for name in (*FIX_LABELS, "declared_by", "declared_on", "overseas")
        }
        return _donor_page(donor, declaring=shown, declaring_problems=problems, status=400)
    made = donor_declarations.record(donor, **values)
    declaration = made.declaration
    audit.record(
        Action.DECLARATION_RECORDED,
        subject=audit_subject(declaration.id),
        how=declaration.source,
        covered=made.covered,
    )
    gifts = f"{made.covered} earlier gift{'s' if made.covered != 1 else ''}"
    told = (
        f"The declaration is recorded. It covers {gifts} of this donor, which may now be claimed."
    )
    if needs_written_record(declaration):
        if donor.email:
            send_written_record(declaration, donor.email)
            told += " Its written record is on its way to the donor by e-mail."
        else:
            told += " Print its written record below and post it to the donor today."
    commit()
    flash(told)
    return redirect(url_for("finance.donor", donor_id=donor.id), 303)


@bp.get("/gift-aid/declarations/<id:declaration_id>/record.pdf")
@requires(Permission.CLAIM_GIFT_AID)
def declaration_record_pdf(declaration_id: int):
    declaration = found_or_404(db.session.get(GiftAidDeclaration, declaration_id))
    if not needs_written_record(declaration):
        abort(404)
    try:
        content = letters.written_record_pdf(declaration)
    except letters.LettersUnavailable:
        return Response("Letters cannot be drawn on this server: WeasyPrint needs Pango.\n", 503)
    audit.record(Action.EXPORT, format="written record", subject=audit_subject(declaration.id))
    commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="declaration-{declaration.id}.pdf"'},
    )


def _other(donor: Donor, text: str | None):
    """The donor to merge into this one, from the number staff typed: (plan, problem)."""
    number = (text or "").strip().removeprefix("#")
    if not number.isdigit() or int(number) > ROW_ID_MAX:
        return None, "Enter the other donor's number (as shown on their page, e.g. 1234)."
    other = db.session.get(Donor, int(number))
    if other is None:
        return None, f"There is no donor number {number}."
    try:
        return donor_records.merge_plan(donor, other), None
    except donor_records.MergeRefused as refused:
        return None, str(refused)


@bp.get("/donors/<id:donor_id>/merge")
@requires(Permission.MERGE_DONORS)
def donor_merge(donor_id: int):
    donor = _donor_or_404(donor_id)
    plan, problem = _other(donor, request.args.get("other"))
    form = MergeForm(formdata=None, other=str(plan.merged.id) if plan else "")
    return _donor_page(
        donor, merge=plan, form=form, problem=problem, status=400 if problem else 200
    )


@bp.post("/donors/<id:donor_id>/merge")
@requires(Permission.MERGE_DONORS)
def donor_merge_carry_out(donor_id: int):
    donor = _donor_or_404(donor_id)
    form = MergeForm()
    plan, problem = _other(donor, form.other.data)
    if problem or not form.validate():
        return _donor_page(donor, merge=plan, form=form, problem=problem, status=400)
    merged_id = plan.merged.id
    outbox.move_donor(merged_id, donor.id)
    consent.merge(donor, plan.merged, takes_address=plan.takes_address)
    donor_records.merge(plan)
    audit.record(
        Action.DONORS_MERGED,
        subject=f"donor {donor.id}",
        merged=merged_id,
        gifts=plan.gifts,
        declarations=plan.declarations,
    )
    commit()
    flash(f"Donor {merged_id} is now part of this donor's record. Every gift and figure is kept.")
    return redirect(url_for("finance.donor", donor_id=donor.id), 303)
