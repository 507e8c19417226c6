"""A monthly gift's plan: one per donation and per subscription, made the first time either is
seen, whichever delivery sees it first."""

from sqlalchemy import select

from donations.extensions import db
from donations.gifts import plans
from donations.gifts.models import Plan, PlanChange, PlanStatus
from donations.transaction import commit
from tests import factories


def _monthly(**fields):
    return factories.donation(frequency="monthly", amount_pence=1500, **fields)


def _plans():
    return db.session.execute(select(Plan).order_by(Plan.id)).scalars().all()


def test_a_plan_begins_active_for_the_monthly_gift_with_its_history(app):
    donation = _monthly(fee_cover_pence=50)
    plan = plans.begin_plan(donation, "sub_new", "cus_new")
    commit()
    assert (plan.donation_id, plan.subscription_id, plan.customer_id) == (
        donation.id,
        "sub_new",
        "cus_new",
    )
    assert (plan.status, plan.amount_pence, plan.fee_cover_pence) == (PlanStatus.ACTIVE, 1500, 50)
    changes = db.session.execute(select(PlanChange)).scalars().all()
    assert [(c.plan_id, c.status, c.amount_pence, c.note) for c in changes] == [
        (plan.id, PlanStatus.ACTIVE, 1500, "began")
    ]


def test_seen_again_the_plan_is_the_same_and_learns_its_customer_once(app):
    donation = _monthly()
    first = plans.begin_plan(donation, "sub_1", None)
    commit()
    again = plans.begin_plan(donation, "sub_1", "cus_later")
    later = plans.begin_plan(donation, "sub_1", "cus_other")
    commit()
    assert again.id == later.id == first.id
    assert [p.customer_id for p in _plans()] == ["cus_later"]
    assert len(db.session.execute(select(PlanChange)).scalars().all()) == 1


def test_a_donation_keeps_its_one_plan_when_stripe_names_another_subscription(app):
    donation = _monthly()
    first = plans.begin_plan(donation, "sub_first", "cus_1")
    commit()
    assert plans.begin_plan(donation, "sub_replacing", "cus_1").id == first.id
    commit()
    assert [(p.donation_id, p.subscription_id) for p in _plans()] == [(donation.id, "sub_first")]


def test_a_subscription_is_found_by_its_own_plan_before_the_donations(app):
    own, other = _monthly(), _monthly()
    own_plan = plans.begin_plan(own, "sub_own", None)
    other_plan = plans.begin_plan(other, "sub_other", None)
    commit()
    assert plans.begin_plan(own, "sub_other", None).id == other_plan.id
    assert plans.begin_plan(other, "sub_own", None).id == own_plan.id


def test_a_plan_another_delivery_made_first_is_taken_as_it_is(app):
    # what begin_plan meets when two deliveries about one subscription both find no plan,
    # and the other's insert commits first: this one's insert does nothing
    donation = _monthly()
    made_first = plans.begin_plan(donation, "sub_race", "cus_first")
    commit()
    taken = plans._new_plan(donation, "sub_race", "cus_second")
    commit()
    assert taken.id == made_first.id
    assert [(p.subscription_id, p.customer_id) for p in _plans()] == [("sub_race", "cus_first")]
    assert len(db.session.execute(select(PlanChange)).scalars().all()) == 1


def test_a_donations_plan_is_its_own(app):
    first, second = _monthly(), _monthly()
    plans.begin_plan(first, "sub_first", None)
    own = plans.begin_plan(second, "sub_second", None)
    commit()
    assert plans.plan_of(second).id == own.id
    assert plans.plan_of(_monthly()) is None


def test_a_delivery_that_loses_the_race_to_make_the_plan_takes_the_one_made(app, monkeypatch):
    """Another delivery for the same subscription made the plan after this one looked for it:
    this one's insert then finds it there, and it learns the customer this one knows."""
    donation = _monthly()
    made = plans.begin_plan(donation, "sub_raced", None)
    commit()
    look = plans._plan_of_either
    looks = []

    def looked_too_early(*args):
        looks.append(args)
        return None if len(looks) == 1 else look(*args)

    monkeypatch.setattr(plans, "_plan_of_either", looked_too_early)
    taken = plans.begin_plan(donation, "sub_raced", "cus_raced")
    commit()
    assert len(looks) == 2, "looked, lost the insert, looked again"
    assert taken.id == made.id
    assert [(p.subscription_id, p.customer_id) for p in _plans()] == [("sub_raced", "cus_raced")]
    assert len(db.session.execute(select(PlanChange)).scalars().all()) == 1
