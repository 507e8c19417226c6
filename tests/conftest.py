"""Fixtures: the real schema (built by the migrations, once per run) on SQLite or PostgreSQL,
emptied per test.

TEST_DATABASE_URL chooses the database server; unset, a throwaway SQLite file. On PostgreSQL
the run makes a database of its own beside the one named (which it only connects to), and
drops it at the end: two runs on one machine never meet, and nobody's data is touched. Each
test sees a database holding just the reference data that `flask db upgrade` puts there,
put back from a copy taken once after migrating. Helpers for driving the journey are in
tests/support.py, test data in tests/factories.py.
"""

import os
import secrets
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from donations import create_app
from donations.extensions import db
from tests.support import RUN_KEY_PREFIX, WEBHOOK_SECRET

#: what `flask db upgrade` left in each table, as (table, rows), copied once per run
REFERENCE_DATA: list[tuple] = []


def _server_engine(url: str):
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    named = os.environ.get("TEST_DATABASE_URL")
    if named and named.startswith("postgres"):
        server = make_url(named)
        own = f"donations_test_{os.getpid()}_{secrets.token_hex(4)}"
        admin = _server_engine(named)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{own}"'))
        url = server.set(database=own).render_as_string(hide_password=False)
    else:
        admin, own = None, None
        url = named or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        REFERENCE_DATA[:] = _reference_data()
        db.engine.dispose()
    yield url
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        admin.dispose()


def _reference_data() -> list[tuple]:
    with db.engine.connect() as connection:
        found = [
            (table, [dict(row) for row in connection.execute(table.select()).mappings()])
            for table in db.metadata.sorted_tables
        ]
    return [(table, rows) for table, rows in found if rows]


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
        # the limiter runs in every test, with room for any test's own requests
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "DONATE_RATE_LIMIT": "1000 per minute",
        "FUNDRAISING_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_KEY_PREFIX": RUN_KEY_PREFIX,
        # scrypt takes a tenth of a second a hash, and the suite signs staff in hundreds of
        # times: tests/finance/test_staff_accounts.py checks production's own scrypt
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        **overrides,
    }


@pytest.fixture
def reset_database():
    """A function that empties every table, then puts the reference data back the way
    `flask db upgrade` does. For tests that make an app of their own with make_app."""

    def reset(app) -> None:
        with app.app_context():
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                for table, rows in REFERENCE_DATA:
                    connection.execute(table.insert(), rows)
            db.session.remove()

    return reset


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
def app(make_app, reset_database):
    app = make_app()
    reset_database(app)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
