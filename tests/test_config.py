import pytest

from donations import create_app
from donations.config import ConfigError


def production(**env):
    return {
        "DONATIONS_ENV": "production",
        "SECRET_KEY": None,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
        **env,
    }


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, ["SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]),
        ({"SECRET_KEY": "s", "STRIPE_SECRET_KEY": "sk_live_x"}, ["STRIPE_WEBHOOK_SECRET"]),
        ({"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec"}, ["SECRET_KEY"]),
        ({"SECRET_KEY": "s", "STRIPE_WEBHOOK_SECRET": "whsec"}, ["STRIPE_SECRET_KEY"]),
    ],
)
def test_production_refuses_to_start_naming_what_is_missing(tmp_path, given, missing):
    with pytest.raises(ConfigError) as refused:
        create_app(production(INSTANCE_PATH=str(tmp_path), **given))
    for name in missing:
        assert name in str(refused.value)
    for name in {"SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"} - set(missing):
        assert f" {name}" not in str(refused.value).replace(",", " ")


def test_production_with_everything_starts_without_the_sandbox(tmp_path):
    app = create_app(
        production(
            INSTANCE_PATH=str(tmp_path),
            SECRET_KEY="s",
            STRIPE_SECRET_KEY="sk_live_x",
            STRIPE_WEBHOOK_SECRET="whsec",
            SANDBOX=True,
        )
    )
    assert app.config["SANDBOX"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "sandbox.checkout" not in app.view_functions
    response = app.test_client().get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


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
