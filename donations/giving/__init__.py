"""The donor-facing web: the donation form, its prefill, and the donate and thank-you views."""

from flask import Flask

from donations.giving.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
