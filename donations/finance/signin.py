"""Signing in and out. Tries are limited per client address, and wrong passwords per account
from each address (shared through Redis when REDIS_URL is set), so a stranger's guesses lock
out only the stranger. Wrong passwords for an account from everywhere have a wider limit;
past it only an address the account has signed in from before may still try. Every try,
good or bad, goes in the audit log; signing out ends the session everywhere it was copied."""

import logging

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user
from limits import parse_many
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from donations.extensions import db, limiter
from donations.finance.guard import (
    begin_session,
    bp,
    end_session,
    requires,
    safe_next,
)
from donations.staff import accounts, audit
from donations.staff.audit import Action
from donations.staff.models import AuditEntry
from donations.staff.roles import Permission
from donations.transaction import commit
from donations.web import Form

WRONG = "The e-mail address or password is not right."
TOO_MANY = (
    "Too many tries to sign in to this account, or from your connection, in a short time. "
    "Wait a minute and try again; if you have forgotten your password, ask an administrator."
)


class SignInForm(Form):
    email = EmailField(
        "E-mail address",
        [InputRequired("Enter your e-mail address."), Length(max=254, message=WRONG)],
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password."), Length(max=256, message=WRONG)]
    )


log = logging.getLogger(__name__)


def _typed_email() -> str:
    typed = request.form.get("email", "") if request.method == "POST" else ""
    return typed.strip().lower()[:254]


def _account_key() -> str:
    """An account as tried from one address: wrong passwords counted here lock out only
    whoever typed them."""
    return f"staff-sign-in:{request.remote_addr}:{_typed_email()}"


def _everywhere_limits():
    return parse_many(current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE"])


def _everywhere_exceeded(email: str) -> bool:
    try:
        return not all(
            limiter.limiter.test(item, "everywhere", email) for item in _everywhere_limits()
        )
    except Exception:  # a broken Redis must not keep staff out; each address is still limited
        log.warning("sign-in limits: storage unavailable, the account-wide limit is not checked")
        return False


def _count_everywhere(email: str) -> None:
    try:
        for item in _everywhere_limits():
            limiter.limiter.hit(item, "everywhere", email)
    except Exception:
        log.warning("sign-in limits: storage unavailable, a wrong password was not counted")


def _signed_in_from_here_before(email: str) -> bool:
    member = accounts.by_email(email)
    if member is None:
        return False
    return (
        db.session.execute(
            select(AuditEntry.id).where(
                AuditEntry.action == "sign_in",
                AuditEntry.staff_id == member.id,
                AuditEntry.address == request.remote_addr,
            )
        ).first()
        is not None
    )


def _failed(response) -> bool:
    return response.status_code == 401


def _fresh_session() -> None:
    """A new session at each sign-in and sign-out, so nothing from before carries over (its
    CSRF token included, with this request's copy of it)."""
    session.clear()
    g.pop("csrf_token", None)  # this request's copy, made before the session was cleared


def _page(form: SignInForm, status: int = 200, problem: str | None = None):
    notice = None
    if request.args.get("expired"):
        notice = "You were signed out after a while without activity. Please sign in again."
    elif request.args.get("signed_out"):
        notice = "You have signed out."
    return (
        render_template("finance/login.html", form=form, problem=problem, notice=notice),
        status,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=["POST"], scope="sign-in"
)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="sign-in-account",
)
def login():
    form = SignInForm()
    if request.method == "GET" or not form.validate():
        if request.method == "GET" and current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")), 303)
        return _page(form, 400 if form.errors else 200)
    email = _typed_email()
    if _everywhere_exceeded(email) and not _signed_in_from_here_before(email):
        audit.record(
            Action.SIGN_IN_REFUSED, actor=email, reason="too many wrong passwords everywhere"
        )
        commit()
        return _page(SignInForm(), 429, problem=TOO_MANY)
    member = accounts.authenticate(form.email.data, form.password.data)
    if member is None:
        _count_everywhere(email)
        audit.record(Action.SIGN_IN_FAILED, actor=email)
        commit()
        return _page(form, 401, problem=WRONG)
    _fresh_session()
    login_user(member)
    begin_session()
    audit.record(Action.SIGN_IN, actor=member)
    commit()
    return redirect(safe_next(request.args.get("next")), 303)


@bp.errorhandler(RateLimitExceeded)
def refused(error):
    if request.endpoint == "finance.login":
        typed = _typed_email() or "(none)"
        audit.record(Action.SIGN_IN_REFUSED, actor=typed, reason="too many tries")
        commit()
        return _page(SignInForm(), 429, problem=TOO_MANY)
    return render_template("errors/429.html"), 429


@bp.post("/logout")
@requires(Permission.VIEW_RECORDS)
def logout():
    audit.record(Action.SIGN_OUT)
    accounts.end_sessions(current_user._get_current_object())
    end_session()
    _fresh_session()
    commit()
    return redirect(url_for("finance.login", signed_out=1), 303)
