"""Receipts: written in the transaction that records a payment, sent after it commits."""

from flask import Flask

from donations.gifts.signals import gift_paid
from donations.receipts.cli import cli
from donations.receipts.services import on_gift_paid


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
    gift_paid.connect(on_gift_paid)
