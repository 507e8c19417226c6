"""For admins: the audit log, and staff accounts (made, given a role, closed)."""

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from donations.finance.guard import bp, requires
from donations.staff import accounts, audit
from donations.staff.models import StaffMember
from donations.staff.roles import ROLES, Permission
from donations.transaction import commit, undone_on
from donations.web import Form

AUDIT_PAGE = 100
ROLE_WORDS = {
    "admin": "Admin: everything, and staff accounts",
    "finance": "Finance: records, exports, refunds, offline gifts, messages, Gift Aid",
    "viewer": "Viewer: the records without donors' personal details; no exports",
    "editor": "Editor: funds' and appeals' pages only; no donors, no money",
}


@bp.get("/audit")
@requires(Permission.READ_AUDIT_LOG)
def audit_log():
    action = (request.args.get("action") or "").strip()[:40] or None
    before = request.args.get("before", "")
    before_id = int(before) if before.isdigit() and len(before) < 12 else None
    entries = audit.latest(action=action, limit=AUDIT_PAGE, before_id=before_id)
    return render_template(
        "finance/audit.html",
        entries=[(entry, json.loads(entry.detail or "{}")) for entry in entries],
        action=action,
        actions=audit.ACTIONS,
        older=entries[-1].id if len(entries) == AUDIT_PAGE else None,
    )


class NewStaffForm(Form):
    email = EmailField("E-mail address", [InputRequired("Enter their e-mail address.")])
    role = RadioField(
        "Role",
        choices=[SelectChoice(role.value, ROLE_WORDS[role.value]) for role in ROLES],
        validators=[InputRequired("Choose a role.")],
    )
    password = PasswordField(
        "A first password, at least 12 characters",
        [InputRequired("Enter a first password."), Length(max=256)],
    )


CHANGES = (*(role.value for role in ROLES), "close", "reopen")


class ChangeForm(Form):
    """Only the CSRF token: the change is the button pressed."""


def _staff_page(form: NewStaffForm, status: int = 200):
    return (
        render_template(
            "finance/staff.html",
            form=form,
            change=ChangeForm(formdata=None),
            staff=accounts.everyone(),
            roles=ROLES,
        ),
        status,
    )


@bp.get("/staff")
@requires(Permission.MANAGE_STAFF)
def staff():
    return _staff_page(NewStaffForm(formdata=None))


@bp.post("/staff")
@requires(Permission.MANAGE_STAFF)
def staff_create():
    form = NewStaffForm()
    if not form.validate():
        return _staff_page(form, 400)
    try:
        with undone_on(accounts.StaffError):
            member = accounts.create(form.email.data, form.password.data, form.role.data)
    except accounts.StaffError as error:
        target = form.password if "password" in str(error).lower() else form.email
        target.errors = [str(error)]
        return _staff_page(form, 400)
    commit()
    flash(f"{member.email} can now sign in as {member.role}. Give them the password in person.")
    return redirect(url_for("finance.staff"), 303)


@bp.post("/staff/<id:member_id>")
@requires(Permission.MANAGE_STAFF)
def staff_change(member_id: int):
    form = ChangeForm()
    member = accounts.by_id(member_id)
    if member is None:
        abort(404)
    if not form.validate():
        abort(400, description="The form had expired; please try again.")
    change = request.form.get("change", "")
    if change not in CHANGES:
        abort(400, description="Choose a change.")
    try:
        with undone_on(accounts.StaffError):
            message = _apply(member, change)
    except accounts.StaffError as error:
        flash(f"Not changed: {error}.")
        return redirect(url_for("finance.staff"), 303)
    commit()
    flash(message)
    return redirect(url_for("finance.staff"), 303)


def _apply(member: StaffMember, change: str) -> str:
    if change in {role.value for role in ROLES}:
        accounts.set_role(member, change)
        return f"{member.email} is now {change}."
    if change in ("close", "reopen"):
        if change == "close" and member.id == current_user.id:
            raise accounts.StaffError("you cannot close your own account")
        accounts.set_active(member, change == "reopen")
        return f"{member.email} {'can no longer' if change == 'close' else 'can again'} sign in."
    raise ValueError(f"not a change: {change}")
