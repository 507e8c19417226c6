"""A donor's request to be forgotten: find them by e-mail, see what will go and what HMRC
says must stay, then erase. Money records are never removed."""

from flask import flash, redirect, render_template, request, url_for
from wtforms import BooleanField, EmailField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from donations.finance.guard import bp, requires
from donations.gifts import erasure
from donations.gifts.erasure import declaration_subjects
from donations.payments.provider_payments import forget_customer
from donations.receipts.outbox import forget_recipient
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit
from donations.uk_time import uk_today
from donations.updates.consent import forget as forget_consent
from donations.web import Form


class ErasureForm(Form):
    email = EmailField(
        "The donor's e-mail address",
        [InputRequired("Enter the e-mail address the donor gave."), Length(max=254)],
    )
    reason = TextAreaField(
        "How the request came",
        [
            InputRequired("Say how the request came (a letter, an e-mail), for the audit log."),
            Length(max=300, message="Keep it to 300 characters."),
        ],
    )
    confirm = BooleanField(
        "I have checked this is the donor's own request",
        [DataRequired("Tick to confirm the request is the donor's own.")],
    )


def _page(form: ErasureForm, found=None, status: int = 200):
    return render_template("finance/erasure.html", form=form, found=found), status


@bp.get("/erasure")
@requires(Permission.ERASE_DONORS)
def erasure_page():
    email = (request.args.get("email") or "").strip()
    form = ErasureForm(formdata=None, email=email)
    if not email:
        return _page(form)
    if len(email) > 254:
        form.email.errors = ["Enter an e-mail address of at most 254 characters."]
        return _page(form, status=400)
    return _page(form, erasure.plan(email, uk_today()))


@bp.post("/erasure")
@requires(Permission.ERASE_DONORS)
def erasure_carry_out():
    form = ErasureForm()
    email = (form.email.data or "").strip()
    found = erasure.plan(email, uk_today()) if 0 < len(email) <= 254 else None
    if not form.validate():
        return _page(form, found, status=400)
    if not found.found:
        form.email.errors = ["No donor or donation has that e-mail address."]
        return _page(form, status=400)
    references = [donation.reference for donation in found.donations]
    erasure.erase(found)
    forget_recipient(found.email, [donation.id for donation in found.donations])
    forget_consent(found.donors, found.email)
    forget_customer(found.email, references)
    audit.forget(found.email, declaration_subjects(found))
    audit.record(
        Action.ERASURE,
        subject=f"{len(references)} donation(s): {', '.join(references[:20])}",
        reason=form.reason.data.strip(),
        kept_for_hmrc_until=found.keep_declaration_until,
    )
    commit()
    if found.keep_declaration_until:
        flash(
            "Erased the donor's contact details. Their name and address stay with their Gift "
            f"Aid declaration until {found.keep_declaration_until:%-d %B %Y}, as HMRC requires."
        )
    else:
        flash("Erased the donor's personal details. The money records stay, without them.")
    return redirect(url_for("finance.erasure_page"), 303)
