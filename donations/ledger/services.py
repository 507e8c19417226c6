"""Writing the ledger and keeping each fund's totals current in the same transaction."""

from flask import current_app
from sqlalchemy import func, or_, select

from donations.extensions import db, utcnow
from donations.funds.models import FundTotals
from donations.ledger.models import LedgerEntry

PAYMENT_KINDS = ("payment", "offline")


def gift_aid_on(net_pence: int, basic_rate: int | None = None) -> int:
    """Gift Aid reclaimable on a gift's net amount: basic_rate / (100 - basic_rate), whole pence."""
    rate = current_app.config["GIFT_AID_BASIC_RATE"] if basic_rate is None else basic_rate
    if net_pence <= 0:
        return 0
    return net_pence * rate // (100 - rate)


def lock_totals(fund_id: int) -> FundTotals:
    """Take the fund's totals row for update, so concurrent movements apply one after another."""
    return db.session.execute(
        select(FundTotals).where(FundTotals.fund_id == fund_id).with_for_update()
    ).scalar_one()


def _sum(*conditions) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(*conditions)
    ).scalar_one()


def _payment_net(payment_entry_id: int) -> int:
    return _sum(
        or_(
            LedgerEntry.id == payment_entry_id,
            LedgerEntry.payment_entry_id == payment_entry_id,
        )
    )


def already_recorded(source_ref: str) -> LedgerEntry | None:
    return db.session.execute(
        select(LedgerEntry).where(LedgerEntry.source_ref == source_ref)
    ).scalar_one_or_none()


def record(
    donation,
    kind: str,
    amount_pence: int,
    source_ref: str,
    *,
    fee_cover_pence: int = 0,
    payment_entry: LedgerEntry | None = None,
    occurred_at=None,
) -> LedgerEntry | None:
    """Append one movement and move the fund's totals by exactly it.

    Returns None when this source reference is already in the ledger: the same movement
    is never recorded twice, whichever path (webhook, thank-you page, reconcile) brings it.
    """
    totals = lock_totals(donation.fund_id)
    if already_recorded(source_ref) is not None:
        return None
    donor_key = donation.donor.key
    donation_before = _sum(LedgerEntry.donation_id == donation.id)
    donor_before = _sum(LedgerEntry.fund_id == donation.fund_id, LedgerEntry.donor_key == donor_key)
    payment_before = _payment_net(payment_entry.id) if payment_entry else 0

    entry = LedgerEntry(
        donation_id=donation.id,
        fund_id=donation.fund_id,
        kind=kind,
        amount_pence=amount_pence,
        fee_cover_pence=fee_cover_pence,
        source_ref=source_ref,
        payment_entry_id=payment_entry.id if payment_entry else None,
        donor_key=donor_key,
        occurred_at=occurred_at or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()

    totals.raised_pence += amount_pence
    if donation.declaration_id is not None:
        totals.gift_aid_pence += gift_aid_on(donation_before + amount_pence) - gift_aid_on(
            donation_before
        )
    totals.donor_count += _crossing(donor_before, donor_before + amount_pence)
    if kind in PAYMENT_KINDS:
        totals.donation_count += 1
    elif payment_entry is not None:
        totals.donation_count += _crossing(payment_before, payment_before + amount_pence)
    totals.updated_at = utcnow()
    return entry


def _crossing(before: int, after: int) -> int:
    """+1 when money starts standing, -1 when the last of it goes, else 0."""
    if before <= 0 < after:
        return 1
    if after <= 0 < before:
        return -1
    return 0


def move_pending(fund_id: int, delta_pence: int) -> None:
    totals = lock_totals(fund_id)
    totals.pending_pence += delta_pence
    totals.updated_at = utcnow()
