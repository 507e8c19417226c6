"""`flask db upgrade` builds the schema (the fixtures use it); `flask db check` finds nothing."""

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund


def test_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_a_new_database_holds_the_two_funds_ready_for_gifts(app):
    funds = db.session.execute(select(Fund).order_by(Fund.position)).scalars().all()
    assert [(f.slug, f.name, f.goal_pence) for f in funds] == [
        ("stem-cell-audit", "UK MS stem cell service audit", 5_000_000),
        ("actimus", "ACTiMuS trial", 25_000_000),
    ]
    assert all(f.totals.raised_pence == 0 for f in funds)
    assert "outside a clinical trial" in funds[0].story
    assert "AHSCT" in funds[0].story
    assert "mesenchymal" in funds[1].story
    assert "without chemotherapy" in funds[1].story


def test_funds_set_goal(runner, app):
    result = runner.invoke(args=["funds", "set-goal", "actimus", "300,000"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    fund = db.session.execute(select(Fund).where(Fund.slug == "actimus")).scalar_one()
    assert fund.goal_pence == 30_000_000
    for bad in ("0", "-1", "abc", "1e5"):
        refused = runner.invoke(args=["funds", "set-goal", "actimus", bad])
        assert refused.exit_code != 0
    assert runner.invoke(args=["funds", "set-goal", "nope", "10"]).exit_code != 0
    db.session.expire_all()
    assert db.session.get(Fund, fund.id).goal_pence == 30_000_000
