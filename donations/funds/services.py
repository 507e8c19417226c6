"""The fund catalogue: which funds there are, and their goals. Services flush; callers commit."""

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund


class FundError(ValueError):
    pass


def all_funds() -> list[Fund]:
    return list(db.session.execute(select(Fund).order_by(Fund.position, Fund.id)).scalars())


def by_slug(slug: str | None) -> Fund | None:
    if not slug or len(slug) > 60:
        return None
    return db.session.execute(select(Fund).where(Fund.slug == slug)).scalar_one_or_none()


def _check_goal(goal_pence: int) -> None:
    if goal_pence <= 0:
        raise FundError("A fund's goal must be more than £0.")


def add_fund(slug: str, name: str, goal_pence: int, summary: str = "", story: str = "") -> Fund:
    _check_goal(goal_pence)
    if by_slug(slug) is not None:
        raise FundError(f"A fund with the slug {slug!r} already exists.")
    fund = Fund(slug=slug, name=name, goal_pence=goal_pence, summary=summary, story=story)
    db.session.add(fund)
    db.session.flush()
    return fund


def set_goal(slug: str, goal_pence: int) -> Fund:
    fund = by_slug(slug)
    if fund is None:
        raise FundError(f"No fund with the slug {slug!r}.")
    _check_goal(goal_pence)
    fund.goal_pence = goal_pence
    db.session.flush()
    return fund
