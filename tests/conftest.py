"""Fixtures: the real schema (built by the migrations) on SQLite or PostgreSQL, wiped per test.

TEST_DATABASE_URL chooses the database; unset, a throwaway SQLite file. Each test sees a
database holding just the reference data that `flask db upgrade` puts there.
"""

import json
import os
import re
import time
from pathlib import Path

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import text

from donations import create_app
from donations.extensions import db
from donations.payments.signing import signature_header

WEBHOOK_SECRET = "whsec_test_secret"
#: the migration that puts the charity's funds in a new database
SEED_REVISION = "0002"


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory.mktemp("db"))
    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (true concurrency) are left out of the SQLite run, not skipped."""
    if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"):
        return
    kept = [item for item in items if "postgres_only" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _config(url: str, instance: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "OUTBOX_DIR": str(instance / "outbox"),
        "SECRET_KEY": "test-secret-key",
        "STRIPE_SECRET_KEY": None,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SANDBOX": True,
        "PUBLIC_URL": None,
        "MAIL_SERVER": None,
        "DONATIONS_ENV": "development",
        "PROGRESS_CACHE_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        **overrides,
    }


def _reset(app) -> None:
    """Empty every table, then put the reference data back the way the migration does."""
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        stamp(revision="0001")
        upgrade(revision=SEED_REVISION)
        stamp(revision="head")
        db.session.remove()


@pytest.fixture
def make_app(database_url, tmp_path):
    made = []

    def factory(**overrides):
        app = create_app(_config(database_url, tmp_path / "instance", **overrides))
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    _reset(app)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- helpers for the donation journey ------------------------------------------------------


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
