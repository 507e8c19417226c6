"""Stripe mode: a local HTTP server that answers like Stripe's API and records each request."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


class FakeStripe(BaseHTTPRequestHandler):
    """Answers like Stripe's API and records every request it was sent."""

    requests: list
    sessions: dict

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = {key: values[0] for key, values in parse_qs(body).items()}
        key = self.headers.get("Idempotency-Key")
        self.server.requests.append({"path": self.path, "form": form, "idempotency_key": key})
        if self.path != "/v1/checkout/sessions":
            self._answer(404, {"error": {"message": "unknown"}})
            return
        session_id = self.server.by_key.setdefault(key, f"cs_test_fake_{len(self.server.by_key)}")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form["mode"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "currency": "gbp",
            "amount_total": sum(int(v) for k, v in form.items() if k.endswith("[unit_amount]")),
            "metadata": {"donation_reference": form["metadata[donation_reference]"]},
            "client_reference_id": form["client_reference_id"],
            "payment_intent": None,
            "invoice": None,
            "subscription": None,
            "customer": None,
        }
        self.server.sessions[session_id] = session
        self._answer(200, session)

    def do_GET(self):
        self.server.requests.append({"path": self.path, "form": {}, "idempotency_key": None})
        session_id = self.path.rsplit("/", 1)[-1].split("?")[0]
        if session_id not in self.server.sessions:
            self._answer(404, {"error": {"message": "No such checkout.session"}})
            return
        self._answer(200, self.server.sessions[session_id])


@pytest.fixture
def fake_stripe():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    server.requests, server.sessions, server.by_key = [], {}, {}
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_app(make_app, reset_database, fake_stripe):
    """The app in Stripe mode, its Stripe the local fake: webhooks are taken over HTTP."""
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_local",
        SANDBOX=False,
        STRIPE_API_BASE=f"http://127.0.0.1:{fake_stripe.server_port}",
    )
    reset_database(app)
    with app.app_context():
        yield app


@pytest.fixture
def stripe_client(stripe_app):
    return stripe_app.test_client()
