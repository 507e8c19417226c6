"""The site as benchmarks/webhooks.py serves it, with one more endpoint: the floor.

`POST /bench/floor` does the least any webhook handler must (Stripe's signature checked, the
event's row inserted once, the transaction committed) in the same app, behind the same
hooks, on the same gunicorn instances, so the real handlers' rate can be read against it.
Never part of the site: gunicorn serves it only when a benchmark names this module."""

import json

import stripe
from flask import current_app, request

from donations import create_app
from donations.extensions import csrf, db, utcnow
from donations.payments.models import StripeEvent
from donations.upserts import insert_new


def floor():
    payload = request.get_data()
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8", "replace"),
            request.headers.get("Stripe-Signature", ""),
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            300,
        )
    except stripe.SignatureVerificationError:
        return {"error": "bad_signature"}, 400
    event = json.loads(payload)
    taken = insert_new(
        StripeEvent,
        id=event["id"],
        type=event["type"],
        outcome="received",
        payload=payload.decode(),
        received_at=utcnow(),
    )
    db.session.commit()
    return {"received": True, "duplicate": not taken}


app = create_app()
app.add_url_rule("/bench/floor", "bench_floor", csrf.exempt(floor), methods=["POST"])
