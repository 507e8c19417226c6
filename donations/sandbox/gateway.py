"""The sandbox's gateway: stands in for Stripe's servers when there is no key.

Sessions live in the database, so every worker sees them; their pages are the sandbox's own.
"""

import secrets
import time
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.payments.gateway import CheckoutSession, GatewayError
from donations.sandbox.models import SandboxSession
from donations.web import absolute_url

#: what the sandbox keeps beside a session that Stripe's session object does not carry
SANDBOX_ONLY = {"line_items", "sandbox_collection"}


def public_view(data: dict) -> dict:
    """A sandbox session as Stripe would show it, without the sandbox's own notes."""
    return {key: value for key, value in data.items() if key not in SANDBOX_ONLY}


def _new_session(session_id: str, params: dict) -> dict:
    amount = sum(
        item["price_data"]["unit_amount"] * item["quantity"] for item in params["line_items"]
    )
    now = int(time.time())
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": params["mode"],
        "status": "open",
        "payment_status": "unpaid",
        "amount_subtotal": amount,
        "amount_total": amount,
        "currency": "gbp",
        "client_reference_id": params.get("client_reference_id"),
        "customer": None,
        "customer_email": params.get("customer_email"),
        "metadata": params.get("metadata", {}),
        "payment_intent": None,
        "subscription": None,
        "invoice": None,
        "submit_type": params.get("submit_type"),
        "success_url": params["success_url"],
        "cancel_url": params["cancel_url"],
        "url": absolute_url("sandbox.checkout", session_id=session_id),
        "livemode": False,
        "created": now,
        "expires_at": now + 24 * 3600,
        "line_items": params["line_items"],
    }


class SandboxGateway:
    #: the practice checkout is on this site
    checkout_origin = None

    def create_checkout_session(self, params: dict, idempotency_key: str) -> CheckoutSession:
        existing = db.session.execute(
            select(SandboxSession).where(SandboxSession.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if existing is not None:
            return CheckoutSession(id=existing.id, url=existing.data["url"])
        session_id = "cs_test_" + secrets.token_hex(16)
        data = _new_session(session_id, params)
        db.session.add(SandboxSession(id=session_id, idempotency_key=idempotency_key, data=data))
        db.session.flush()
        return CheckoutSession(id=session_id, url=data["url"])

    def retrieve_checkout_session(self, session_id: str) -> dict:
        row = db.session.get(SandboxSession, session_id)
        if row is None:
            raise GatewayError(f"No such checkout.session: {session_id}")
        return public_view(row.data)

    # Refunds, the donor's portal, and listing events and balance transactions come with
    # the rest of a payment's life (renewals, refunds, disputes, payouts); until then the
    # sandbox says plainly that it cannot do them.
    def create_refund(self, params: dict, idempotency_key: str) -> dict:
        raise GatewayError("The sandbox cannot refund yet.")

    def create_portal_session(self, customer_id: str, return_url: str) -> str:
        raise GatewayError("The sandbox has no customer portal yet.")

    def list_events(self, since: datetime) -> Iterator[dict]:
        raise GatewayError("The sandbox cannot list events yet.")

    def list_balance_transactions(
        self, since: datetime | None = None, payout_id: str | None = None
    ) -> Iterator[dict]:
        raise GatewayError("The sandbox cannot list balance transactions yet.")
