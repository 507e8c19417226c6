"""The fund catalogue: each restricted fund, its story and its goal."""

from flask import Flask

from donations.funds.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
