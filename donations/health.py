"""Whether the site can serve: `/healthz` for the load balancer, and a calm 503 ("please try
again shortly") whenever the database cannot be reached, never a traceback. A request whose
database went away wrote nothing: its one transaction is rolled back."""

import logging
from contextlib import suppress

from flask import Blueprint, Flask, render_template, request
from sqlalchemy import exc, text

from donations.extensions import db, limiter

log = logging.getLogger(__name__)

#: what SQLAlchemy raises when the database is down, restarting, refusing connections or
#: too busy to lend one (the pool's wait ran out)
DATABASE_AWAY = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)

#: how long a client should wait before trying again, in seconds
RETRY_AFTER = "30"

UNAVAILABLE = {"status": "unavailable"}

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except DATABASE_AWAY:
        forget_the_transaction()
        return UNAVAILABLE, 503, {"Retry-After": RETRY_AFTER}
    return {"status": "ok"}


def forget_the_transaction() -> None:
    """End a transaction whose database went away (a request's, or a worker's round)."""
    with suppress(*DATABASE_AWAY):  # the connection is gone, and its transaction with it
        db.session.rollback()
    db.session.remove()


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/stripe/"))


def database_away(error, template: str = "errors/503.html", **context):
    """The 503 for a request whose database went away; a view's own page may take the
    place of the plain one (the donation form keeps what was typed)."""
    forget_the_transaction()
    log.warning(
        "database unavailable: %s %s answered 503 (%s)",
        request.method,
        request.path,
        type(getattr(error, "orig", None) or error).__name__,
    )
    headers = {"Retry-After": RETRY_AFTER}
    if _wants_json():
        body = {**UNAVAILABLE, "message": "Please try again shortly."}
        return body, 503, headers
    return render_template(template, **context), 503, headers


def answer_database_away(app_or_blueprint: Flask | Blueprint, handler=database_away) -> None:
    """Who answers a request whose database went away: the plain 503, or a blueprint's own."""
    for error in DATABASE_AWAY:
        app_or_blueprint.register_error_handler(error, handler)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    answer_database_away(app)
