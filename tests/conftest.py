"""Fixtures: the real schema (built by the migrations) on SQLite or PostgreSQL, wiped per test.

TEST_DATABASE_URL chooses the database; unset, a throwaway SQLite file. Each test sees a
database holding just the reference data that `flask db upgrade` puts there. Helpers for
driving the journey are in tests/support.py, test data in tests/factories.py.
"""

import os
from pathlib import Path

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import text

from donations import create_app
from donations.extensions import db
from tests.support import WEBHOOK_SECRET

#: the revisions that write reference data (the funds), each after the one before it
DATA_REVISIONS = (("0001", "0002"), ("0006", "0007"))


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
        # the limiter runs in every test, with room for any test's own requests
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "DONATE_RATE_LIMIT": "1000 per minute",
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
            for before, data in DATA_REVISIONS:
                stamp(revision=before)
                upgrade(revision=data)
            stamp(revision="head")
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
