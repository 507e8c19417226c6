"""What every web package shares: absolute links, 404s, error pages and response headers.

Every response is closed by default: it may not be framed, read cross-origin, or post a form
anywhere but this site. A blueprint that must be open says so itself (`open_to_embedding`,
`forms_may_go_to`), so a new route is never opened by accident.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_request_context,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

T = TypeVar("T")


#: where `bin/serve` serves the site: links made outside a request when PUBLIC_URL is unset
#: (development only: production requires PUBLIC_URL)
LAPTOP_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """A full link: on PUBLIC_URL when it is set, else on the address the request came to
    (or, in a command on a laptop, where bin/serve serves)."""
    public_url = current_app.config["PUBLIC_URL"]
    if not has_request_context():
        with current_app.test_request_context(base_url=public_url or LAPTOP_URL):
            return url_for(endpoint, _external=True, **values)
    if public_url:
        return public_url + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def found_or_404(value: T | None) -> T:
    if value is None:
        abort(404)
    return value


class Form(FlaskForm):
    """Every form of the site. It reads only the form-encoded fields of a submission: a file
    sent under a text field's name, or a JSON body, is simply absent (a clean "enter your …"
    error), never an object where a string belongs."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # given by the caller: none, or these fields
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                return request.form or None
            return None


# --- uploads -------------------------------------------------------------------------------

UPLOADS = "accepts_uploads"


def accepts_uploads(view: Callable) -> Callable:
    """Let a view take a request as large as UPLOAD_MAX_BYTES (every other stops at
    MAX_CONTENT_LENGTH), so a file too large for its purpose gets its own clear answer."""
    setattr(view, UPLOADS, True)
    return view


def allow_uploads() -> None:
    """Before any other hook reads the body (CSRF does): raise the limit for upload views."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, UPLOADS, False):
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]


# --- headers -------------------------------------------------------------------------------

HEADER_POLICY = "header_policy"


def _declare(bp: Blueprint, **policy) -> None:
    """Record on each app this blueprint joins what its responses may do beyond the default."""

    def on_register(state) -> None:
        state.app.extensions.setdefault(HEADER_POLICY, {}).setdefault(bp.name, {}).update(policy)

    bp.record_once(on_register)


def open_to_embedding(bp: Blueprint) -> None:
    """Every response of this blueprint may be framed (EMBED_FRAME_ANCESTORS) and fetched
    from any origin."""
    _declare(bp, embeddable=True)


def forms_may_go_to(bp: Blueprint, origin: Callable[[], str | None]) -> None:
    """This blueprint's forms may lead the browser on to origin() (a payment page)."""
    _declare(bp, form_action=origin)


def _policy() -> dict:
    declared = current_app.extensions.get(HEADER_POLICY, {})
    policy: dict = {}
    for name in request.blueprints:
        policy = {**declared.get(name, {}), **policy}
    return policy


def secure_headers(response):
    config = current_app.config
    policy = _policy()
    if policy.get("embeddable"):
        ancestors = config["EMBED_FRAME_ANCESTORS"] or "*"
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        ancestors = "'none'"
        response.headers["X-Frame-Options"] = "DENY"
    extra_target = policy["form_action"]() if "form_action" in policy else None
    form_action = " ".join(filter(None, ("'self'", extra_target)))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action {form_action}; "
        f"base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}"
    )
    # Nothing is kept by a browser or a shared cache unless its view says it may be.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if config["DONATIONS_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


# --- error pages ---------------------------------------------------------------------------


def _bad_request(error):
    if request_ctx.url_adapter is None:  # a Host we do not serve: no page can be built for it
        return "This site is not served at that address.", 400, {"Content-Type": "text/plain"}
    return render_template("errors/400.html", reason=getattr(error, "description", "")), 400


def _not_found(error):
    return render_template("errors/404.html"), 404


def _not_allowed(error):
    return render_template("errors/400.html", reason="That page cannot do that."), 405


def _too_large(error):
    return render_template("errors/400.html", reason="That was too much to send."), 413


def _too_many(error):
    return render_template("errors/429.html"), 429


def _server_error(error):
    return render_template("errors/500.html"), 500


def _csrf_refused(error: CSRFError):
    return render_template("errors/400.html", reason=error.description), 400


#: the largest id a database integer column holds (PostgreSQL's are 32 bits)
ROW_ID_MAX = 2**31 - 1


class RowId(IntegerConverter):
    """A row's id in a path (`<id:name>`): a whole number a database integer can hold; any
    other number is no row there, a 404, never a query the database refuses."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=ROW_ID_MAX)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RowId
    for code, handler in (
        (400, _bad_request),
        (404, _not_found),
        (405, _not_allowed),
        (413, _too_large),
        (429, _too_many),
        (500, _server_error),
        (CSRFError, _csrf_refused),
    ):
        app.register_error_handler(code, handler)
    app.after_request(secure_headers)
    app.jinja_env.globals["absolute_url"] = absolute_url
