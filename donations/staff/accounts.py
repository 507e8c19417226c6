"""Staff accounts: made from the command line (or by an admin), signed in with a password.
Each change is written to the audit log here, whoever asked for it."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from donations.extensions import db
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.models import StaffMember
from donations.staff.roles import ROLES, Role

#: NCSC: length over complexity; anything printable, spaces included
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
#: zxcvbn judges at most this much (its matching grows fast with length, and it refuses more
#: with a ValueError): a longer password is judged by its start
JUDGED_LENGTH = 72
#: zxcvbn's 0 to 4: 3 is "safely unguessable: moderate protection from offline attacks"
MIN_PASSWORD_SCORE = 3
#: words anyone guessing a password here would try first
OWN_WORDS = ("donations", "donate", "finance", "charity", "stem cell", "actimus", "gift aid")
#: checked when no account matches, so an unknown e-mail costs the same time as a known one
_NOBODY = generate_password_hash("not anyone's password")


class StaffError(ValueError):
    pass


def _hashed(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _normal_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise StaffError(f"{email!r} is not an e-mail address") from error


def check_password(password: str, email: str = "") -> str:
    """A password long enough and not easily guessed (NIST SP 800-63B: refuse what is common,
    repetitive or drawn from the account itself), judged by zxcvbn."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffError(f"A password may have at most {MAX_PASSWORD_LENGTH} characters.")
    if not password.isprintable():
        raise StaffError("A password may not hold control characters.")
    if not password.strip():
        raise StaffError("A password needs more than spaces.")
    judged = zxcvbn(
        password[:JUDGED_LENGTH], user_inputs=[email, email.partition("@")[0], *OWN_WORDS]
    )
    if judged["score"] < MIN_PASSWORD_SCORE:
        why = judged["feedback"]["warning"] or "It would be easy to guess."
        raise StaffError(
            f"Choose a password that is harder to guess. {why} A few unrelated words make a "
            "strong one."
        )
    return password


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as error:
        raise StaffError(f"the role must be one of {', '.join(ROLES)}") from error


def by_email(email: str) -> StaffMember | None:
    return db.session.execute(
        select(StaffMember).where(StaffMember.email == email.strip().lower())
    ).scalar_one_or_none()


def create(email: str, password: str, role: str) -> StaffMember:
    address = _normal_email(email)
    if by_email(address) is not None:
        raise StaffError(f"{address} already has an account")
    member = StaffMember(
        email=address,
        password_hash=_hashed(check_password(password, address)),
        role=_role(role),
    )
    db.session.add(member)
    db.session.flush()
    audit.record(Action.STAFF_CREATED, subject=member.email, role=member.role)
    return member


def authenticate(email: str, password: str) -> StaffMember | None:
    """The active account with this e-mail and password, else None (the same time either way)."""
    member = by_email(email) if len(email) <= 254 else None
    known = member.password_hash if member is not None else _NOBODY
    matches = check_password_hash(known, password[:MAX_PASSWORD_LENGTH])
    if member is None or not matches or not member.active:
        return None
    return member


def set_role(member: StaffMember, role: str) -> StaffMember:
    new_role = _role(role)
    if member.role == Role.ADMIN and new_role != Role.ADMIN and _admins() == 1:
        raise StaffError("the last admin cannot stop being one")
    before = member.role
    member.role = new_role
    member.session_version += 1
    db.session.flush()
    audit.record(Action.ROLE_CHANGED, subject=member.email, before=before, after=new_role)
    return member


def end_sessions(member: StaffMember) -> None:
    """Every session made for this account stops working, copied cookies included."""
    member.session_version += 1
    db.session.flush()


def set_password(member: StaffMember, password: str) -> StaffMember:
    member.password_hash = _hashed(check_password(password, member.email))
    member.session_version += 1
    db.session.flush()
    audit.record(Action.PASSWORD_CHANGED, subject=member.email)
    return member


def set_active(member: StaffMember, active: bool) -> StaffMember:
    if not active and member.role == Role.ADMIN and _admins() == 1:
        raise StaffError("the last admin's account cannot be closed")
    member.active = active
    member.session_version += 1
    db.session.flush()
    closed = Action.ACCOUNT_REOPENED if active else Action.ACCOUNT_CLOSED
    audit.record(closed, subject=member.email)
    return member


def _admins() -> int:
    return db.session.execute(
        select(func.count()).where(StaffMember.role == Role.ADMIN, StaffMember.active)
    ).scalar_one()


def by_id(member_id: int) -> StaffMember | None:
    return db.session.get(StaffMember, member_id)


def everyone() -> list[StaffMember]:
    return list(db.session.execute(select(StaffMember).order_by(StaffMember.email)).scalars())
