"""The audit log: who did what, when, from where. Written in the same transaction as what it
records, so an action and its entry stand or fall together."""

import json

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import or_, select, update

from donations.extensions import db
from donations.staff.models import AuditEntry, StaffMember

COMMAND_LINE = "command line"
#: every action the log records, for the audit page's filter
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_refused",
    "sign_out",
    "export",
    "refund",
    "offline_gift",
    "offline_import",
    "moderation",
    "erasure",
    "staff_created",
    "role_changed",
    "password_changed",
    "account_closed",
    "account_reopened",
    "claim_created",
    "claim_schedule",
    "claim_submitted",
    "claim_discarded",
    "declaration_corrected",
    "declaration_cancelled",
    "statement_sent",
)


def record(
    action: str,
    *,
    subject: str | None = None,
    actor: StaffMember | str | None = None,
    **detail,
) -> AuditEntry:
    """Add an entry. The actor is the signed-in staff member unless named (a string for
    someone not signed in, such as an e-mail typed at a failed sign-in)."""
    if actor is None:
        actor = _signed_in()
    entry = AuditEntry(
        actor=actor.email if isinstance(actor, StaffMember) else actor,
        staff_id=actor.id if isinstance(actor, StaffMember) else None,
        action=action,
        subject=subject,
        detail=json.dumps(detail, default=str, sort_keys=True),
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _signed_in() -> StaffMember | str:
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return COMMAND_LINE


def latest(*, action: str | None = None, limit: int = 100, before_id: int | None = None):
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.execute(query).scalars())


ERASED = "(erased)"


def forget(email: str, subjects: list[str]) -> int:
    """A donor asked to be forgotten: entries about them keep what was done, by whom and
    when, but not their details. Entries on these subjects (a declaration's corrections)
    keep which fields changed, not the values; the e-mail goes from every entry.

    The only change the log ever takes, made by statement, not through the ORM, which refuses
    any edit to an entry."""
    conditions = [AuditEntry.detail.contains(email), AuditEntry.actor == email]
    if subjects:
        conditions.append(AuditEntry.subject.in_(subjects))
    entries = list(db.session.execute(select(AuditEntry).where(or_(*conditions))).scalars())
    for entry in entries:
        detail = json.loads(entry.detail or "{}")
        if entry.subject in subjects:
            for key in ("before", "after"):
                if isinstance(detail.get(key), dict):
                    detail[key] = dict.fromkeys(detail[key], ERASED)
        written = json.dumps(detail, default=str, sort_keys=True).replace(email, ERASED)
        db.session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(
                detail=written,
                actor=ERASED if entry.actor == email else entry.actor,
                subject=ERASED if entry.subject == email else entry.subject,
            )
            .execution_options(synchronize_session=False)
        )
    for entry in entries:
        db.session.expire(entry)
    return len(entries)
