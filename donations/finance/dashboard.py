"""The dashboard: each fund this month and this year, and money raised week by week."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import and_, case, func, select

from donations.extensions import db
from donations.finance import chase
from donations.finance.guard import bp, requires
from donations.funds import services as funds
from donations.funds.models import Fund
from donations.gifts.models import INTERVALS, Donation, Plan, PlanStatus
from donations.ledger import services as ledger
from donations.ledger import standing
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.staff.roles import Permission
from donations.uk_time import uk_midnight, uk_today

WEEKS = 12


@dataclass(frozen=True)
class Period:
    raised_pence: int
    gift_aid_pence: int
    refunds_pence: int


@dataclass(frozen=True)
class FundFigures:
    fund: Fund
    month: Period
    year: Period
    pending_pence: int
    active_plans: int
    #: what the active plans bring in, by how often: {"monthly": pence, "annual": pence}
    plan_value_pence: dict[str, int]


def _period(fund_id: int, start: date, end: date) -> Period:
    """Money in a fund from start (inclusive) to end (exclusive), UK days."""
    within = and_(
        LedgerEntry.fund_id == fund_id,
        LedgerEntry.occurred_at >= uk_midnight(start),
        LedgerEntry.occurred_at < uk_midnight(end),
    )
    raised, refunds = db.session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.amount_pence), 0),
            func.coalesce(
                func.sum(
                    case((LedgerEntry.kind.in_(standing.REFUND_KINDS), LedgerEntry.amount_pence))
                ),
                0,
            ),
        ).where(within)
    ).one()
    taken = standing.reversals()
    kept = standing.what_stands(
        LedgerEntry.amount_pence,
        func.coalesce(taken.c.refunded, 0),
        func.coalesce(taken.c.disputed, 0),
    )
    gift_aid = db.session.execute(
        select(func.coalesce(func.sum(standing.gift_aid_due(kept)), 0))
        .outerjoin(taken, taken.c.payment_id == LedgerEntry.id)
        .where(within, LedgerEntry.kind.in_(GIFT_KINDS), LedgerEntry.gift_aid.is_(True))
    ).scalar_one()
    return Period(int(raised), int(gift_aid), -int(refunds))


def _plans(fund_id: int) -> tuple[int, dict[str, int]]:
    """How many plans are active, and their value each month and each year."""
    rows = db.session.execute(
        select(Donation.frequency, func.count(), func.sum(Plan.amount_pence))
        .join(Donation, Donation.id == Plan.donation_id)
        .where(Donation.fund_id == fund_id, Plan.status == PlanStatus.ACTIVE)
        .group_by(Donation.frequency)
    ).all()
    value = dict.fromkeys(INTERVALS, 0)
    value.update({frequency: int(pence) for frequency, _, pence in rows})
    return sum(int(count) for _, count, _ in rows), value


def figures(today: date) -> list[FundFigures]:
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    tomorrow = today + timedelta(days=1)
    out = []
    for fund in funds.all_funds():
        plans, value = _plans(fund.id)
        out.append(
            FundFigures(
                fund=fund,
                month=_period(fund.id, month_start, tomorrow),
                year=_period(fund.id, year_start, tomorrow),
                pending_pence=ledger.totals_for(fund).pending_pence,
                active_plans=plans,
                plan_value_pence=value,
            )
        )
    return out


def weekly(today: date, weeks: int = WEEKS) -> tuple[list[date], dict[int, list[int]]]:
    """Monday of each of the last `weeks` weeks, and each fund's money raised in each (gifts
    in, less refunds and disputes), grouped by the UTC day each moved."""
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    day = func.date(LedgerEntry.occurred_at)
    rows = db.session.execute(
        select(LedgerEntry.fund_id, day, func.sum(LedgerEntry.amount_pence))
        .where(LedgerEntry.occurred_at >= uk_midnight(first))
        .group_by(LedgerEntry.fund_id, day)
    ).all()
    series: dict[int, list[int]] = {}
    for fund_id, moved_on, pence in rows:
        moved = moved_on if isinstance(moved_on, date) else date.fromisoformat(str(moved_on))
        week = (moved - first).days // 7
        if 0 <= week < weeks:
            series.setdefault(fund_id, [0] * weeks)[week] += int(pence)
    return mondays, series


def nice_ceiling(pence: int) -> int:
    """The chart's top: the next 1, 2 or 5 times a power of ten pounds at or above pence."""
    step = 100
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= pence:
                return step * multiple
        step *= 10


@bp.get("/")
@requires(Permission.VIEW_RECORDS)
def dashboard():
    today = uk_today()
    state = chase.chosen_state(request.args.get("chase"))
    chase_fund = funds.by_slug(request.args.get("chase_fund"))
    mondays, series = weekly(today)
    every_fund = funds.all_funds()
    return render_template(
        "finance/dashboard.html",
        today=today,
        figures=figures(today),
        mondays=mondays,
        series=[(fund, series.get(fund.id, [0] * len(mondays))) for fund in every_fund],
        top=nice_ceiling(max((max(values) for values in series.values()), default=0)),
        appeals=[
            (appeal, ledger.totals_for(appeal))
            for appeal in funds.all_appeals()
            if funds.status_of(appeal) is funds.Status.OPEN
        ],
        to_chase=chase.to_chase(state, chase_fund.id if chase_fund else None),
        chase_state=state,
        chase_fund=chase_fund.slug if chase_fund else "",
        funds=every_fund,
        personal=current_user.may(Permission.VIEW_PERSONAL_DATA),
    )
