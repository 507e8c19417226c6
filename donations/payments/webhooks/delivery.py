"""One webhook delivery: verified, recorded once, and passed to the handler for its type."""

import json
import logging
import re
import time
from dataclasses import dataclass

import stripe
from flask import current_app
from sqlalchemy import bindparam, update

from donations.extensions import db, utcnow
from donations.payments.models import StripeEvent
from donations.payments.objects import outline, without_personal_data
from donations.payments.webhooks.registry import HANDLERS
from donations.upserts import insert_new

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


class BadEvent(ValueError):
    pass


def _signed_at(signature: str) -> int:
    """The timestamp of a Stripe-Signature header that Stripe's own check has accepted."""
    fields = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
    return int(fields["t"])


#: how JSON spells half of a surrogate pair: the one text that parses but cannot be kept
#: (as raw bytes it is not UTF-8, and no signature over the payload's text matches it)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _parse(payload: bytes) -> dict:
    try:
        event = json.loads(payload)
        if _SURROGATE.search(payload):
            # half of a surrogate pair ("\ud800") is JSON, but no database stores it
            json.dumps(event, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, json.JSONDecodeError) as error:
        raise BadEvent("The body is not JSON in UTF-8.") from error
    if not isinstance(event, dict):
        raise BadEvent("The body is not an event object.")
    data = event.get("data")
    if (
        not isinstance(event.get("id"), str)
        or not event["id"]
        or len(event["id"]) > 255
        or not isinstance(event.get("type"), str)
        or len(event["type"]) > 100
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise BadEvent("The event lacks an id, a type or data.object.")
    return event


BAD_SIGNATURE = Answer(400, {"error": "bad_signature", "message": "Signature check failed."})
DUPLICATE = Answer(200, {"received": True, "duplicate": True})


def _secrets() -> list[str]:
    """The endpoint's secret, and while it is rolled the one before it (Stripe signs with
    both during a roll; either may be the one a delivery carries)."""
    config = current_app.config
    return [
        s
        for s in (config["STRIPE_WEBHOOK_SECRET"], config.get("STRIPE_WEBHOOK_SECRET_PREVIOUS"))
        if s
    ]


def _signed_by_stripe(payload: bytes, signature: str) -> bool:
    text = payload.decode("utf-8", "replace")
    for secret in _secrets():
        try:
            stripe.WebhookSignature.verify_header(text, signature, secret, TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            continue
        # Stripe's check refuses a signature older than the tolerance; not one dated ahead
        return _signed_at(signature) <= time.time() + TOLERANCE_SECONDS
    return False


def receive(payload: bytes, signature: str | None) -> Answer:
    """Verify, record and apply one delivery. The caller commits.

    Answers say whether the event was taken, never anything about a donor."""
    if not _signed_by_stripe(payload, signature or ""):
        return BAD_SIGNATURE
    try:
        event = _parse(payload)
    except BadEvent as error:
        return Answer(400, {"error": "malformed", "message": str(error)})
    return take(event)


def take(event: dict) -> Answer:
    """Record and apply one event already known to be Stripe's (verified, or fetched from
    Stripe's API by reconcile). The caller commits.

    What is kept of it has no personal field (a payment record needs ids, amounts, statuses
    and our own metadata); of an event that is not ours, only what it was."""
    taken = insert_new(
        StripeEvent,
        id=event["id"],
        type=event["type"],
        outcome="received",
        payload=json.dumps(without_personal_data(event)),
        received_at=utcnow(),
    )
    if not taken:  # delivered before, or by another worker at this moment
        return DUPLICATE
    handler = HANDLERS.get(event["type"])
    if handler is None:
        outcome, note, waiting_for = "ignored", "event type not handled", None
    else:
        outcome, note, waiting_for = handler(event["data"]["object"])
    kept = {"event_id": event["id"], "outcome": outcome, "note": note, "waiting_for": waiting_for}
    if outcome == "ignored":
        kept["payload"] = json.dumps(outline(event))
    db.session.connection().execute(_OUTCOME[outcome == "ignored"], kept)
    log.info(
        "stripe event %s",
        outcome,
        extra={"event": event["id"], "event_type": event["type"], "outcome": outcome},
    )
    return Answer(200, {"received": True, "outcome": outcome})


def _noting_outcome(*names: str):
    return (
        update(StripeEvent)
        .where(StripeEvent.id == bindparam("event_id"))
        .values({name: bindparam(name) for name in names})
    )


#: an event's outcome; of one ignored, only what it was (its outline) is kept
_OUTCOME = {
    False: _noting_outcome("outcome", "note", "waiting_for"),
    True: _noting_outcome("outcome", "note", "waiting_for", "payload"),
}
