"""Stripe mode: the app talks to a local server that answers like Stripe's API."""

import pytest

from tests.payments import fake_stripe as fake


@pytest.fixture
def fake_stripe():
    server = fake.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_app(make_app, reset_database, fake_stripe):
    """The app in Stripe mode, its Stripe the local fake: webhooks are taken over HTTP."""
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_local",
        SANDBOX=False,
        STRIPE_API_BASE=f"http://127.0.0.1:{fake_stripe.server_port}",
    )
    reset_database(app)
    with app.app_context():
        yield app


@pytest.fixture
def stripe_client(stripe_app):
    return stripe_app.test_client()
