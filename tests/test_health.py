"""Operations (docs/CONTRACT.md): /healthz, and a calm 503 whenever the database is away."""

import re

import pytest
from sqlalchemy.engine import make_url

from donations.gifts.models import Donation
from tests.support import GOOD_GIFT, count, form_tokens, signed_event


def unreachable(database_url: str) -> str:
    """The same kind of database, where none answers."""
    if database_url.startswith("postgres"):
        return make_url(database_url).set(port=9).render_as_string(hide_password=False)
    return "sqlite:////nonexistent/directory/donations.db"


@pytest.fixture
def away(make_app, database_url):
    """The site as it is while its database is down."""
    return make_app(SQLALCHEMY_DATABASE_URI=unreachable(database_url))


def test_healthz_says_ok_when_the_database_answers_and_is_never_kept_or_limited(app):
    client = app.test_client()
    answers = [client.get("/healthz") for _ in range(100)]
    assert [a.status_code for a in answers] == [200] * 100
    assert answers[-1].json == {"status": "ok"}
    assert answers[-1].headers["Cache-Control"] == "no-store"
    assert "X-RateLimit-Limit" not in answers[-1].headers


def test_healthz_says_unavailable_when_the_database_does_not(away):
    answer = away.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable"}
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/funds/actimus",
        "/donate",
        "/appeals/any",
        "/fundraising/any",
        "/funds/actimus/updates",
    ],
)
def test_every_page_is_a_plain_503_while_the_database_is_away(away, path, caplog):
    answer = away.test_client().get(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "Please try again shortly" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert "Retry-After" in answer.headers
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


def test_the_api_and_stripe_are_told_in_json_so_stripe_tries_again(make_app, database_url):
    stripe_mode = {"STRIPE_SECRET_KEY": "sk_test_local", "SANDBOX": False}
    away = make_app(SQLALCHEMY_DATABASE_URI=unreachable(database_url), **stripe_mode)
    client = away.test_client()
    api = client.get("/api/funds/actimus")
    assert (api.status_code, api.json["status"]) == (503, "unavailable")
    payload, headers = signed_event({"id": "evt_1", "type": "x", "data": {"object": {}}})
    webhook = client.post("/stripe/webhook", data=payload, headers=headers)
    assert (webhook.status_code, webhook.json["status"]) == (503, "unavailable")


def test_staff_signing_in_are_told_to_try_again(away):
    client = away.test_client()
    page = client.get("/finance/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": "a@example.org", "password": "x" * 12}
    answer = client.post("/finance/login", data=form)
    assert answer.status_code == 503
    assert "Please try again shortly" in answer.get_data(as_text=True)


def test_the_donation_form_keeps_what_was_typed_while_the_database_is_away(make_app, away):
    """The form was opened while all was well; by the time it is sent the database is gone.
    The answer keeps every field, and sending it again once the database is back starts the
    gift, once."""
    working = make_app()
    donor = working.test_client()
    tokens = form_tokens(donor)
    typed = {**tokens, **GOOD_GIFT, "amount": "other", "other_amount": "37.50"}

    stranded = away.test_client()
    stranded.set_cookie("session", donor.get_cookie("session").value)
    answer = stranded.post("/donate", data=typed)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "nothing has been taken" in page
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert kept == typed

    with working.app_context():
        assert count(Donation) == 0
        again = donor.post("/donate", data=kept)
        assert again.status_code == 303, "the kept form starts the gift"
        assert donor.post("/donate", data=kept).status_code == 303
        assert count(Donation) == 1
        assert Donation.query.one().amount_pence == 3750
