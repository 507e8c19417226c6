"""Configuration: production refuses to start unsafe, and says what is missing."""

import pytest

from donations import create_app
from donations.config import DEV_WEBHOOK_SECRET, PRODUCTION_REQUIRES, ConfigError
from tests.support import PRODUCTION


def production(tmp_path, **changes):
    values = {**PRODUCTION, "INSTANCE_PATH": str(tmp_path), **changes}
    return {key: value for key, value in values.items() if value is not ...}


@pytest.mark.parametrize("missing", PRODUCTION_REQUIRES)
def test_production_refuses_to_start_naming_what_is_missing(tmp_path, missing):
    with pytest.raises(ConfigError) as refused:
        create_app(production(tmp_path, **{missing: None}))
    message = str(refused.value)
    assert missing in message
    for present in set(PRODUCTION_REQUIRES) - {missing}:
        assert f" {present}" not in message.replace(",", " ")


def test_production_with_everything_starts_without_the_sandbox(tmp_path, make_app):
    app = make_app(**production(tmp_path, SANDBOX=True))
    assert app.config["SANDBOX"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "sandbox.checkout" not in app.view_functions
    response = app.test_client().get("/", base_url="https://give.charity.example")
    assert response.status_code == 200
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_production_serves_only_the_host_of_public_url(tmp_path):
    """Attack 1: a forged Host must never reach a link the site builds."""
    client = create_app(production(tmp_path)).test_client()
    assert client.get("/", base_url="https://evil.example").status_code == 400
    forged = client.post("/donate", base_url="https://evil.example", data={"amount": "25"})
    assert forged.status_code == 400
    assert b"evil.example" not in forged.data


@pytest.mark.parametrize("environment", ["Production", "prod", "PRODUCTION ", "staging", ""])
def test_an_unknown_environment_refuses_to_start(tmp_path, environment):
    """Attack 9: DONATIONS_ENV=Production once ran as development."""
    with pytest.raises(ConfigError, match="must be 'development' or 'production'"):
        create_app(production(tmp_path, DONATIONS_ENV=environment))


@pytest.mark.parametrize(
    "key", ["short", "x" * 64, "abcabcabcabcabcabcabcabcabcabcabcabc", "0123456789" * 3 + "0"]
)
def test_production_refuses_a_short_or_repetitive_secret_key(tmp_path, key):
    with pytest.raises(ConfigError, match="at least 32 random characters"):
        create_app(production(tmp_path, SECRET_KEY=key))


@pytest.mark.parametrize("environment", ["production", "development"])
def test_the_sandbox_secret_is_never_accepted_outside_the_sandbox(tmp_path, environment):
    """Attack 4: events signed with the published development secret raised a total."""
    with pytest.raises(ConfigError, match="development secret"):
        create_app(
            production(
                tmp_path,
                DONATIONS_ENV=environment,
                STRIPE_WEBHOOK_SECRET=DEV_WEBHOOK_SECRET,
            )
        )


def test_production_needs_an_https_public_url(tmp_path):
    with pytest.raises(ConfigError, match="https://"):
        create_app(production(tmp_path, PUBLIC_URL="http://give.charity.example"))


def test_stripe_mode_needs_a_webhook_secret(tmp_path):
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "STRIPE_SECRET_KEY": "sk_test_x",
                "STRIPE_WEBHOOK_SECRET": None,
                "SANDBOX": False,
            }
        )


def test_development_generates_a_secret_key_once(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": None})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": None})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_development_marks_its_charity_details_as_placeholders(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    for name in ("CHARITY_NAME", "CHARITY_NUMBER", "CHARITY_ADDRESS"):
        assert "placeholder" in app.config[name]


@pytest.mark.parametrize("end", ["31-03", "02-30", "02-29", "3/31", "", "03-31-2026"])
def test_an_accounting_year_end_that_is_not_a_day_refuses_to_start(tmp_path, end):
    with pytest.raises(ConfigError, match="ACCOUNTING_YEAR_END"):
        create_app(production(tmp_path, ACCOUNTING_YEAR_END=end))
