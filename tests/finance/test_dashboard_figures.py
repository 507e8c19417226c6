"""The dashboard's weekly chart and its scale, and how an export writes an amount: the
arithmetic, to the penny and the day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from donations.extensions import db
from donations.finance import dashboard, history
from donations.finance.exports import pounds_text
from donations.gifts import plans, reversals
from donations.uk_time import uk_midnight
from tests import factories


def test_each_of_the_last_weeks_starts_on_a_monday_and_holds_that_weeks_money(app):
    actimus, audit = factories.fund("actimus"), factories.fund("stem-cell-audit")
    factories.payment(amount_pence=1000, paid_at=datetime(2026, 11, 16, 9, tzinfo=UTC))  # Mon
    factories.payment(amount_pence=2000, paid_at=datetime(2026, 11, 22, 20, tzinfo=UTC))  # Sun
    factories.payment(amount_pence=4000, paid_at=datetime(2026, 11, 23, 9, tzinfo=UTC))
    factories.payment(
        "stem-cell-audit", amount_pence=500, paid_at=datetime(2026, 12, 2, tzinfo=UTC)
    )
    factories.payment(amount_pence=9900, paid_at=datetime(2026, 11, 15, 9, tzinfo=UTC))  # before
    refunded = factories.payment(amount_pence=3000, paid_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    reversals.refund(
        history.gifts_of(refunded)[0], "re_test", 1000, when=datetime(2026, 12, 2, 9, tzinfo=UTC)
    )
    db.session.commit()
    mondays, series = dashboard.weekly(date(2026, 12, 3), weeks=3)
    assert mondays == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert series[actimus.id] == [3000, 4000, 3000 - 1000]
    assert series[audit.id] == [0, 0, 500]


@pytest.mark.parametrize(
    ("pence", "top"),
    [(0, 100), (100, 100), (101, 200), (250, 500), (501, 1000), (99_999, 100_000)],
)
def test_the_charts_top_is_the_next_1_2_or_5_of_a_power_of_ten(pence, top):
    assert dashboard.nice_ceiling(pence) == top


@pytest.mark.parametrize(
    ("pence", "text"),
    [(None, ""), (0, "0.00"), (5, "0.05"), (100, "1.00"), (12_345, "123.45"), (-150, "-1.50")],
)
def test_an_export_writes_pounds_with_two_decimals_and_its_sign(pence, text):
    assert pounds_text(pence) == text


def test_each_funds_month_and_year_hold_its_own_money_from_their_first_moment_to_today(app):
    today = date(2026, 11, 20)
    month_start, year_start = today.replace(day=1), today.replace(month=1, day=1)

    def paid(on_moment, pence, fund="actimus", **fields):
        return factories.payment(fund, amount_pence=pence, paid_at=on_moment, **fields)

    first_of_month = paid(uk_midnight(month_start), 10_000, gift_aid=True, email="m@example.org")
    paid_entry = factories.payment_entry(first_of_month)
    reversals.refund(paid_entry, "re_dashboard", 2_000, when=uk_midnight(today))
    paid(uk_midnight(month_start) - timedelta(microseconds=1), 3_000, email="l@example.org")
    paid(uk_midnight(year_start), 1_000, email="y@example.org")
    paid(uk_midnight(year_start) - timedelta(microseconds=1), 500, email="o@example.org")
    paid(uk_midnight(today + timedelta(days=1)), 700, email="t@example.org")
    paid(uk_midnight(month_start), 9_900, fund="stem-cell-audit", email="a@example.org")
    monthly = paid(uk_midnight(month_start), 1_500, frequency="monthly", email="p@example.org")
    plans.begin_plan(monthly, "sub_dash", "cus_dash")
    db.session.commit()

    actimus = next(f for f in dashboard.figures(today) if f.fund.slug == "actimus")
    assert actimus.month == dashboard.Period(8_000 + 1_500, 2_000, 2_000)
    assert actimus.year == dashboard.Period(8_000 + 1_500 + 3_000 + 1_000, 2_000, 2_000)
    assert (actimus.active_plans, actimus.plan_value_pence) == (1, {"monthly": 1_500, "annual": 0})
    audit = next(f for f in dashboard.figures(today) if f.fund.slug == "stem-cell-audit")
    assert audit.month == dashboard.Period(9_900, 0, 0)
    assert (audit.active_plans, audit.plan_value_pence) == (0, {"monthly": 0, "annual": 0})


def test_the_first_weeks_money_begins_at_its_first_moment(app):
    actimus = factories.fund("actimus")
    # 16 November 2026 is a Monday in winter: its first moment is midnight UTC
    factories.payment(amount_pence=700, paid_at=uk_midnight(date(2026, 11, 16)))
    factories.payment(amount_pence=300, paid_at=uk_midnight(date(2026, 11, 16)) - timedelta(1))
    _, series = dashboard.weekly(date(2026, 12, 3), weeks=3)
    assert series[actimus.id] == [700, 0, 0]


def test_a_period_without_money_is_nothing_and_a_lost_dispute_leaves_no_gift_aid(app):
    audit, actimus = factories.fund("stem-cell-audit"), factories.fund("actimus")
    start, end = date(2026, 11, 1), date(2026, 12, 1)
    assert dashboard._period(audit.id, start, end) == dashboard.Period(0, 0, 0)
    disputed = factories.payment(
        amount_pence=2000, gift_aid=True, paid_at=datetime(2026, 11, 10, 12, tzinfo=UTC)
    )
    reversals.dispute(
        history.gifts_of(disputed)[0], "du_lost", 2000, withdrawn=True, reinstated=False
    )
    db.session.commit()
    assert dashboard._period(actimus.id, start, end).gift_aid_pence == 0


def test_only_active_plans_are_counted_with_their_value(app):
    kept = factories.donation(frequency="monthly", amount_pence=1000, email="kept@example.org")
    ended = factories.donation(frequency="monthly", amount_pence=2000, email="ended@example.org")
    plans.begin_plan(kept, "sub_kept", None)
    stopped = plans.begin_plan(ended, "sub_ended", None)
    plans.change_plan(stopped, plans.PlanStatus.CANCELLED, "cancelled")
    db.session.commit()
    count, value = dashboard._plans(factories.fund("actimus").id)
    assert (count, value["monthly"]) == (1, 1000)
