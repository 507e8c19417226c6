"""A donation's life after the form: pending, paid, failed or expired, each move recorded once.

Services flush; callers commit.
"""

import logging
from datetime import datetime

from sqlalchemy import Row

from donations import logs
from donations.extensions import utcnow
from donations.gift_aid.rules import carries_gift_aid
from donations.gifts import states
from donations.gifts.donors import settle_donor
from donations.gifts.models import Donation, DonationStatus
from donations.gifts.signals import gift_paid
from donations.ledger import services as ledger
from donations.ledger.models import EntryKind

log = logging.getLogger(__name__)


def mark_pending(donation: Donation) -> None:
    """Money promised but not yet collected (Bacs): counted as pending, not raised."""
    states.move(donation, DonationStatus.PENDING)
    ledger.open_pending(
        donation.fund_id,
        donation.id,
        donation.amount_pence,
        key=donation.reference,
        appeal_id=donation.appeal_id,
        fundraiser_id=donation.fundraiser_id,
    )


def mark_paid(
    donation: Donation,
    source_ref: str,
    occurred_at: datetime | None = None,
    kind: EntryKind = EntryKind.PAYMENT,
) -> Row | None:
    """Record the payment once: its ledger row and the fund's totals, in this transaction.

    Returns the new ledger row, or None when this payment was already recorded.
    """
    was_pending = donation.status == DonationStatus.PENDING
    states.move(donation, DonationStatus.PAID)
    donation.paid_at = occurred_at or utcnow()
    if was_pending:
        ledger.close_pending(donation.reference)
    donor = settle_donor(donation)
    entry = ledger.record(
        fund_id=donation.fund_id,
        donation_id=donation.id,
        donor_key=donor.key,
        kind=kind,
        amount_pence=donation.amount_pence,
        source_ref=source_ref,
        gift_aid=carries_gift_aid(donation.declaration, donation.paid_at),
        fee_cover_pence=donation.fee_cover_pence,
        occurred_at=donation.paid_at,
        appeal_id=donation.appeal_id,
        fundraiser_id=donation.fundraiser_id,
    )
    if entry is not None:
        log.info("payment recorded", extra={**logs.about(donation), "kind": entry.kind})
        gift_paid.send(donation, entry=entry)
    return entry


def mark_failed(donation: Donation) -> None:
    was_pending = donation.status == DonationStatus.PENDING
    states.move(donation, DonationStatus.FAILED)
    if was_pending:
        ledger.close_pending(donation.reference)


def mark_expired(donation: Donation) -> None:
    states.move(donation, DonationStatus.EXPIRED)


def record_month(
    donation: Donation,
    invoice_ref: str,
    amount_pence: int,
    fee_cover_pence: int,
    occurred_at: datetime | None = None,
) -> Row | None:
    """One month of a monthly gift, recorded once per invoice: the first month pays the
    donation (whichever news of it comes first), each later one is a payment of its own.

    Returns the new ledger row, or None when this month was already recorded.
    """
    if donation.status != DonationStatus.PAID:
        return mark_paid(donation, invoice_ref, occurred_at)
    when = occurred_at or utcnow()
    entry = ledger.record(
        fund_id=donation.fund_id,
        donation_id=donation.id,
        donor_key=donation.donor.key,
        kind=EntryKind.PAYMENT,
        amount_pence=amount_pence,
        source_ref=invoice_ref,
        gift_aid=carries_gift_aid(donation.declaration, when),
        fee_cover_pence=fee_cover_pence,
        occurred_at=when,
        appeal_id=donation.appeal_id,
        fundraiser_id=donation.fundraiser_id,
    )
    if entry is not None:
        gift_paid.send(donation, entry=entry)
    return entry
