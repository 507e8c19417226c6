"""A fund's, an appeal's or a supporter's page's progress, from its kept totals (never a sum
of gifts): the JSON and the words."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Appeal, Campaign, Fundraiser
from donations.funds.services import is_public, status_of
from donations.ledger.models import FundraiserTotals
from donations.ledger.services import totals_for
from donations.money import format_gbp
from donations.web import absolute_url


def percent(raised_pence: int, goal_pence: int) -> float:
    """raised / goal x 100, rounded half-up to 2 places; may pass 100."""
    value = (Decimal(raised_pence) * 100 / Decimal(goal_pence)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(value)  # float-ok: a JSON number for display, never money


def _links(campaign: Campaign) -> dict:
    if isinstance(campaign, Fundraiser):
        return {
            "url": absolute_url("funds.fundraiser", slug=campaign.slug),
            "donate_url": absolute_url("giving.donate", fundraiser=campaign.slug),
        }
    if isinstance(campaign, Appeal):
        return {
            "url": absolute_url("funds.appeal", slug=campaign.slug),
            "donate_url": absolute_url("giving.donate", appeal=campaign.slug),
        }
    return {
        "url": absolute_url("funds.show", slug=campaign.slug),
        "donate_url": absolute_url("giving.donate", slug=campaign.slug),
    }


def progress(campaign: Campaign) -> dict:
    """The progress JSON of docs/CONTRACT.md, for a fund, an appeal or a supporter's page."""
    totals = totals_for(campaign)
    body = {
        "slug": campaign.slug,
        "name": campaign.name,
        "currency": "GBP",
        "goal_pence": campaign.goal_pence,
        "raised_pence": totals.raised_pence,
        "gift_aid_pence": totals.gift_aid_pence,
        "pending_pence": totals.pending_pence,
        "donor_count": totals.donor_count,
        "donation_count": totals.donation_count,
        "percent": percent(totals.raised_pence, campaign.goal_pence),
        "updated_at": totals.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **_links(campaign),
        "kind": campaign.kind,
        "status": status_of(campaign).value,
    }
    if isinstance(campaign, Appeal | Fundraiser):
        body["fund"] = campaign.fund.slug
    if isinstance(campaign, Fundraiser) and campaign.appeal is not None:
        body["appeal"] = campaign.appeal.slug
    return body


def give_words(campaign: Campaign) -> str:
    """The donate button: "Give to the ACTiMuS trial", "Give to Winter appeal", "Give to
    Ada's page"."""
    if isinstance(campaign, Fundraiser):
        return f"Give to {campaign.first_name}'s page"
    return f"Give to {'the ' if campaign.kind == 'fund' else ''}{campaign.name}"


def leaderboard(campaign: Campaign, limit: int = 5) -> list[dict]:
    """A fund's or an appeal's public supporters' pages, most raised first."""
    column = Fundraiser.appeal_id if isinstance(campaign, Appeal) else Fundraiser.fund_id
    pages = db.session.execute(
        select(Fundraiser)
        .join(FundraiserTotals, FundraiserTotals.fundraiser_id == Fundraiser.id)
        .where(
            column == campaign.id, Fundraiser.hidden.is_(False), FundraiserTotals.raised_pence > 0
        )
        .order_by(FundraiserTotals.raised_pence.desc(), Fundraiser.id)
        .limit(limit * 4)
    ).scalars()
    return [figures(page) for page in pages if is_public(page)][:limit]


def figures(campaign: Campaign) -> dict:
    """The progress JSON plus the words and numbers people read."""
    progress_json = progress(campaign)
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
        #: the donate button's words
        "give": give_words(campaign),
    }
