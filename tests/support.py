"""Helpers the tests share: driving the donation journey over HTTP, signing webhook events,
and reading what the database holds. Not a test module; test modules import from here."""

import json
import os
import re
import secrets
import time
from email import message_from_bytes, policy

from sqlalchemy import func, select

from donations.extensions import db
from donations.funds.models import Fund
from donations.ledger.models import FundTotals
from donations.sandbox.signing import signature_header

WEBHOOK_SECRET = "whsec_test_secret"


# --- reading the database ------------------------------------------------------------------


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def fund_totals(slug: str) -> FundTotals:
    """The fund's kept totals, read fresh from the database."""
    fund_id = db.session.execute(select(Fund.id).where(Fund.slug == slug)).scalar_one()
    totals = db.session.get(FundTotals, fund_id)
    db.session.refresh(totals)
    return totals


# --- the donation journey over HTTP --------------------------------------------------------


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden {name} in the page"
    return match.group(1)


GOOD_GIFT = {
    "fund": "actimus",
    "amount": "25",
    "frequency": "one-off",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
}


def form_tokens(client, path="/donate") -> dict:
    html = client.get(path).get_data(as_text=True)
    return {
        "csrf_token": hidden_value(html, "csrf_token"),
        "form_token": hidden_value(html, "form_token"),
    }


def submit_gift(client, tokens=None, **fields):
    data = {**GOOD_GIFT, **fields}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/donate", data={**(tokens or form_tokens(client)), **data})


def sandbox_pay(client, checkout_url: str, **fields):
    path = checkout_url.split("://", 1)[-1].split("/", 1)[-1]
    html = client.get("/" + path).get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(html, "csrf_token"),
        "method": "card",
        "card_number": "4242 4242 4242 4242",
        "expiry": "12 / 30",
        "cvc": "123",
        **fields,
    }
    return client.post("/" + path, data=data)


def give(client, **fields):
    """A whole paid gift: the form, then the sandbox's card that succeeds."""
    response = submit_gift(client, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    paid = sandbox_pay(client, response.headers["Location"])
    assert paid.status_code == 303
    return paid


# --- webhook events ------------------------------------------------------------------------


def signed_event(event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    payload = json.dumps(event).encode()
    return payload, {
        "Stripe-Signature": signature_header(payload, secret, timestamp),
        "Content-Type": "application/json",
    }


def session_event(session: dict, event_type="checkout.session.completed", event_id="evt_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "api_version": "2026-10-28.endive",
        "livemode": False,
        "data": {"object": session},
    }


# --- configuration -------------------------------------------------------------------------

#: everything production demands, for tests that start it
PRODUCTION = {
    "DONATIONS_ENV": "production",
    "SECRET_KEY": "k3y-0f-32-r4nd0m-ch4r5-f0r-t3st1ng-0nly",
    "STRIPE_SECRET_KEY": "sk_live_test",
    "STRIPE_WEBHOOK_SECRET": "whsec_production_test",
    "SANDBOX": False,
    "PUBLIC_URL": "https://give.charity.example",
    "MAIL_FROM": "donations@charity.example",
    "CHARITY_NAME": "The Example MS Research Trust",
    "CHARITY_NUMBER": "1234567",
    "CHARITY_ADDRESS": "1 High Street, Exampletown EX1 1AA",
    "CONTACT_EMAIL": "supporters@charity.example",
    "PRIVACY_URL": "https://charity.example/privacy",
}


# --- e-mail --------------------------------------------------------------------------------


def plain_text(raw: bytes) -> str:
    """The plain-text part of an e-mail as a donor's mail program would show it."""
    email = message_from_bytes(raw, policy=policy.default)
    return email.get_body(preferencelist=("plain",)).get_content()


#: this run's rate-limit keys in a shared Redis, so two runs at once never count together
RUN_KEY_PREFIX = f"test-{os.getpid()}-{secrets.token_hex(4)}"


# --- the finance area ----------------------------------------------------------------------

STAFF_PASSWORD = "a long staff passphrase"


def csrf_token(client, path="/finance/login") -> str:
    return hidden_value(client.get(path).get_data(as_text=True), "csrf_token")


def sign_in(client, email: str, password: str = STAFF_PASSWORD):
    """Sign in through the form, as a member of staff would; returns the response."""
    return client.post(
        "/finance/login",
        data={"csrf_token": csrf_token(client), "email": email, "password": password},
    )


def staff_post(client, path: str, data: dict | None = None, page: str = "/finance/"):
    """A signed-in POST carrying the session's CSRF token (read from `page`)."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})
