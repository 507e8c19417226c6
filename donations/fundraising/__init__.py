"""Supporters' own fundraising pages, from the supporter's side: starting one, the links
that keep it theirs, and the e-mails that tell them about their gifts."""

from flask import Flask

from donations.fundraising.mail import on_gift_paid, on_page_approved
from donations.fundraising.views import bp
from donations.funds.fundraisers import page_approved
from donations.gifts.signals import gift_paid


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    gift_paid.connect(on_gift_paid)
    page_approved.connect(on_page_approved)
