"""What the site says about itself: one JSON object a line in production, every line with the
id of the request (or job) it came from, and lines about a gift with the id of the request
that started it (`form_request_id`), so a donation can be followed from the form through
Stripe's webhook to its receipt with one search.

A request's id is the load balancer's X-Request-Id when there is a proxy in front
(PROXY_COUNT) and it looks like one; otherwise a fresh one. It is sent back in the answer's
X-Request-Id."""

import logging
import re
import sys
import uuid
from contextvars import ContextVar

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

#: what a request id from a proxy may look like: nothing that could forge a log line
PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

#: a command's or the outbox worker's own id, where there is no request
_job_id: ContextVar[str | None] = ContextVar("job_id", default=None)

FIELDS = ("levelname", "name", "message", "request_id")
RENAMED = {"levelname": "level", "name": "logger"}


def new_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str | None:
    """The id of the request, or the job, being served now."""
    if has_request_context():
        return g.get("request_id")
    return _job_id.get()


def start_job(name: str) -> str:
    """A job outside any request (a command, a round of the outbox worker) gets its own id."""
    job = f"{name}-{new_id()}"
    _job_id.set(job)
    return job


class WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def about(donation) -> dict:
    """The fields a line about one gift carries: `extra=logs.about(donation)`."""
    return {"donation": donation.reference, "form_request_id": donation.request_id}


def _name_the_request() -> None:
    offered = request.headers.get("X-Request-Id", "")
    from_proxy = current_app.config["PROXY_COUNT"] and PROXY_REQUEST_ID.fullmatch(offered)
    g.request_id = offered if from_proxy else new_id()


def _say_which_request(response):
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def json_handler(stream=None) -> logging.Handler:
    """One JSON object a line, on stderr unless told otherwise."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            list(FIELDS), rename_fields=RENAMED, timestamp="time", json_ensure_ascii=False
        )
    )
    handler.addFilter(WithRequestId())
    handler.set_name("donations-json")
    return handler


def _write_json_lines(app: Flask) -> None:
    """Every logger of the process (the app's, the libraries', gunicorn's when it passes its
    lines on) writes JSON lines to stderr, once however many apps the process makes."""
    root = logging.getLogger()
    if not any(h.get_name() == "donations-json" for h in root.handlers):
        root.addHandler(json_handler())
    root.setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)


def init_app(app: Flask) -> None:
    app.before_request(_name_the_request)
    app.after_request(_say_which_request)
    if app.config["LOG_FORMAT"] == "json":
        _write_json_lines(app)
