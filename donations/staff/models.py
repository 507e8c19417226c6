from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from donations.extensions import UTCDateTime, db, one_of, utcnow
from donations.staff.roles import ROLES, Permission, may


class StaffMember(UserMixin, db.Model):
    """Someone at the charity who signs in to the finance area."""

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: werkzeug's scrypt hash (memory-hard), never the password
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    #: bumped when the password or role changes or the account is closed: every signed-in
    #: session of the old one ends
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    def may(self, permission: Permission) -> bool:
        return self.active and may(self.role, permission)


class AuditEntry(db.Model):
    """One thing someone did, or tried to do. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: who: a staff member's e-mail, or what was typed at a failed sign-in, or "command line"
    actor: Mapped[str] = mapped_column(String(254))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: what it was done to (a donation's reference, an account), if anything
    subject: Mapped[str | None] = mapped_column(String(254))
    #: the rest, as JSON: filters, row counts, amounts, reasons
    detail: Mapped[str] = mapped_column(Text, default="{}")
    #: the client address the request came from
    address: Mapped[str | None] = mapped_column(String(64))


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_edits(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the audit log is never edited or deleted")
