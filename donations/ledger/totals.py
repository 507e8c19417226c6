"""Recomputing a fund's totals from the ledger's rows alone, to prove the running totals right.

Deliberately independent of the code that keeps them: every figure is one SQL query over the
ledger's rows, with its own Gift Aid arithmetic, so a fault in `record()` or in the Python
arithmetic shows here as drift instead of being repeated.
"""

from flask import current_app
from sqlalchemy import func, literal, select

from donations.extensions import db
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.ledger.models import (
    AppealTotals,
    FundraiserTotals,
    FundTotals,
    LedgerEntry,
    PendingEntry,
)

COMPARED = ("raised_pence", "gift_aid_pence", "pending_pence", "donor_count", "donation_count")


def _count_positive(grouped) -> int:
    nets = grouped.subquery()
    return db.session.execute(
        select(func.count()).select_from(nets).where(nets.c.net > 0)
    ).scalar_one()


def recompute(owner_id: int, *, key: str = "fund_id") -> dict[str, int]:
    """A fund's figures from its rows (an appeal's with key="appeal_id", a page's with
    key="fundraiser_id")."""
    in_fund = getattr(LedgerEntry, key) == owner_id
    net = func.sum(LedgerEntry.amount_pence).label("net")
    payment_key = func.coalesce(LedgerEntry.payment_entry_id, LedgerEntry.id)

    raised = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(in_fund)
    ).scalar_one()
    rate = literal(current_app.config["GIFT_AID_BASIC_RATE"])
    gift_aided = (
        select(net).where(in_fund, LedgerEntry.gift_aid.is_(True)).group_by(payment_key)
    ).subquery()
    # whole pence, rounded down: integer division of whole numbers in SQL
    gift_aid = db.session.execute(
        select(func.coalesce(func.sum(gift_aided.c.net * rate // (literal(100) - rate)), 0)).where(
            gift_aided.c.net > 0
        )
    ).scalar_one()
    donors = _count_positive(select(net).where(in_fund).group_by(LedgerEntry.donor_key))
    standing = _count_positive(select(net).where(in_fund).group_by(payment_key))
    pending = db.session.execute(
        select(func.coalesce(func.sum(PendingEntry.amount_pence), 0)).where(
            getattr(PendingEntry, key) == owner_id
        )
    ).scalar_one()

    return {
        "raised_pence": raised,
        "gift_aid_pence": gift_aid,
        "pending_pence": pending,
        "donor_count": donors,
        "donation_count": standing,
    }


def drift() -> list[tuple[str, str, int, int]]:
    """(slug, figure, kept, recomputed) for every figure of a fund, appeal or page that
    disagrees."""
    found = []
    for model, totals in (
        (Fund, FundTotals),
        (Appeal, AppealTotals),
        (Fundraiser, FundraiserTotals),
    ):
        for each in db.session.execute(select(model).order_by(model.position, model.id)).scalars():
            kept = db.session.get(totals, each.id) or totals.empty(each.id)
            fresh = recompute(each.id, key=totals.KEY)
            for name in COMPARED:
                if getattr(kept, name) != fresh[name]:
                    found.append((each.slug, name, getattr(kept, name), fresh[name]))
    return found
