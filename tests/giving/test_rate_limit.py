"""Too many tries from one address get a calm 429, shared across workers through Redis."""

import os

import pytest
import redis

from donations.extensions import limiter
from donations.gifts.models import Donation
from tests.support import GOOD_GIFT, RUN_KEY_PREFIX, count, form_tokens, sandbox_pay, submit_gift

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def empty_redis():
    """This run's counts in the tests' Redis database, emptied: Flask-Limiter keeps the first
    key prefix it is given for the life of the process, so counts must not carry over between
    tests; another run's keys (another prefix) are left alone."""
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"*{RUN_KEY_PREFIX}*"):
        store.delete(key)


def limited_app(make_app, reset_database, storage: str):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        DONATE_RATE_LIMIT="3 per minute",
    )
    reset_database(app)
    return app


def test_the_fourth_try_in_a_minute_is_paused_and_records_nothing(make_app, reset_database):
    app = limited_app(make_app, reset_database, "memory://")
    with app.app_context():
        client = app.test_client()
        statuses = [submit_gift(client, email=f"d{n}@example.org").status_code for n in range(4)]
        assert statuses == [303, 303, 303, 429]
        paused = submit_gift(client)
        assert paused.status_code == 429
        assert "Please wait a moment" in paused.get_data(as_text=True)
        assert "Retry-After" in paused.headers
        assert count(Donation) == 3


def test_workers_share_the_limit_through_redis(make_app, reset_database, empty_redis):
    first = limited_app(make_app, reset_database, REDIS_URL)
    second = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        DONATE_RATE_LIMIT="3 per minute",
    )
    one, two = first.test_client(), second.test_client()
    statuses = [
        submit_gift(c, email=f"w{n}@example.org").status_code
        for n, c in enumerate((one, two, one, two))
    ]
    assert statuses == [303, 303, 303, 429]
    with first.app_context():
        assert count(Donation) == 3


def test_the_sandbox_pay_button_is_limited_too(make_app, reset_database):
    app = limited_app(make_app, reset_database, "memory://")
    with app.app_context():
        client = app.test_client()
        checkout = submit_gift(client).headers["Location"]
        tries = [
            sandbox_pay(client, checkout, card_number="4000 0000 0000 0002").status_code
            for _ in range(4)
        ]
        assert tries == [402, 402, 402, 429]


def test_each_address_has_its_own_allowance_behind_a_proxy(make_app, reset_database):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        DONATE_RATE_LIMIT="2 per minute",
        PROXY_COUNT=1,
    )
    reset_database(app)
    with app.app_context():
        client = app.test_client()

        def from_address(address: str, n: int) -> int:
            tokens = form_tokens(client)
            return client.post(
                "/donate",
                data={**tokens, **GOOD_GIFT, "email": f"d{n}@example.org"},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [from_address("198.51.100.1", n) for n in range(3)] == [303, 303, 429]
        assert from_address("198.51.100.2", 9) == 303, "another donor is not paused"


@pytest.fixture
def limiter_recovers():
    """Flask-Limiter is one object for every app of the process: once it has found its store
    dead it checks again only after a while, so it is told here that the next app's store is
    fine (the next test must not start on the fallback)."""
    yield
    limiter._storage_dead = False


def test_a_broken_rate_limit_store_never_stops_a_gift_and_each_process_counts_alone(
    make_app, reset_database, caplog, limiter_recovers
):
    app = limited_app(make_app, reset_database, "redis://127.0.0.1:9/0")
    with app.app_context():
        client = app.test_client()
        statuses = [submit_gift(client, email=f"d{n}@example.org").status_code for n in range(4)]
        assert statuses == [303, 303, 303, 429], "the limit holds, counted in this process"
        assert count(Donation) == 3
    said = [r.getMessage() for r in caplog.records if r.name == "flask-limiter"]
    assert any("falling back to in-memory storage" in line for line in said)
