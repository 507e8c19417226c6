"""The gift domain: donors, donations, their states and transitions, supporters, moderation."""

from flask import Flask

from donations.gifts.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
