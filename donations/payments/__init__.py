"""Payments: the gateway interface and Stripe behind it, Checkout, and webhooks."""

from flask import Flask

# each event family registers its handlers (imported so, these bind no names here)
import donations.payments.webhooks.checkout
import donations.payments.webhooks.disputes
import donations.payments.webhooks.invoices
import donations.payments.webhooks.refunds  # noqa: F401
from donations.payments.cli import cli
from donations.payments.stripe_gateway import StripeGateway
from donations.payments.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
    # The sandbox delivers its events in-process; no endpoint takes them from outside.
    if not app.config["SANDBOX"]:
        app.register_blueprint(bp)


def stripe_gateway(config: dict) -> StripeGateway:
    return StripeGateway(config["STRIPE_SECRET_KEY"], config["STRIPE_API_BASE"])
