"""A local HTTP server that answers like Stripe's API and records each request: what the
Stripe-mode tests and the end-to-end load benchmark talk to (Stripe cannot be reached here)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeStripe(BaseHTTPRequestHandler):
    """Answers like Stripe's API and records every request it was sent.

    The test puts what Stripe would list (events, balance transactions, payouts, refunds) in
    `server.lists`; what the app creates is made here with ids of Stripe's shape."""

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _made(self, prefix: str, key: str | None) -> str:
        """The same id for the same idempotency key, as Stripe answers a retry."""
        made = self.server.by_key
        return made.setdefault(key or f"no-key-{len(made)}", f"{prefix}_fake_{len(made)}")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = {key: values[0] for key, values in parse_qs(body).items()}
        key = self.headers.get("Idempotency-Key")
        self.server.requests.append({"path": self.path, "form": form, "idempotency_key": key})
        if self.path == "/v1/products":
            self._answer(200, {"id": self._made("prod", key), "object": "product", **form})
        elif self.path == "/v1/customers":
            self._answer(200, {"id": self._made("cus", key), "object": "customer", **form})
        elif self.path == "/v1/billing_portal/sessions":
            portal = self._made("bps", key)
            self._answer(
                200,
                {
                    "id": portal,
                    "object": "billing_portal.session",
                    "url": f"https://billing.stripe.com/p/session/{portal}",
                },
            )
        elif self.path == "/v1/refunds":
            refund = {
                "id": self._made("re", key),
                "object": "refund",
                "status": "pending",
                "amount": int(form["amount"]) if "amount" in form else None,
                "payment_intent": form.get("payment_intent"),
                "charge": form.get("charge"),
            }
            self._answer(200, refund)
        elif self.path == "/v1/checkout/sessions":
            self._answer(200, self._session(form, key))
        else:
            self._answer(404, {"error": {"message": "unknown"}})

    def _session(self, form: dict, key: str | None) -> dict:
        session_id = self._made("cs_test", key)
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
            "customer": form.get("customer"),
            "created": int(time.time()),
        }
        self.server.sessions[session_id] = session
        return session

    def do_GET(self):
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.server.requests.append({"path": self.path, "form": query, "idempotency_key": None})
        listed = {
            "/v1/events": "events",
            "/v1/balance_transactions": "balance_transactions",
            "/v1/payouts": "payouts",
            "/v1/refunds": "refunds",
            "/v1/checkout/sessions": "sessions",
        }
        if url.path in listed:
            items = (
                list(self.server.sessions.values())
                if url.path == "/v1/checkout/sessions"
                else self.server.lists[listed[url.path]]
            )
            for field in ("payout", "charge"):
                if field in query:
                    items = [item for item in items if item.get(field) == query[field]]
            self._answer(200, {"object": "list", "data": items, "has_more": False, "url": url.path})
            return
        if url.path.startswith("/v1/payouts/"):
            wanted = url.path.rsplit("/", 1)[-1]
            found = [p for p in self.server.lists["payouts"] if p["id"] == wanted]
            if found:
                self._answer(200, found[0])
            else:
                missing = {
                    "message": f"No such payout: '{wanted}'",
                    "type": "invalid_request_error",
                }
                self._answer(404, {"error": missing})
            return
        session_id = url.path.rsplit("/", 1)[-1]
        if session_id not in self.server.sessions:
            self._answer(404, {"error": {"message": "No such checkout.session"}})
            return
        self._answer(200, self.server.sessions[session_id])


def start(handler: type[BaseHTTPRequestHandler] = FakeStripe) -> ThreadingHTTPServer:
    """The fake, serving on a free port in a thread of its own."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests, server.sessions, server.by_key = [], {}, {}
    server.lists = {
        "events": [],
        "balance_transactions": [],
        "payouts": [],
        "refunds": [],
    }
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server
