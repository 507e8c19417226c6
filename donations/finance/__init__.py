"""The finance area under /finance/: staff sign in to see and export the records, record
offline gifts, refund, moderate, erase and read the audit log. Every route passes one guard
(`guard.py`)."""

from datetime import datetime
from functools import partial

from flask import Flask

from donations.finance import (  # noqa: F401  (each module adds its views to the blueprint)
    admin,
    dashboard,
    donations,
    donors,
    erasure,
    gift_aid,
    letters,
    moderation,
    money_views,
    offline,
    offline_file,
    pages,
    signin,
    trustees,
    updates,
)
from donations.finance.cli import cli
from donations.finance.guard import bp, login_manager
from donations.funds.services import described
from donations.money import format_gbp
from donations.staff.roles import Permission
from donations.uk_time import UK, uk_date


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(cli)
    app.add_template_filter(_uk_date, "uk_date")
    app.add_template_filter(_uk_time, "uk_time")
    app.add_template_filter(partial(format_gbp, drop_zero_pence=True), "gbp_whole")
    app.add_template_filter(_counted, "counted")
    app.add_template_filter(described, "described")

    @app.context_processor
    def permissions():
        return {"Permission": Permission}


def _uk_date(moment: datetime) -> str:
    return uk_date(moment).strftime("%-d %b %Y")


def _uk_time(moment: datetime) -> str:
    return moment.astimezone(UK).strftime("%-d %b %Y %H:%M")


def _counted(count: int, noun: str) -> str:
    """'1 gift', '2 gifts', '1,000 rows'."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"
