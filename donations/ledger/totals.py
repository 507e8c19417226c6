"""Recomputing a fund's totals from the ledger, to prove the running totals right."""

from sqlalchemy import func, select

from donations.extensions import db
from donations.funds.models import Fund, FundTotals
from donations.giving.models import Donation
from donations.ledger.models import LedgerEntry
from donations.ledger.services import gift_aid_on

COMPARED = ("raised_pence", "gift_aid_pence", "pending_pence", "donor_count", "donation_count")


def recompute(fund_id: int) -> dict[str, int]:
    raised = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.fund_id == fund_id
        )
    ).scalar_one()

    per_donation = db.session.execute(
        select(func.sum(LedgerEntry.amount_pence))
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .where(LedgerEntry.fund_id == fund_id, Donation.declaration_id.is_not(None))
        .group_by(LedgerEntry.donation_id)
    ).scalars()
    gift_aid = sum(gift_aid_on(net) for net in per_donation)

    donor_nets = (
        select(func.sum(LedgerEntry.amount_pence).label("net"))
        .where(LedgerEntry.fund_id == fund_id)
        .group_by(LedgerEntry.donor_key)
        .subquery()
    )
    donors = db.session.execute(
        select(func.count()).select_from(donor_nets).where(donor_nets.c.net > 0)
    ).scalar_one()

    payment_key = func.coalesce(LedgerEntry.payment_entry_id, LedgerEntry.id)
    payment_nets = (
        select(func.sum(LedgerEntry.amount_pence).label("net"))
        .where(LedgerEntry.fund_id == fund_id)
        .group_by(payment_key)
        .subquery()
    )
    standing = db.session.execute(
        select(func.count()).select_from(payment_nets).where(payment_nets.c.net > 0)
    ).scalar_one()

    pending = db.session.execute(
        select(func.coalesce(func.sum(Donation.amount_pence), 0)).where(
            Donation.fund_id == fund_id, Donation.status == "pending"
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
    rows = db.session.execute(select(Fund, FundTotals).join(FundTotals)).all()
    for fund, totals in rows:
        fresh = recompute(fund.id)
        for name in COMPARED:
            kept = getattr(totals, name)
            if kept != fresh[name]:
                found.append((fund.slug, name, kept, fresh[name]))
    return found
