"""Monthly plans: one per subscription, begun by the donation that set it up, and its state.

Services flush; callers commit.
"""

from sqlalchemy import bindparam, case, or_, select

from donations.extensions import db, utcnow
from donations.gifts.models import Donation, Plan, PlanChange, PlanStatus
from donations.upserts import insert_new_row


def plan_for(subscription_id: str | None) -> Plan | None:
    if not subscription_id:
        return None
    return db.session.execute(_PLAN_FOR, {"subscription_id": subscription_id}).scalar_one_or_none()


_PLAN_FOR = select(Plan).where(Plan.subscription_id == bindparam("subscription_id"))


def plan_of(donation: Donation) -> Plan | None:
    return db.session.execute(
        select(Plan).where(Plan.donation_id == donation.id)
    ).scalar_one_or_none()


#: a subscription's plan, else the donation's (a subscription that replaced its first)
_PLAN_OF_EITHER = (
    select(Plan)
    .where(
        or_(
            Plan.subscription_id == bindparam("subscription_id"),
            Plan.donation_id == bindparam("donation_id"),
        )
    )
    .order_by(case((Plan.subscription_id == bindparam("subscription_id"), 0), else_=1))
    .limit(1)
)


def begin_plan(donation: Donation, subscription_id: str, customer_id: str | None) -> Plan:
    """The plan of a monthly donation's subscription, made the first time it is seen."""
    with db.session.no_autoflush:  # the donation's own changes are written once, later
        return _plan_of_either(donation, subscription_id, customer_id) or _new_plan(
            donation, subscription_id, customer_id
        )


def _plan_of_either(donation: Donation, subscription_id: str, customer_id: str | None):
    found = {"subscription_id": subscription_id, "donation_id": donation.id}
    plan = db.session.execute(_PLAN_OF_EITHER, found).scalar_one_or_none()
    if plan is not None:
        plan.customer_id = plan.customer_id or customer_id
    return plan


def _new_plan(donation: Donation, subscription_id: str, customer_id: str | None) -> Plan:
    plan = insert_new_row(
        Plan,
        donation_id=donation.id,
        subscription_id=subscription_id,
        customer_id=customer_id,
        status=PlanStatus.ACTIVE,
        amount_pence=donation.amount_pence,
        fee_cover_pence=donation.fee_cover_pence,
    )
    if plan is None:  # another delivery for the same subscription made it first
        return _plan_of_either(donation, subscription_id, customer_id)
    db.session.add(
        PlanChange(
            plan=plan, status=PlanStatus.ACTIVE, amount_pence=donation.amount_pence, note="began"
        )
    )
    return plan


def change_plan(plan: Plan, status: PlanStatus, note: str, amount_pence: int | None = None) -> bool:
    """Move a plan to a state (and amount), keeping the change in its history. A cancelled
    plan stays cancelled: later news of it changes nothing."""
    amount = plan.amount_pence if amount_pence is None else amount_pence
    if plan.status == PlanStatus.CANCELLED or (plan.status, plan.amount_pence) == (status, amount):
        return False
    plan.status = status
    plan.amount_pence = amount
    if status == PlanStatus.CANCELLED:
        plan.cancelled_at = utcnow()
    db.session.add(PlanChange(plan=plan, status=status, amount_pence=amount, note=note))
    db.session.flush()
    return True
