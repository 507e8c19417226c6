"""The sandbox's gateway: stands in for Stripe's servers when there is no key.

Everything lives in the database, so every worker sees it; its pages (the practice checkout
and the donor's portal) are the sandbox's own. What it sends back is shaped as Stripe's API
documents it.
"""

import secrets
import time
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from donations.extensions import db
from donations.payments.gateway import CheckoutSession, GatewayError
from donations.sandbox import movements, store
from donations.sandbox.models import SandboxSession
from donations.sandbox.store import public_view
from donations.web import absolute_url


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
        "customer": params.get("customer"),
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
        "payment_intent_data": params.get("payment_intent_data"),
        "subscription_data": params.get("subscription_data"),
    }


def _created(kind: str, params: dict, idempotency_key: str) -> dict:
    return store.by_key(idempotency_key) or store.put(kind, params, idempotency_key)


def _since(objects: list[dict], since: datetime | None) -> list[dict]:
    floor = since.timestamp() if since is not None else 0
    return [obj for obj in objects if obj["created"] >= floor]


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

    def create_product(self, params: dict, idempotency_key: str) -> str:
        return _created("product", {"active": True, **params}, idempotency_key)["id"]

    def create_customer(self, params: dict, idempotency_key: str) -> str:
        return _created("customer", params, idempotency_key)["id"]

    def create_refund(self, params: dict, idempotency_key: str) -> dict:
        found = store.by_key(idempotency_key)
        if found is not None:
            return found
        try:
            return movements.refund(params, idempotency_key)
        except movements.SandboxError as error:
            raise GatewayError(str(error)) from error

    def forget_customer(self, email: str) -> None:
        store.forget(email)

    def create_portal_session(self, customer_id: str, return_url: str) -> str:
        portal = store.put(
            "billing_portal.session", {"customer": customer_id, "return_url": return_url}
        )
        return absolute_url("sandbox.portal", session_id=portal["id"])

    def list_events(self, since: datetime) -> Iterator[dict]:
        events = _since(store.every("event"), since)
        yield from (
            {key: value for key, value in event.items() if key != "sandbox_delivered"}
            for event in reversed(events)
        )

    def list_balance_transactions(
        self, since: datetime | None = None, payout_id: str | None = None
    ) -> Iterator[dict]:
        transactions = store.every("balance_transaction")
        if payout_id is not None:
            transactions = [t for t in transactions if t.get("payout") == payout_id]
        for transaction in reversed(_since(transactions, since)):
            yield {
                **transaction,
                "source": store.get(transaction["source"]) or transaction["source"],
            }

    def list_refunds(self, charge_id: str) -> Iterator[dict]:
        yield from store.every("refund", charge=charge_id)

    def list_checkout_sessions(self, since: datetime) -> Iterator[dict]:
        rows = db.session.execute(
            select(SandboxSession).where(SandboxSession.created_at >= since)
        ).scalars()
        yield from (public_view(row.data) for row in rows)

    def list_payouts(self, since: datetime) -> Iterator[dict]:
        yield from reversed(_since(store.every("payout"), since))

    def retrieve_payout(self, payout_id: str) -> dict | None:
        found = store.get(payout_id)
        return found if found is not None and found.get("object") == "payout" else None
