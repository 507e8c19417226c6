"""The append-only ledger of money movements, and each fund's running totals."""

from flask import Flask

from donations.ledger.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
