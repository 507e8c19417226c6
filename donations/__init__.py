"""Donations for a UK MS charity's restricted research funds.

`create_app` is the composition root: the one place that knows every package. Each package
exposes `init_app(app)`; the payment gateway is chosen here, from the configuration.
"""

import logging
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from donations import (
    claims,
    demo,
    error_reports,
    finance,
    fundraising,
    funds,
    gifts,
    giving,
    health,
    images,
    ledger,
    logs,
    markup,
    models,  # noqa: F401  (the whole schema, for Alembic)
    payments,
    progress,
    receipts,
    sandbox,
    staff,
    updates,
    web,
)
from donations import config as settings
from donations.extensions import csrf, db, limiter, migrate
from donations.money import format_gbp
from donations.page_cache import RenderedCache
from donations.payments.gateway import PaymentGateway
from donations.uk_time import uk_date

ROOT = settings.ROOT

#: each package's init_app, bottom layer first (docs/ARCHITECTURE.md)
PACKAGES = (
    markup,
    staff,
    images,
    funds,
    ledger,
    gifts,
    receipts,
    payments,
    claims,
    updates,
    sandbox,
    progress,
    giving,
    fundraising,
    finance,
    demo,
)


def create_app(config: dict | None = None) -> Flask:
    values = settings.from_environment()
    values.update(config or {})
    settings.check(values)

    app = Flask(
        __name__,
        instance_path=values["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(values)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["DONATIONS_ENV"] != "production":
        app.logger.setLevel(logging.INFO)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    app.before_request(web.allow_uploads)  # before CSRF's hook reads the body
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )
    app.extensions["payment_gateway"] = choose_gateway(app.config)
    app.extensions["page_cache"] = RenderedCache(app.config["PROGRESS_CACHE_SECONDS"])
    with app.app_context():
        _tune_sqlite(db.engine)

    logs.init_app(app)
    error_reports.init_app(app)
    web.init_app(app)
    health.init_app(app)
    for package in PACKAGES:
        package.init_app(app)
    app.jinja_env.filters["gbp"] = format_gbp
    app.jinja_env.filters["uk_date_long"] = lambda moment: uk_date(moment).strftime("%-d %B %Y")
    app.jinja_env.globals["sandbox"] = app.config["SANDBOX"]
    return app


def choose_gateway(config) -> PaymentGateway:
    """The sandbox when there is no Stripe key (never in production), else Stripe."""
    if config["SANDBOX"]:
        return sandbox.SandboxGateway()
    return payments.stripe_gateway(config)


def _tune_sqlite(engine: Engine) -> None:
    """SQLite: real transactions (so savepoints work), foreign keys on, wait on a busy lock."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _request_writes() else "BEGIN")


def _request_writes() -> bool:
    """A POST reads, then writes: in SQLite it must take the write lock up front, or a
    write by another process in between makes it fail at once instead of waiting its turn."""
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
