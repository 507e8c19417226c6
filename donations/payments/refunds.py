"""Refunds that staff ask for. Online, the refund goes to Stripe (or the sandbox) and the
ledger moves when Stripe confirms it, through the same webhook as any refund; an offline gift's
money is returned by the charity, so its refund is recorded at once."""

from dataclasses import dataclass

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation
from donations.gifts.reversals import refund as record_refund
from donations.ledger import services as ledger
from donations.ledger.models import EntryKind, LedgerEntry
from donations.money import format_gbp
from donations.payments.gateway import GatewayError, gateway
from donations.payments.models import ProviderPayment
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.models import StaffMember


class RefundRefused(ValueError):
    pass


@dataclass(frozen=True)
class Refundable:
    gift_pence: int
    fee_cover_pence: int

    @property
    def total_pence(self) -> int:
        return self.gift_pence + self.fee_cover_pence


def refundable(entry: LedgerEntry) -> Refundable:
    """What may still go back to the donor from this gift. Refunds come off the gift first,
    so while any of the gift remains the fee cover is untouched and may go back too."""
    kept = ledger.payment_net(entry)
    if kept <= 0:
        return Refundable(0, 0)
    return Refundable(kept, entry.fee_cover_pence)


def refund(
    donation: Donation, entry: LedgerEntry, amount_pence: int, reason: str, staff: StaffMember
) -> str:
    """Ask for a refund of amount_pence from this gift; returns what to tell staff. The same
    request twice (a double click) refunds once: its key is the gift and what remained."""
    limit = refundable(entry).total_pence
    if amount_pence <= 0:
        raise RefundRefused("Enter an amount of at least £0.01.")
    if amount_pence > limit:
        raise RefundRefused(
            f"That is more than remains of this gift to refund ({format_gbp(limit)})."
        )
    key = f"refund:{entry.id}:{limit}:{amount_pence}"
    if entry.kind == EntryKind.OFFLINE:
        record_refund(entry, f"offline-{key}", amount_pence)
        audit.record(
            Action.REFUND, subject=donation.reference, amount_pence=amount_pence, reason=reason
        )
        return "The refund is recorded. Return the money to the donor the way it came."
    known = db.session.execute(
        select(ProviderPayment).where(ProviderPayment.source_ref == entry.source_ref)
    ).scalar_one_or_none()
    if known is None or not (known.payment_intent_id or known.charge_id):
        raise RefundRefused("This payment is not yet known to Stripe; try again in a minute.")
    params = {
        "amount": amount_pence,
        "reason": "requested_by_customer",
        "metadata": {"reference": donation.reference, "requested_by": staff.email, "note": reason},
    }
    if known.payment_intent_id:
        params["payment_intent"] = known.payment_intent_id
    else:
        params["charge"] = known.charge_id
    try:
        made = gateway().create_refund(params, idempotency_key=key)
    except GatewayError as error:
        raise RefundRefused(f"Stripe did not take the refund: {error}") from error
    audit.record(
        Action.REFUND,
        subject=donation.reference,
        amount_pence=amount_pence,
        reason=reason,
        refund=made.get("id"),
    )
    return "The refund is on its way to the donor; this page shows it once Stripe confirms it."
