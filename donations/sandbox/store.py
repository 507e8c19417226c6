"""The sandbox's objects, kept in the database as Stripe keeps them."""

import secrets
import time

from sqlalchemy import Text, cast, or_, select

from donations.extensions import db
from donations.payments.objects import without_personal_data
from donations.sandbox.models import SandboxObject, SandboxSession

#: what the sandbox keeps beside a session that Stripe's session object does not carry
SANDBOX_ONLY = {"line_items", "sandbox_collection", "payment_intent_data", "subscription_data"}


def public_view(data: dict) -> dict:
    """A sandbox session as Stripe would show it, without the sandbox's own notes."""
    return {key: value for key, value in data.items() if key not in SANDBOX_ONLY}


def session(session_id: str | None) -> SandboxSession | None:
    if not session_id or len(session_id) > 64:
        return None
    return db.session.get(SandboxSession, session_id)


def update_session(row: SandboxSession, **changes) -> dict:
    row.data = {**row.data, **changes}
    db.session.flush()
    return public_view(row.data)


#: Stripe's id prefix for each kind of object
PREFIX = {
    "product": "prod",
    "customer": "cus",
    "payment_intent": "pi",
    "charge": "ch",
    "invoice": "in",
    "subscription": "sub",
    "refund": "re",
    "dispute": "du",
    "balance_transaction": "txn",
    "payout": "po",
    "billing_portal.session": "bps",
    "event": "evt",
}


def now() -> int:
    return int(time.time())


def new_id(kind: str) -> str:
    return f"{PREFIX[kind]}_test_{secrets.token_hex(12)}"


def put(kind: str, data: dict, idempotency_key: str | None = None) -> dict:
    """Keep a new object; its id and created time are filled in if missing."""
    obj = {"id": new_id(kind), "object": kind, "created": now(), "livemode": False, **data}
    db.session.add(
        SandboxObject(id=obj["id"], kind=kind, data=obj, idempotency_key=idempotency_key)
    )
    db.session.flush()
    return obj


def by_key(idempotency_key: str) -> dict | None:
    row = db.session.execute(
        select(SandboxObject).where(SandboxObject.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    return None if row is None else row.data


def get(object_id: str | None) -> dict | None:
    if not object_id or len(object_id) > 64:
        return None
    row = db.session.get(SandboxObject, object_id)
    return None if row is None else row.data


def update(object_id: str, **changes) -> dict:
    row = db.session.get(SandboxObject, object_id)
    row.data = {**row.data, **changes}
    db.session.flush()
    return row.data


def every(kind: str, **matching) -> list[dict]:
    """Objects of a kind, oldest first, whose fields equal those given."""
    rows = db.session.execute(
        select(SandboxObject).where(SandboxObject.kind == kind).order_by(SandboxObject.created_at)
    ).scalars()
    return [row.data for row in rows if all(row.data.get(k) == v for k, v in matching.items())]


def forget(email: str) -> int:
    """Every object and session that holds this e-mail loses its personal fields, and a
    key naming the address is replaced; returns how many were changed."""
    changed = 0
    for model in (SandboxObject, SandboxSession):
        rows = db.session.execute(
            select(model).where(
                or_(cast(model.data, Text).contains(email), model.idempotency_key.contains(email))
            )
        ).scalars()
        for row in rows:
            row.data = without_personal_data(row.data)
            if row.idempotency_key and email in row.idempotency_key:
                row.idempotency_key = f"forgotten:{row.id}"
            changed += 1
    db.session.flush()
    return changed
