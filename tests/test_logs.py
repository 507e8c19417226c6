"""Structured logs (one JSON object a line, each with its request's id, a gift followed from
the form through the webhook to the receipt) and error reports that carry no personal data."""

import gzip
import io
import json
import logging
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from flask.logging import default_handler

from donations import logs
from donations.extensions import csrf
from tests.support import form_tokens, sandbox_pay, submit_gift


@pytest.fixture
def log_lines():
    """What the process logs, as the JSON lines production writes, read back as dicts."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_gift_is_followed_from_the_form_through_the_webhook_to_the_receipt(app, log_lines):
    client = app.test_client()
    started = submit_gift(client, tokens=form_tokens(client), email="follow@example.org")
    form_request = started.headers["X-Request-Id"]
    paid = sandbox_pay(client, started.headers["Location"])
    assert paid.headers["X-Request-Id"] != form_request, "paying is a request of its own"

    lines = log_lines()
    following = [
        line for line in lines if form_request in (line.get("form_request_id"), line["request_id"])
    ]
    said = [line["message"] for line in following]
    assert said == ["gift started", "payment recorded", "e-mail sent"]
    reference = following[0]["donation"]
    assert {line["donation"] for line in following} == {reference}
    assert following[0]["request_id"] == form_request
    assert following[1]["request_id"] == paid.headers["X-Request-Id"]
    assert following[1]["kind"] == "payment"
    assert following[2]["kind"] == "Receipt"
    event = next(line for line in lines if line["message"].startswith("stripe event"))
    assert event["event_type"] == "checkout.session.completed"
    assert event["request_id"] == paid.headers["X-Request-Id"]
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
    assert "follow@example.org" not in json.dumps(lines), "no line names the donor"


@pytest.mark.parametrize(
    ("proxies", "offered", "kept"),
    [
        (1, "lb-0123456789abcdef", True),
        (0, "lb-0123456789abcdef", False),  # no proxy: anyone could have sent it
        (1, "short", False),
        (1, "x" * 65, False),
        (1, "id with spaces and {json}", False),
    ],
)
def test_a_request_id_is_the_proxys_only_when_there_is_one_and_it_is_plain(
    make_app, proxies, offered, kept
):
    app = make_app(PROXY_COUNT=proxies)
    answer = app.test_client().get("/healthz", headers={"X-Request-Id": offered})
    given = answer.headers["X-Request-Id"]
    assert (given == offered) is kept
    assert len(given) >= 8


def test_json_logging_is_set_up_once_however_many_apps_a_process_makes(make_app):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        apps = [make_app(LOG_FORMAT="json") for _ in range(2)]
        added = [h for h in root.handlers if h not in before]
        assert [h.get_name() for h in added] == ["donations-json"]
        assert default_handler not in apps[0].logger.handlers, "no line is written twice"
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)


# --- error reports ---------------------------------------------------------------------------


class Tracker(BaseHTTPRequestHandler):
    """Takes what Sentry's SDK sends (envelopes, maybe compressed) and keeps it as text."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # noqa: PLC0415  (only when the SDK chose it)

            body = brotli.decompress(body)
        self.server.received.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.end_headers()


@pytest.fixture
def tracker():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Tracker)
    server.received = []
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    sentry_sdk.init()  # the next app of this process reports nowhere


def failing_app(make_app, **config):
    app = make_app(PROPAGATE_EXCEPTIONS=False, **config)

    def fails():
        donor = {"email": "ada@example.org", "postcode": "SW1A 1AA"}  # noqa: F841  (a local)
        raise RuntimeError("could not write to ada@example.org at SW1A 1AA, tel 020 7946 0000")

    app.add_url_rule("/fails", "fails", csrf.exempt(fails), methods=["GET", "POST"])
    return app


def a_donor_meets_the_error(app):
    client = app.test_client()
    client.set_cookie("session", "ada@example.org")
    answer = client.post(
        "/fails?email=ada@example.org",
        data={"email": "ada@example.org", "first_name": "Ada"},
        headers={"X-Forwarded-Email": "ada@example.org", "User-Agent": "ada@example.org"},
    )
    assert answer.status_code == 500
    sentry_sdk.flush(timeout=5)


def test_an_error_reaches_the_tracker_without_the_donor(make_app, tracker):
    dsn = f"http://public@127.0.0.1:{tracker.server_port}/1"
    a_donor_meets_the_error(failing_app(make_app, SENTRY_DSN=dsn))
    sent = "\n".join(tracker.received)
    assert "RuntimeError" in sent
    assert "/fails" in sent
    assert "could not write to [scrubbed] at [scrubbed], tel [scrubbed]" in sent
    for personal in ("ada@example.org", "SW1A 1AA", "7946", "Ada"):
        assert personal not in sent


def test_nothing_is_reported_without_a_tracker(make_app, tracker):
    a_donor_meets_the_error(failing_app(make_app))
    assert tracker.received == []
