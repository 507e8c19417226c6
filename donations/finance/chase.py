"""Regular gifts to chase: monthly and yearly gifts whose payment failed (Stripe is trying
again) or that stopped, newest first, with why in words; filterable by state and fund, on
the dashboard. Names and addresses only for staff who may see personal data."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from donations.extensions import db
from donations.gifts.models import Donation, Plan, PlanChange, PlanStatus

#: how many the dashboard lists at once
LIMIT = 50
STATES = {"past_due": (PlanStatus.PAST_DUE,), "cancelled": (PlanStatus.CANCELLED,)}
STATES["both"] = STATES["past_due"] + STATES["cancelled"]
#: Stripe's `cancellation_details.reason`, as the subscription's last change noted it
WHY_STOPPED = {
    "payment_failed": "stopped after its payments failed",
    "payment_disputed": "stopped after a payment was disputed",
    "cancellation_requested": "stopped at the donor's request (or by staff at Stripe)",
}


@dataclass(frozen=True)
class ToChase:
    donation: Donation
    plan: Plan
    since: datetime
    why: str


def why(plan: Plan, note: str) -> str:
    if plan.status == PlanStatus.PAST_DUE:
        return "a payment failed: Stripe is trying again"
    reason = note.partition(":")[2].strip()
    return WHY_STOPPED.get(reason, "stopped at Stripe")


def chosen_state(asked: str | None) -> str:
    """The state the list shows: the one asked for, if it is one; else both."""
    return asked if asked in STATES else "both"


def to_chase(state: str = "both", fund_id: int | None = None) -> list[ToChase]:
    """Past-due and stopped plans (as `state`, from `chosen_state`, asks), the latest change
    first."""
    latest = (
        select(PlanChange.plan_id, func.max(PlanChange.id).label("change_id"))
        .group_by(PlanChange.plan_id)
        .subquery()
    )
    query = (
        select(Plan, Donation, PlanChange)
        .join(Donation, Donation.id == Plan.donation_id)
        .join(latest, latest.c.plan_id == Plan.id)
        .join(PlanChange, PlanChange.id == latest.c.change_id)
        .where(Plan.status.in_(STATES[state]))
        .order_by(PlanChange.id.desc())
        .limit(LIMIT)
    )
    if fund_id is not None:
        query = query.where(Donation.fund_id == fund_id)
    return [
        ToChase(donation, plan, change.at, why(plan, change.note))
        for plan, donation, change in db.session.execute(query)
    ]
