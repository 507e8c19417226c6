"""Stripe mode: what the gateway asks Stripe for, checked against a local HTTP server."""

from typing import Literal, get_args, get_origin, get_type_hints

from sqlalchemy import select
from stripe.params.checkout import SessionCreateParamsLineItemPriceDataRecurring

from donations.extensions import db
from donations.gifts.models import Donation
from donations.ledger.models import LedgerEntry
from donations.payments.checkout import open_checkout
from tests.support import form_tokens, submit_gift


def test_checkout_session_request_carries_what_stripe_needs(stripe_client, fake_stripe):
    tokens = form_tokens(stripe_client)
    first = submit_gift(stripe_client, tokens=tokens, amount="25", cover_fees="y")
    second = submit_gift(stripe_client, tokens=tokens, amount="25", cover_fees="y")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_fake_")
    assert second.headers["Location"] == first.headers["Location"]

    creates = [r for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions"]
    assert len(creates) >= 1
    form = creates[0]["form"]
    reference = db.session.execute(select(Donation.reference)).scalar_one()
    assert form["mode"] == "payment"
    assert form["submit_type"] == "donate"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert form["line_items[0][price_data][currency]"] == "gbp"
    assert form["line_items[1][price_data][unit_amount]"] == "59"
    assert form["metadata[donation_reference]"] == reference
    assert form["client_reference_id"] == reference
    assert form["payment_intent_data[metadata][donation_reference]"] == reference
    assert not any(key.startswith("payment_method_types") for key in form)
    assert creates[0]["idempotency_key"] == f"checkout-{reference}"
    assert all(r["idempotency_key"] == creates[0]["idempotency_key"] for r in creates)
    products = {r["form"]["name"]: r for r in fake_stripe.requests if r["path"] == "/v1/products"}
    assert (
        form["line_items[0][price_data][product]"] == fake_stripe.by_key["catalogue-fund:actimus"]
    )
    assert form["line_items[1][price_data][product]"] == fake_stripe.by_key["catalogue-fee_cover"]
    assert set(products) == {"ACTiMuS trial", "Cover the fees"}
    customer_keys = [key for key in fake_stripe.by_key if key.startswith("catalogue-customer:")]
    assert len(customer_keys) == 1
    assert form["customer"] == fake_stripe.by_key[customer_keys[0]]
    assert "ada@example.org" not in customer_keys[0], "Stripe keeps the idempotency key"
    assert "customer_email" not in form


def test_the_catalogue_is_made_once_and_reused(stripe_client, fake_stripe):
    for amount in ("10", "25", "50"):
        submit_gift(stripe_client, amount=amount, cover_fees="y", email="Ada@Example.org")
    submit_gift(stripe_client, amount="10", email="grace@example.org")
    made = [
        r["path"] for r in fake_stripe.requests if r["path"] in ("/v1/products", "/v1/customers")
    ]
    assert sorted(made) == ["/v1/customers", "/v1/customers", "/v1/products", "/v1/products"]
    customers = {
        r["form"]["customer"] for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions"
    }
    assert len(customers) == 2, "one Customer per donor, by e-mail"


def test_the_same_donation_resubmitted_uses_the_same_idempotency_key(stripe_client, fake_stripe):
    """Even if the first answer never arrived, a retry for this donation asks with the same key."""
    submit_gift(stripe_client)
    with stripe_client.application.test_request_context():
        donation = db.session.execute(select(Donation)).scalar_one()
        donation.checkout_url = None  # as though the first answer was lost
        open_checkout(donation)
        db.session.rollback()
    keys = {
        r["idempotency_key"] for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions"
    }
    assert keys == {f"checkout-{donation.reference}"}
    assert donation.checkout_session_id == fake_stripe.by_key[f"checkout-{donation.reference}"]


def test_a_monthly_gift_asks_for_a_subscription(stripe_client, fake_stripe):
    submit_gift(stripe_client, frequency="monthly", amount="10")
    form = fake_stripe.requests[-1]["form"]
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert "submit_type" not in form
    assert form["subscription_data[metadata][donation_reference]"]


def stripes_intervals() -> set[str]:
    """The intervals stripe-python's own typed parameters for a Checkout line allow."""
    hints = get_type_hints(SessionCreateParamsLineItemPriceDataRecurring)
    literal = next(arg for arg in get_args(hints["interval"]) if get_origin(arg) is Literal)
    return set(get_args(literal))


def test_an_annual_gift_asks_for_a_subscription_paid_every_year(stripe_client, fake_stripe):
    submit_gift(stripe_client, frequency="annual", amount="100", cover_fees="y")
    form = fake_stripe.requests[-1]["form"]
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][unit_amount]"] == "10000"
    assert form["line_items[0][price_data][recurring][interval]"] == "year"
    assert form["line_items[1][price_data][recurring][interval]"] == "year", "the fee cover too"
    assert {"month", "year"} <= stripes_intervals()
    assert form["subscription_data[description]"] == "Annual gift to the ACTiMuS trial"
    assert "submit_type" not in form


def test_the_thank_you_page_asks_stripe_when_the_webhook_is_late(stripe_client, fake_stripe):
    submit_gift(stripe_client, amount="10")
    donation = db.session.execute(select(Donation)).scalar_one()
    fake_stripe.sessions[donation.checkout_session_id].update(
        status="complete", payment_status="paid", payment_intent="pi_late_webhook"
    )
    page = stripe_client.get(f"/donate/thanks?session_id={donation.checkout_session_id}")
    assert "is confirmed" in page.get_data(as_text=True)
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    assert entry.source_ref == "pi_late_webhook"


def test_an_unreachable_stripe_records_nothing_and_says_so(make_app, reset_database):
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_local", SANDBOX=False, STRIPE_API_BASE="http://127.0.0.1:9"
    )
    reset_database(app)
    with app.app_context():
        client = app.test_client()
        response = submit_gift(client)
        assert response.status_code == 503
        assert "nothing has been taken" in response.get_data(as_text=True)
        assert db.session.execute(select(Donation)).first() is None


def test_the_web_component_is_not_marked_test_only_with_stripe(stripe_client):
    assert "var TEST_MODE = false;" in stripe_client.get("/embed.js").get_data(as_text=True)
