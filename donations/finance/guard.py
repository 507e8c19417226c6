"""The finance area's one door: every request under /finance/ passes `guard` before its
view. A view opens itself to a role with `requires(permission)`; a view that names no
permission is refused to everyone, so a new route is closed until someone decides who may
use it."""

import time
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from donations.extensions import db
from donations.staff.models import StaffMember
from donations.staff.roles import Permission

bp = Blueprint("finance", __name__, url_prefix="/finance")
login_manager = LoginManager()
login_manager.session_protection = "strong"

#: the only finance endpoints an anonymous visitor may reach
OPEN_ENDPOINTS = {"finance.login"}
SEEN_KEY = "staff_seen"
SIGNED_IN_KEY = "staff_since"
#: the longest page address a sign-in returns to
MAX_NEXT = 2000


@login_manager.user_loader
def load_staff(session_id: str) -> StaffMember | None:
    """The signed-in account, if the session was made for its current password and role."""
    member_id, _, version = session_id.partition(":")
    if not member_id.isdigit() or not version.isdigit():
        return None
    member = db.session.get(StaffMember, int(member_id))
    if member is None or not member.active or member.session_version != int(version):
        return None
    return member


def requires(permission: Permission) -> Callable:
    """Open a view to the staff whose role grants this permission."""

    def mark(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            return view(*args, **kwargs)

        checked.permission = permission
        return checked

    return mark


def _session_expired() -> bool:
    now = time.time()
    config = current_app.config
    idle = now - session.get(SEEN_KEY, 0) > config["STAFF_IDLE_MINUTES"] * 60
    too_long = now - session.get(SIGNED_IN_KEY, 0) > config["STAFF_SESSION_HOURS"] * 3600
    return idle or too_long


def end_session() -> None:
    logout_user()
    session.pop(SEEN_KEY, None)
    session.pop(SIGNED_IN_KEY, None)


def begin_session() -> None:
    now = time.time()
    session[SEEN_KEY] = now
    session[SIGNED_IN_KEY] = now


def _to_sign_in(**args):
    return redirect(url_for("finance.login", **args), 303)


@bp.before_request
def guard():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        wanted = request.full_path if request.method == "GET" else None
        return _to_sign_in(next=wanted) if wanted else _to_sign_in()
    if _session_expired():
        end_session()
        return _to_sign_in(expired=1)
    session[SEEN_KEY] = time.time()
    if request.endpoint == "finance.dashboard" and not current_user.may(Permission.VIEW_RECORDS):
        return redirect(home(), 303)  # the area's front door, for an editor: their pages
    view = current_app.view_functions.get(request.endpoint)
    permission = getattr(view, "permission", None)
    if permission is None or not current_user.may(permission):
        abort(403)
    return None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only somewhere under /finance/ on this site."""
    if (
        target
        and target.startswith("/finance/")
        and "\\" not in target
        and "//" not in target
        and target.isprintable()
        and len(target) <= MAX_NEXT
    ):
        return target
    return home()


def home() -> str:
    """Where a signed-in account starts: the dashboard, or the pages for an editor."""
    if current_user.is_authenticated and not current_user.may(Permission.VIEW_RECORDS):
        return url_for("finance.funds")
    return url_for("finance.dashboard")
