from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from donations.extensions import db
from donations.gifts.models import Donation
from donations.ledger.models import FundTotals, LedgerEntry
from donations.ledger.totals import drift
from tests import factories
from tests.support import PRODUCTION


def scalar(statement):
    return db.session.execute(statement).scalar_one()


def test_generated_donations_are_realistic_and_keep_the_totals_true(client, runner):
    factories.payment(amount_pence=2500)  # a real gift first: generation must keep it counted
    result = runner.invoke(args=["demo", "generate", "--donations", "3000"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    assert scalar(select(func.count()).select_from(Donation)) == 3001  # and one more below
    by_fund = dict(
        db.session.execute(select(Donation.fund_id, func.count()).group_by(Donation.fund_id)).all()
    )
    assert len(by_fund) == 2
    assert min(by_fund.values()) > 500
    kinds = dict(
        db.session.execute(select(LedgerEntry.kind, func.count()).group_by(LedgerEntry.kind)).all()
    )
    assert kinds["payment"] > 2000
    assert kinds["offline"] > 100
    assert kinds["refund"] > 10
    assert scalar(select(func.count()).where(Donation.declaration_id.is_not(None))) > 600
    oldest = scalar(select(func.min(Donation.created_at)))
    assert datetime.now(UTC) - oldest > timedelta(days=500), "dates spread over two years"

    factories.payment(
        amount_pence=1000, email="after@example.org"
    )  # ids carry on after the bulk insert
    db.session.expire_all()
    assert drift() == []
    assert runner.invoke(args=["totals", "check"]).exit_code == 0
    raised = scalar(select(func.sum(FundTotals.raised_pence)))
    assert raised == scalar(select(func.sum(LedgerEntry.amount_pence)))


def test_a_share_of_the_generated_gifts_is_given_through_the_demo_appeal(client, runner):
    assert runner.invoke(args=["demo", "generate", "--donations", "2000"]).exit_code == 0
    db.session.expire_all()
    through = scalar(select(func.count()).where(Donation.appeal_id.is_not(None)))
    assert 200 < through < 700
    appeal = client.get("/api/appeals/demo-appeal").json
    assert appeal["raised_pence"] == scalar(
        select(func.sum(LedgerEntry.amount_pence)).where(LedgerEntry.appeal_id.is_not(None))
    )
    assert appeal["fund"] == "actimus"
    page = client.get("/api/fundraising/demo-fundraiser").json
    assert page["raised_pence"] == scalar(
        select(func.sum(LedgerEntry.amount_pence)).where(LedgerEntry.fundraiser_id.is_not(None))
    )
    assert 0 < page["donation_count"] < 100
    assert drift() == []


def test_generation_is_refused_in_production(make_app):
    app = make_app(**PRODUCTION)
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--donations", "10"])
    assert result.exit_code != 0
    assert "never generated in production" in result.output
