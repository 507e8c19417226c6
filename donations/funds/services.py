from decimal import ROUND_HALF_UP, Decimal

from flask import current_app, url_for
from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund, FundTotals
from donations.money import format_gbp


class FundError(ValueError):
    pass


def all_funds() -> list[Fund]:
    return list(db.session.execute(select(Fund).order_by(Fund.position, Fund.id)).scalars())


def by_slug(slug: str) -> Fund | None:
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
    fund.totals = FundTotals()
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


def percent(raised_pence: int, goal_pence: int) -> float:
    """raised / goal x 100, rounded half-up to 2 places; may pass 100."""
    value = (Decimal(raised_pence) * 100 / Decimal(goal_pence)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(value)  # float-ok: a JSON number for display, never money


def absolute_url(endpoint: str, **values) -> str:
    """A full link: on PUBLIC_URL when it is set, else on the address the request came to."""
    public_url = current_app.config["PUBLIC_URL"]
    if public_url:
        return public_url + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def progress(fund: Fund) -> dict:
    """The progress JSON of DESIGN.md, from the fund's kept totals (never a sum of gifts)."""
    totals = fund.totals
    return {
        "slug": fund.slug,
        "name": fund.name,
        "currency": "GBP",
        "goal_pence": fund.goal_pence,
        "raised_pence": totals.raised_pence,
        "gift_aid_pence": totals.gift_aid_pence,
        "pending_pence": totals.pending_pence,
        "donor_count": totals.donor_count,
        "donation_count": totals.donation_count,
        "percent": percent(totals.raised_pence, fund.goal_pence),
        "updated_at": totals.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": absolute_url("funds.show", slug=fund.slug),
        "donate_url": absolute_url("giving.donate", slug=fund.slug),
    }


def figures(fund: Fund) -> dict:
    """The progress JSON plus the words and numbers people read."""
    progress_json = progress(fund)
    donors = progress_json["donor_count"]
    return {
        **progress_json,
        "raised": format_gbp(progress_json["raised_pence"]),
        "goal": format_gbp(progress_json["goal_pence"], drop_zero_pence=True),
        "gift_aid": format_gbp(progress_json["gift_aid_pence"]),
        "bar_percent": min(progress_json["percent"], 100),
        #: as JavaScript's String(number) writes it, so server and browser say the same
        "percent_text": format(Decimal(str(progress_json["percent"])).normalize(), "f"),
        "donors": f"{donors:,} {'donor' if donors == 1 else 'donors'}",
    }
