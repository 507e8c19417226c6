"""Gift Aid claims to HMRC: which gifts may be claimed and why not (`eligibility.py`), claim
batches that lock their gifts (`services.py`), HMRC's rules for each schedule row
(`hmrc.py`) and the schedule itself (`schedule.py`)."""

from flask import Flask

from donations.claims.cli import cli


def init_app(app: Flask) -> None:
    app.register_blueprint(cli)
