"""Helpers the tests share: driving the donation journey over HTTP, signing webhook events,
and reading what the database holds. Not a test module; test modules import from here."""

import json
import os
import re
import secrets
import time
from email import message_from_bytes, policy
from html import unescape

from sqlalchemy import func, select

from donations.extensions import db
from donations.funds.models import Fund
from donations.gifts.models import Donation
from donations.ledger.models import FundTotals
from donations.sandbox.signing import signature_header
from donations.staff import accounts
from donations.transaction import commit
from donations.uk_time import uk_today

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


#: a UK bank account the sandbox's Direct Debit takes
BANK_ACCOUNT = {
    "method": "bacs",
    "card_number": "",
    "account_holder": "Ada Lovelace",
    "sort_code": "10-88-00",
    "account_number": "00012345",
}


def sandbox_pay_by_direct_debit(client, checkout_url: str, **fields):
    """Pay at the sandbox's checkout by Bacs Direct Debit (a settlement follows later)."""
    return sandbox_pay(client, checkout_url, **{**BANK_ACCOUNT, **fields})


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


# --- a scripted year ------------------------------------------------------------------------

GIFT_AID = {"gift_aid": "y", "house": "1", "postcode": "SW1A 1AA"}


def reference_of(email: str) -> str:
    db.session.rollback()
    return db.session.execute(select(Donation.reference).where(Donation.email == email)).scalar()


def sandbox(runner, *args) -> None:
    result = runner.invoke(args=["sandbox", *args])
    assert result.exit_code == 0, result.output or repr(result.exception)


def a_year_of_gifts(client, runner) -> None:
    """Online gifts of every kind through the form and the sandbox (fee cover and two partial
    refunds, Bacs, monthly and yearly renewals, disputes lost and won) and a cheque entered by
    finance staff, who stay signed in."""
    give(client, amount="50", cover_fees="y", email="card@example.org", **GIFT_AID)
    sandbox(runner, "refund", reference_of("card@example.org"), "--amount", "5")
    sandbox(runner, "refund", reference_of("card@example.org"), "--amount", "7.50")
    bacs = submit_gift(client, amount="other", other_amount="40", email="bacs@example.org")
    sandbox_pay_by_direct_debit(client, bacs.headers["Location"])
    sandbox(runner, "settle", reference_of("bacs@example.org"))
    give(client, frequency="monthly", amount="10", email="monthly@example.org", **GIFT_AID)
    sandbox(runner, "renew", reference_of("monthly@example.org"))
    give(client, frequency="annual", amount="100", email="yearly@example.org", **GIFT_AID)
    sandbox(runner, "renew", reference_of("yearly@example.org"))
    give(client, fund="stem-cell-audit", amount="other", other_amount="30", email="l@example.org")
    sandbox(runner, "dispute", reference_of("l@example.org"))
    give(client, amount="other", other_amount="20", email="w@example.org", **GIFT_AID)
    sandbox(runner, "dispute", reference_of("w@example.org"), "--won")

    accounts.create("finance@example.org", STAFF_PASSWORD, "finance")
    commit()
    sign_in(client, "finance@example.org")
    cheque = {
        "fund": "stem-cell-audit",
        "amount": "25.00",
        "received_on": uk_today().isoformat(),
        "method": "cheque",
        "receipt_reference": "CHQ-1",
        "first_name": "Mary",
        "last_name": "Seacole",
        "gift_aid": "yes",
        "declaration_date": uk_today().isoformat(),
        "house": "14",
        "postcode": "SW1A 1AA",
    }
    assert staff_post(client, "/finance/offline", cheque, "/finance/offline").status_code == 303
    # the monthly donor stops Gift Aid part way: the next month carries none
    monthly = db.session.execute(
        select(Donation).where(Donation.email == "monthly@example.org")
    ).scalar_one()
    page = f"/finance/donations/{monthly.reference}"
    cancel = f"/finance/gift-aid/declarations/{monthly.declaration_id}/cancel"
    assert staff_post(client, cancel, {"effective": "", "back": page}, page).status_code == 303
    time.sleep(1.1)  # Stripe dates a payment to the second: the next one is after the cancellation
    sandbox(runner, "renew", monthly.reference)


def says(html: str, words: str) -> bool:
    """Whether a page says exactly these words as the whole of one message (an element's
    text, after any "Error:" for screen readers): not merely somewhere within other words."""
    text = unescape(html)
    hidden = r'(?:<span class="visually-hidden">[^<]*</span>\s*)?'
    return re.search(rf">\s*{hidden}{re.escape(words)}\s*<", text) is not None
