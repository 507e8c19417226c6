"""Errors reported to the charity's tracker (Sentry, or anything that takes its protocol)
when SENTRY_DSN is set; nothing is sent without it.

What is sent is the error and where it happened, never who it happened to: no cookies,
headers, query strings, bodies, user or local variables, and any e-mail address, postcode or
phone number left in a message is replaced before it leaves."""

import re

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration

from donations import logs

SCRUBBED = "[scrubbed]"

#: what could name or find a person in free text
PERSONAL = re.compile(
    r"[^\s@<>\"']+@[^\s@<>\"']+"  # an e-mail address
    r"|\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"  # a UK postcode
    r"|(?<!\w)(?:\+44|0)[\d ()-]{9,14}\d",  # a UK telephone number
    re.IGNORECASE,
)

#: what is kept of the request an error happened in
REQUEST_KEPT = ("method", "url")


def scrub_text(text: str) -> str:
    return PERSONAL.sub(SCRUBBED, text)


def _scrubbed(value):
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def _without_locals(event: dict) -> None:
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def before_send(event: dict, hint: dict) -> dict:
    """Keep the error, drop the person."""
    request = event.get("request") or {}
    event["request"] = {key: request[key] for key in REQUEST_KEPT if key in request}
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    _without_locals(event)
    event.setdefault("tags", {})["request_id"] = logs.request_id()
    return _scrubbed(event)


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["DONATIONS_ENV"],
        integrations=[FlaskIntegration()],
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=0,
        before_send=before_send,
        send_client_reports=False,
    )
