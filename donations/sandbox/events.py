"""The events the sandbox sends: Stripe-shaped, signed, and delivered in-process through the
same webhook path as Stripe's. A delivery that fails is kept and tried again, as Stripe would:
the donor's payment stays complete in the sandbox whatever the handler did."""

import json
import logging

from flask import current_app

from donations.extensions import db
from donations.payments.gateway import API_VERSION
from donations.payments.webhooks import receive
from donations.sandbox import store
from donations.sandbox.signing import signature_header

log = logging.getLogger(__name__)


def _deliver(event: dict) -> bool:
    payload = json.dumps(
        {key: value for key, value in event.items() if key != "sandbox_delivered"}
    ).encode()
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        with db.session.begin_nested():
            answer = receive(payload, signature_header(payload, secret))
            if answer.status != 200:
                raise RuntimeError(f"answered {answer.status}: {answer.body}")
    except Exception:
        log.exception("the sandbox could not deliver %s; it will try again", event["id"])
        return False
    store.update(event["id"], sandbox_delivered=True)
    return True


def emit(event_type: str, obj: dict) -> bool:
    """Send one event, after any that are still waiting; True when it was taken."""
    deliver_waiting()
    event = store.put(
        "event",
        {
            "api_version": API_VERSION,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": obj},
            "sandbox_delivered": False,
        },
    )
    return _deliver(event)


def deliver_waiting() -> int:
    """Try again every event not yet taken, oldest first; returns how many were taken now."""
    return sum(_deliver(event) for event in store.every("event", sandbox_delivered=False))
