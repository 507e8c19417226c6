"""The audit log: who did what, when, from where. Written in the same transaction as what it
records, so an action and its entry stand or fall together."""

import json
from enum import StrEnum

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import or_, select, update

from donations.extensions import db
from donations.staff.models import AuditEntry, StaffMember

COMMAND_LINE = "command line"


class Action(StrEnum):
    """Every action the log records; `record` takes no other."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGN_OUT = "sign_out"
    EXPORT = "export"
    REFUND = "refund"
    OFFLINE_GIFT = "offline_gift"
    OFFLINE_IMPORT = "offline_import"
    LETTERS_PRINTED = "letters_printed"
    MODERATION = "moderation"
    ERASURE = "erasure"
    DONORS_MERGED = "donors_merged"
    STAFF_CREATED = "staff_created"
    ROLE_CHANGED = "role_changed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (an action, not a password)
    ACCOUNT_CLOSED = "account_closed"
    ACCOUNT_REOPENED = "account_reopened"
    CLAIM_CREATED = "claim_created"
    CLAIM_SCHEDULE = "claim_schedule"
    CLAIM_SUBMITTED = "claim_submitted"
    CLAIM_DISCARDED = "claim_discarded"
    DECLARATION_CORRECTED = "declaration_corrected"
    DECLARATION_CANCELLED = "declaration_cancelled"
    DECLARATION_RECORDED = "declaration_recorded"
    STATEMENT_SENT = "statement_sent"
    FUND_CREATED = "fund_created"
    FUND_CHANGED = "fund_changed"
    APPEAL_CREATED = "appeal_created"
    APPEAL_CHANGED = "appeal_changed"
    FUNDRAISER_STARTED = "fundraiser_started"
    FUNDRAISER_CHANGED = "fundraiser_changed"
    UPDATE_WRITTEN = "update_written"
    UPDATE_CHANGED = "update_changed"
    UPDATE_PUBLISHED = "update_published"
    UPDATE_EMAILED = "update_emailed"


#: for the audit page's filter
ACTIONS = tuple(Action)


def record(
    action: Action,
    *,
    subject: str | None = None,
    actor: StaffMember | str | None = None,
    **detail,
) -> AuditEntry:
    """Add an entry. The actor is the signed-in staff member unless named (a string for
    someone not signed in, such as an e-mail typed at a failed sign-in). An action the log
    does not know is refused (ValueError), never written."""
    action = Action(action)
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
    conditions = [
        AuditEntry.detail.contains(email),
        AuditEntry.actor == email,
        AuditEntry.subject == email,
    ]
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
