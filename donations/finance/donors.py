"""Donors as people: a search, one donor's whole record (gifts, plans, declarations,
messages, research-update choices), and merging two records of one person, said in full
before it is done. Staff without personal data see references and money only."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from donations.extensions import db
from donations.finance.donations import consent_of
from donations.finance.guard import bp, requires
from donations.gift_aid.models import SOURCES
from donations.gifts import donor_records
from donations.gifts.consent import WORDINGS
from donations.gifts.models import Donor
from donations.receipts import outbox
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.text import CONTROL
from donations.transaction import commit
from donations.updates import consent
from donations.web import Form, found_or_404

MAX_QUERY = 100
#: the largest id a database integer holds: anything past it is no donor
MAX_ID = 2**31 - 1


class MergeForm(Form):
    other = HiddenField()
    confirm = BooleanField(
        "I have checked these are the same person",
        [DataRequired("Tick to confirm these two records are the same person.")],
    )


def _donor_or_404(donor_id: int) -> Donor:
    return found_or_404(db.session.get(Donor, donor_id) if donor_id <= MAX_ID else None)


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


def _donor_page(donor: Donor, *, merge=None, form=None, problem=None, status=200):
    gifts = donor_records.gifts_of(donor.id)
    personal = _personal()
    return render_template(
        "finance/donor.html",
        donor=donor,
        summary=donor_records.row(donor),
        gifts=gifts,
        plans=donor_records.plans_of(donor.id),
        declarations=donor_records.declarations_of(donor.id),
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
    ), status


@bp.get("/donors/<int:donor_id>")
@requires(Permission.VIEW_RECORDS)
def donor(donor_id: int):
    return _donor_page(_donor_or_404(donor_id))


def _other(donor: Donor, text: str | None):
    """The donor to merge into this one, from the number staff typed: (plan, problem)."""
    number = (text or "").strip().removeprefix("#")
    if not number.isdigit() or int(number) > MAX_ID:
        return None, "Enter the other donor's number (as shown on their page, e.g. 1234)."
    other = db.session.get(Donor, int(number))
    if other is None:
        return None, f"There is no donor number {number}."
    try:
        return donor_records.merge_plan(donor, other), None
    except donor_records.MergeRefused as refused:
        return None, str(refused)


@bp.get("/donors/<int:donor_id>/merge")
@requires(Permission.MERGE_DONORS)
def donor_merge(donor_id: int):
    donor = _donor_or_404(donor_id)
    plan, problem = _other(donor, request.args.get("other"))
    form = MergeForm(formdata=None, other=str(plan.merged.id) if plan else "")
    return _donor_page(
        donor, merge=plan, form=form, problem=problem, status=400 if problem else 200
    )


@bp.post("/donors/<int:donor_id>/merge")
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
