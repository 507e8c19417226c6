"""Staff accounts, their roles, and the audit log of what each did."""

from flask import Flask

from donations.staff.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
