"""Claim batches: create one from a period's eligible gifts (locking them to it), keep a
draft true to the ledger, discard it (releasing its gifts) or mark it submitted. Services
flush; callers commit and write the audit log."""

import dataclasses
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select, text

from donations.claims import eligibility
from donations.claims.models import ClaimItem, ClaimStatus, GiftAidClaim, OverClaim
from donations.extensions import db
from donations.ledger.models import OUTGOING_KINDS, LedgerEntry
from donations.ledger.standing import gift_aid_due
from donations.staff import audit
from donations.staff.audit import Action
from donations.uk_time import uk_today

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ClaimRefused(ValueError):
    """Why a claim cannot be made or changed, in words for the user."""


def _new_reference() -> str:
    return "GA-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _one_at_a_time() -> None:
    """Claims are made one after another: the second of two made at the same moment waits,
    then finds the first one's gifts already claimed (PostgreSQL; SQLite writes one
    transaction at a time anyway). The unique gift per claim item is the backstop."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('claims', 0))"))


def by_reference(reference: str) -> GiftAidClaim | None:
    return db.session.execute(
        select(GiftAidClaim).where(GiftAidClaim.reference == reference)
    ).scalar_one_or_none()


def all_claims() -> list[GiftAidClaim]:
    return list(db.session.execute(select(GiftAidClaim).order_by(GiftAidClaim.id.desc())).scalars())


def _check_period(period_from: date, period_to: date, today: date) -> None:
    if period_from > period_to:
        raise ClaimRefused("The period must start on or before the day it ends.")
    if period_to > today:
        raise ClaimRefused("The period cannot end in the future.")


def preview(period_from: date, period_to: date) -> list[eligibility.Gift]:
    """Every gift of the period that carried Gift Aid, with the decision on each."""
    return eligibility.gifts(eligibility.in_period(period_from, period_to))


def create(period_from: date, period_to: date, created_by: str) -> GiftAidClaim:
    """A draft claim of every eligible gift received in the period (UK days, inclusive), and
    of any Gift Aid over-claimed on gifts refunded since their claim was submitted."""
    today = uk_today()
    _check_period(period_from, period_to, today)
    _one_at_a_time()
    eligible = [gift for gift in preview(period_from, period_to) if gift.assessment.eligible]
    if not eligible:
        # an over-claim waits for a claim with gifts: HMRC's schedule needs at least one
        raise ClaimRefused("No gift received in that period may be claimed.")
    owed = over_claimed()
    claim = GiftAidClaim(
        reference=_new_reference(),
        period_from=period_from,
        period_to=period_to,
        status=ClaimStatus.DRAFT,
        created_by=created_by,
    )
    db.session.add(claim)
    db.session.flush()
    for gift in eligible:
        db.session.add(_item(claim, gift))
    for item, pence in owed:
        db.session.add(OverClaim(item_id=item.id, claim_id=claim.id, gift_aid_pence=pence))
    db.session.flush()
    audit.record(
        Action.CLAIM_CREATED,
        subject=claim.reference,
        period_from=period_from,
        period_to=period_to,
        gifts=len(eligible),
        gift_aid_pence=sum(gift.assessment.gift_aid_pence for gift in eligible),
    )
    return claim


def _item(claim: GiftAidClaim, gift: eligibility.Gift) -> ClaimItem:
    return ClaimItem(
        claim_id=claim.id,
        entry_id=gift.entry.id,
        donation_id=gift.donation.id,
        declaration_id=gift.declaration.id,
        amount_pence=gift.assessment.claimable_pence,
        gift_aid_pence=gift.assessment.gift_aid_pence,
        given_on=gift.assessment.given_on,
        sponsored=gift.donation.sponsored,
    )


def _require_draft(claim: GiftAidClaim) -> None:
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimRefused(f"Claim {claim.reference} is {claim.status}; only a draft can change.")


def refresh(claim: GiftAidClaim) -> list[str]:
    """Bring a draft up to date with the ledger: a gift refunded since is claimed on what
    remains, or leaves the claim when nothing does. Returns what changed, in words."""
    _require_draft(claim)
    items = {item.entry_id: item for item in claim.items}
    if not items:
        return []
    changed = []
    for gift in eligibility.gifts([LedgerEntry.id.in_(items)]):
        item = items[gift.entry.id]
        facts = dataclasses.replace(gift.facts, claimed_in=None)
        now = eligibility.assess(facts, uk_today())
        if not now.eligible:
            changed.append(f"{gift.donation.reference}: left out. {now.why}")
            claim.items.remove(item)
        elif now.claimable_pence != item.amount_pence:
            changed.append(f"{gift.donation.reference}: now claimed on what remains.")
            item.amount_pence = now.claimable_pence
            item.gift_aid_pence = now.gift_aid_pence
    db.session.flush()
    return changed


def discard(claim: GiftAidClaim) -> int:
    """Discard a draft: its gifts are free for a later claim. Returns how many."""
    _require_draft(claim)
    released = len(claim.items)
    db.session.execute(delete(OverClaim).where(OverClaim.claim_id == claim.id))
    claim.items.clear()
    claim.status = ClaimStatus.DISCARDED
    claim.discarded_at = datetime.now(UTC)
    db.session.flush()
    audit.record(Action.CLAIM_DISCARDED, subject=claim.reference, released=released)
    return released


def mark_submitted(claim: GiftAidClaim, submitted_by: str) -> None:
    """The claim went to HMRC: its gifts as the ledger has them now, locked for good."""
    refresh(claim)
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_by = submitted_by
    claim.submitted_at = datetime.now(UTC)
    db.session.flush()
    audit.record(Action.CLAIM_SUBMITTED, subject=claim.reference)


def over_claimed() -> list[tuple[ClaimItem, int]]:
    """Gift Aid claimed in submitted claims on money since refunded or lost to a dispute,
    not yet reported: each item and the tax owed back."""
    reversed_payments = select(LedgerEntry.payment_entry_id).where(
        LedgerEntry.kind.in_(OUTGOING_KINDS)
    )
    items = {
        item.entry_id: item
        for item in db.session.execute(
            select(ClaimItem)
            .join(GiftAidClaim, GiftAidClaim.id == ClaimItem.claim_id)
            .where(
                GiftAidClaim.status == ClaimStatus.SUBMITTED,
                ClaimItem.entry_id.in_(reversed_payments),
            )
        ).scalars()
    }
    if not items:
        return []
    reported = dict(
        db.session.execute(
            select(OverClaim.item_id, func.sum(OverClaim.gift_aid_pence))
            .where(OverClaim.item_id.in_([item.id for item in items.values()]))
            .group_by(OverClaim.item_id)
        ).all()
    )
    owed = []
    for gift in eligibility.gifts([LedgerEntry.id.in_(items)]):
        item = items[gift.entry.id]
        due = gift_aid_due(min(item.amount_pence, gift.assessment.remaining_pence))
        pence = item.gift_aid_pence - due - int(reported.get(item.id, 0))
        if pence > 0:
            owed.append((item, pence))
    return owed
