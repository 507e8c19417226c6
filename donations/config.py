"""Configuration from the environment, with laptop defaults and a strict production check."""

import os
import secrets
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
DEV_WEBHOOK_SECRET = "whsec_sandbox_development_only"  # noqa: S105  (sandbox only; production refuses it)


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message names what is missing."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance: Path) -> str:
    """In development a missing SECRET_KEY is generated once and kept under instance/."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(value: str | None, instance: Path) -> str:
    """DATABASE_URL as given, with PostgreSQL URLs sent to the psycopg 3 driver."""
    if not value:
        return f"sqlite:///{instance / 'donations.db'}"
    for scheme in ("postgres://", "postgresql://"):
        if value.startswith(scheme):
            return "postgresql+psycopg://" + value[len(scheme) :]
    return value


def from_environment(env: dict | None = None) -> dict:
    env = os.environ if env is None else env
    instance = Path(env.get("DONATIONS_INSTANCE", INSTANCE))
    environment = env.get("DONATIONS_ENV", "development")
    stripe_key = env.get("STRIPE_SECRET_KEY") or None
    return {
        "DONATIONS_ENV": environment,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance),
        "STRIPE_SECRET_KEY": stripe_key,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        #: while a webhook secret is rolled, the one before it, also accepted until removed
        "STRIPE_WEBHOOK_SECRET_PREVIOUS": env.get("STRIPE_WEBHOOK_SECRET_PREVIOUS") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "SANDBOX": stripe_key is None,
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "").rstrip("/") or None,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": not _flag(env.get("RATELIMIT_DISABLED")),
        "RATELIMIT_HEADERS_ENABLED": True,
        #: a broken Redis must not stop people giving: each process counts for itself until
        #: it is back (Flask-Limiter logs both moments)
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        #: how staff passwords are hashed (werkzeug): never read from the environment; only
        #: the tests choose a quicker one, to sign in hundreds of times a run
        "PASSWORD_HASH_METHOD": "scrypt",
        #: one JSON object a line (production's default), or plain text for a laptop
        "LOG_FORMAT": env.get("LOG_FORMAT") or ("json" if environment == "production" else "text"),
        #: the charity's error tracker (Sentry or compatible); nothing is sent without it
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "DONATE_RATE_LIMIT": env.get("DONATE_RATE_LIMIT", "10 per minute; 60 per hour"),
        #: wrong passwords allowed per staff account from one address, and sign-in tries per
        #: client address
        "SIGN_IN_LIMIT_PER_ACCOUNT": env.get(
            "SIGN_IN_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour"
        ),
        #: wrong passwords per account from all addresses together; past it, only an address
        #: the account signed in from before may try
        "SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE": env.get(
            "SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE", "30 per hour; 100 per day"
        ),
        "SIGN_IN_LIMIT_PER_ADDRESS": env.get(
            "SIGN_IN_LIMIT_PER_ADDRESS", "20 per minute; 100 per hour"
        ),
        #: a staff session ends after this long without a request, and after the longest day
        "STAFF_IDLE_MINUTES": int(env.get("STAFF_IDLE_MINUTES", "30")),
        "STAFF_SESSION_HOURS": int(env.get("STAFF_SESSION_HOURS", "12")),
        #: how many proxies in front set X-Forwarded-For (0: none, trust the socket)
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        "EMBED_FRAME_ANCESTORS": env.get("EMBED_FRAME_ANCESTORS", "*"),
        **{name: env.get(name) or None for name in CHARITY_IDENTITY},
        "CHARITY_NUMBER_SCOTLAND": env.get("CHARITY_NUMBER_SCOTLAND") or None,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS", "true")),
        "MAIL_FROM": env.get("MAIL_FROM") or None,
        "OUTBOX_DIR": str(instance / "outbox"),
        #: research updates and other bulk mail: how many a minute (0: no limit), how many
        #: the worker sends before looking again for receipts
        "OUTBOX_BULK_PER_MINUTE": int(env.get("OUTBOX_BULK_PER_MINUTE", "300")),
        "OUTBOX_BATCH_SIZE": int(env.get("OUTBOX_BATCH_SIZE", "20")),
        #: a sender that has held a message this long without sending it has died: it goes
        #: back to the queue (longer than any one message takes: SMTP's timeout is 10 s)
        "OUTBOX_CLAIM_SECONDS": int(env.get("OUTBOX_CLAIM_SECONDS", "300")),
        "FEE_RATE_BASIS_POINTS": int(env.get("FEE_RATE_BASIS_POINTS", "150")),
        "FEE_FIXED_PENCE": int(env.get("FEE_FIXED_PENCE", "20")),
        #: Stripe's published UK price for Bacs Direct Debit: 1% + 20p, capped at £4
        "BACS_FEE_RATE_BASIS_POINTS": int(env.get("BACS_FEE_RATE_BASIS_POINTS", "100")),
        "BACS_FEE_FIXED_PENCE": int(env.get("BACS_FEE_FIXED_PENCE", "20")),
        "BACS_FEE_CAP_PENCE": int(env.get("BACS_FEE_CAP_PENCE", "400")),
        #: the accounting journal (Xero's manual journal import): the charity's account codes,
        #: the tax rate's name as Xero shows it, and the tracking category holding the funds
        "JOURNAL_ACCOUNTS": {
            "gifts": env.get("JOURNAL_ACCOUNT_GIFTS", "200"),
            "fee_cover": env.get("JOURNAL_ACCOUNT_FEE_COVER", "260"),
            "refunds": env.get("JOURNAL_ACCOUNT_REFUNDS", "200"),
            "disputes": env.get("JOURNAL_ACCOUNT_DISPUTES", "200"),
            "stripe_fees": env.get("JOURNAL_ACCOUNT_STRIPE_FEES", "404"),
            "bank": env.get("JOURNAL_ACCOUNT_BANK", "090"),
            "unmatched": env.get("JOURNAL_ACCOUNT_UNMATCHED", "9999"),
        },
        "JOURNAL_TAX_RATE": env.get("JOURNAL_TAX_RATE", "No VAT"),
        "JOURNAL_TRACKING_NAME": env.get("JOURNAL_TRACKING_NAME", "Restricted fund"),
        "GIFT_AID_BASIC_RATE": int(env.get("GIFT_AID_BASIC_RATE", "20")),
        #: the last day (MM-DD) of the charity's accounting year: HMRC's four-year window
        "ACCOUNTING_YEAR_END": env.get("ACCOUNTING_YEAR_END", "03-31"),
        #: gifts of at most this many pence may be aggregated on a claim schedule (HMRC's
        #: limit is unconfirmed: £20, or £30 on some of its pages)
        "GIFT_AID_AGGREGATE_LIMIT_PENCE": int(env.get("GIFT_AID_AGGREGATE_LIMIT_PENCE", "2000")),
        #: the amounts offered as tiles, the first of the middle pre-selected
        "PRESET_AMOUNTS_PENCE": (1000, 2500, 5000, 10000),
        "PRESET_MONTHLY_PENCE": (500, 1000, 2000, 3000),
        "PRESET_ANNUAL_PENCE": (5000, 10000, 25000, 50000),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        #: what a view that takes an image may receive (the image itself may be 10 MB)
        "UPLOAD_MAX_BYTES": 24 * 1024 * 1024,
        #: how long a worker serves a rendered progress response before reading the totals again
        "PROGRESS_CACHE_SECONDS": float(env.get("PROGRESS_CACHE_SECONDS", "1")),  # float-ok
        "PROGRESS_CACHE_CONTROL": "public, max-age=10, stale-while-revalidate=60",
        #: supporters' pages public as soon as the address is confirmed (staff review after)
        "FUNDRAISING_LIVE_AT_ONCE": _flag(env.get("FUNDRAISING_LIVE_AT_ONCE")),
        #: how long a link to edit a supporter's page works
        "FUNDRAISING_LINK_DAYS": int(env.get("FUNDRAISING_LINK_DAYS", "7")),
        #: a supporter's page takes gifts this many days after its event, then closes
        "FUNDRAISER_OPEN_DAYS_AFTER_EVENT": int(env.get("FUNDRAISER_OPEN_DAYS_AFTER_EVENT", "28")),
        #: pages started (and fresh links asked for) from one address
        "FUNDRAISING_RATE_LIMIT": env.get("FUNDRAISING_RATE_LIMIT", "3 per hour; 10 per day"),
    }


ENVIRONMENTS = ("development", "production")
#: who the charity is: production refuses to start without each (docs/CONTRACT.md)
CHARITY_IDENTITY = (
    "CHARITY_NAME",
    "CHARITY_NUMBER",
    "CHARITY_ADDRESS",
    "CONTACT_EMAIL",
    "PRIVACY_URL",
)
#: obvious stand-ins for a laptop, each marked as one
PLACEHOLDERS = {
    "CHARITY_NAME": "Example MS Research Charity (placeholder)",
    "CHARITY_NUMBER": "0000000 (placeholder)",
    "CHARITY_ADDRESS": "1 Example Street, Exampletown EX1 1AA (placeholder)",
    "CONTACT_EMAIL": "supporters@charity.invalid",
    "PRIVACY_URL": "https://charity.invalid/privacy",
    "MAIL_FROM": "donations@charity.invalid",
}
PRODUCTION_REQUIRES = (
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "PUBLIC_URL",
    "MAIL_FROM",
    *CHARITY_IDENTITY,
)
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_DISTINCT = 12


def _weak_secret_key(key: str) -> bool:
    """Shorter than 32 characters, or too repetitive to be random ("aaaa…", "abcabc…")."""
    return len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_DISTINCT


def _trust_only_public_host(config: dict) -> None:
    """With PUBLIC_URL set, a request for any other host is refused (a forged Host header
    must never reach a link we build)."""
    if config.get("PUBLIC_URL"):
        config["TRUSTED_HOSTS"] = [urlsplit(config["PUBLIC_URL"]).netloc]


def _check_production(config: dict) -> None:
    missing = [name for name in PRODUCTION_REQUIRES if not config.get(name)]
    if missing:
        raise ConfigError(
            "Production refuses to start without: "
            + ", ".join(missing)
            + " (production never runs the payment sandbox)."
        )
    if _weak_secret_key(config["SECRET_KEY"]):
        raise ConfigError(
            f"Production needs a SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} random "
            "characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))'."
        )
    if config["STRIPE_WEBHOOK_SECRET"] == DEV_WEBHOOK_SECRET:
        raise ConfigError("STRIPE_WEBHOOK_SECRET is the sandbox's development secret.")
    if not config["PUBLIC_URL"].startswith("https://"):
        raise ConfigError("PUBLIC_URL must be the site's https:// address.")
    config["SANDBOX"] = False
    config["SESSION_COOKIE_SECURE"] = True


def _check_accounting_year_end(text: str) -> None:
    """MM-DD, a real day of a leap year or not (31-03, not 30-02)."""
    try:
        month, day = (int(part) for part in text.split("-"))
        date(2023, month, day)
    except ValueError as error:
        raise ConfigError(
            f"ACCOUNTING_YEAR_END must be the last day of the accounting year as MM-DD, "
            f"like 03-31, not {text!r}."
        ) from error


def check(config: dict) -> None:
    """Refuse an unsafe production, or an unknown environment; fill development gaps safely."""
    environment = config["DONATIONS_ENV"]
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"DONATIONS_ENV must be 'development' or 'production', not {environment!r}."
        )
    _trust_only_public_host(config)
    _check_accounting_year_end(config["ACCOUNTING_YEAR_END"])
    if config.get("SEND_RECEIPTS_AFTER_COMMIT") is None:
        # With Stripe, receipts wait for `outbox work`: a slow mail server never delays
        # Stripe's answer or a donor's page. The sandbox on a laptop sends them at once.
        config["SEND_RECEIPTS_AFTER_COMMIT"] = environment != "production" and not config.get(
            "STRIPE_SECRET_KEY"
        )
    if environment == "production":
        _check_production(config)
        return
    for name, placeholder in PLACEHOLDERS.items():
        config[name] = config.get(name) or placeholder
    if not config.get("STRIPE_SECRET_KEY"):
        config["SANDBOX"] = True
    elif not config.get("STRIPE_WEBHOOK_SECRET"):
        raise ConfigError("Stripe mode requires STRIPE_WEBHOOK_SECRET.")
    elif config["STRIPE_WEBHOOK_SECRET"] == DEV_WEBHOOK_SECRET:
        raise ConfigError("STRIPE_WEBHOOK_SECRET is the sandbox's development secret.")
    if config["SANDBOX"] and not config.get("STRIPE_WEBHOOK_SECRET"):
        config["STRIPE_WEBHOOK_SECRET"] = DEV_WEBHOOK_SECRET
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _dev_secret_key(Path(config["INSTANCE_PATH"]))
