"""Recomputing a fund's totals from the ledger's rows alone, to prove the running totals right."""

from flask import current_app
from sqlalchemy import func, select

from donations.extensions import db
from donations.funds.models import Fund
from donations.ledger.models import FundTotals, LedgerEntry, PendingEntry
from donations.money import gift_aid_at

COMPARED = ("raised_pence", "gift_aid_pence", "pending_pence", "donor_count", "donation_count")


def _count_positive(grouped) -> int:
    nets = grouped.subquery()
    return db.session.execute(
        select(func.count()).select_from(nets).where(nets.c.net > 0)
    ).scalar_one()


def recompute(fund_id: int) -> dict[str, int]:
    in_fund = LedgerEntry.fund_id == fund_id
    net = func.sum(LedgerEntry.amount_pence).label("net")
    payment_key = func.coalesce(LedgerEntry.payment_entry_id, LedgerEntry.id)

    raised = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(in_fund)
    ).scalar_one()
    rate = current_app.config["GIFT_AID_BASIC_RATE"]
    payment_nets_with_gift_aid = db.session.execute(
        select(net).where(in_fund, LedgerEntry.gift_aid.is_(True)).group_by(payment_key)
    ).scalars()
    gift_aid = sum(gift_aid_at(value, rate) for value in payment_nets_with_gift_aid)
    donors = _count_positive(select(net).where(in_fund).group_by(LedgerEntry.donor_key))
    standing = _count_positive(select(net).where(in_fund).group_by(payment_key))
    pending = db.session.execute(
        select(func.coalesce(func.sum(PendingEntry.amount_pence), 0)).where(
            PendingEntry.fund_id == fund_id
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
    """(fund slug, figure, kept, recomputed) for every figure that disagrees."""
    found = []
    for fund in db.session.execute(select(Fund).order_by(Fund.position, Fund.id)).scalars():
        kept = db.session.get(FundTotals, fund.id)
        fresh = recompute(fund.id)
        for name in COMPARED:
            value = getattr(kept, name) if kept is not None else 0
            if value != fresh[name]:
                found.append((fund.slug, name, value, fresh[name]))
    return found
