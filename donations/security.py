"""Headers every response carries, and the few responses that may be framed or fetched."""

from flask import current_app, request

EMBEDDABLE_PREFIXES = ("/embed/", "/api/", "/embed.js")


def _embeddable(path: str) -> bool:
    return path.startswith(EMBEDDABLE_PREFIXES) or path.endswith("/progress.svg")


def add_headers(response):
    config = current_app.config
    if _embeddable(request.path):
        ancestors = config["EMBED_FRAME_ANCESTORS"] or "*"
    else:
        ancestors = "'none'"
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action {_form_targets(config)}; "
        f"base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if config["DONATIONS_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def _form_targets(config) -> str:
    """The donation form redirects to Stripe Checkout, and browsers check that redirect too."""
    return "'self'" if config["SANDBOX"] else "'self' https://checkout.stripe.com"
