"""The sandbox: an in-process stand-in for Stripe's servers, so the whole journey runs with
no key and no network. Its gateway, sessions, signed events, practice checkout and CLI."""

from flask import Flask

from donations.sandbox.cli import cli
from donations.sandbox.gateway import SandboxGateway
from donations.sandbox.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
    if app.config["SANDBOX"]:
        app.register_blueprint(bp)


__all__ = ["SandboxGateway", "init_app"]
