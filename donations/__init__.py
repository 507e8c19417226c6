"""Donations for a UK MS charity's restricted research funds."""

import logging
from pathlib import Path

from flask import Flask, has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from donations import config as settings
from donations import models  # noqa: F401  (the whole schema, for Alembic)
from donations.demo.cli import cli as demo_cli
from donations.embed.cache import RenderedCache
from donations.embed.views import bp as embed_bp
from donations.extensions import csrf, db, limiter, migrate
from donations.funds.cli import cli as funds_cli
from donations.funds.services import absolute_url
from donations.funds.views import bp as funds_bp
from donations.giving.cli import cli as messages_cli
from donations.giving.views import bp as giving_bp
from donations.giving.views import csrf_refused
from donations.ledger.cli import cli as totals_cli
from donations.money import format_gbp
from donations.payments.gateway import gateway_for
from donations.payments.views import bp as payments_bp
from donations.receipts.cli import cli as outbox_cli
from donations.sandbox.cli import cli as sandbox_cli
from donations.sandbox.views import bp as sandbox_bp
from donations.security import add_headers

ROOT = settings.ROOT


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
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )
    app.extensions["payment_gateway"] = gateway_for(app.config)
    app.extensions["progress_cache"] = RenderedCache(app.config["PROGRESS_CACHE_SECONDS"])
    with app.app_context():
        _tune_sqlite(db.engine)

    _register_blueprints(app)
    _register_errors(app)
    app.after_request(add_headers)
    app.jinja_env.filters["gbp"] = format_gbp
    app.jinja_env.globals["sandbox"] = app.config["SANDBOX"]
    app.jinja_env.globals["absolute_url"] = absolute_url
    return app


def _register_blueprints(app: Flask) -> None:
    for blueprint in (
        funds_bp,
        embed_bp,
        messages_cli,
        demo_cli,
        giving_bp,
        payments_bp,
        funds_cli,
        totals_cli,
        outbox_cli,
        sandbox_cli,
    ):
        app.register_blueprint(blueprint)
    if app.config["SANDBOX"]:
        app.register_blueprint(sandbox_bp)


def _register_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_refused)

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/400.html", reason=getattr(error, "description", "")), 400

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def not_allowed(error):
        return render_template("errors/400.html", reason="That page cannot do that."), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/400.html", reason="That was too much to send."), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/500.html"), 500


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
