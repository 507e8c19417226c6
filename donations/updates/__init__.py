"""Research updates: staff write what a fund's money has done; it appears on the fund's page
and feed, and goes by e-mail to the donors who asked, with their consent kept as evidence."""

from flask import Flask

from donations.gifts.signals import gift_paid
from donations.receipts.outbox import address_refused
from donations.updates import consent, mail  # noqa: F401  (mail registers its writer)
from donations.updates.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    gift_paid.connect(consent.on_gift_paid)
    address_refused.connect(consent.mark_undeliverable)
