"""Synthetic donations for benchmarks, kept to the ledger's rules; never in production."""

from flask import Flask

from donations.demo.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
