"""Money going back: refunds (and refunds that fail), and disputes withdrawn or won back.

A refund or a dispute moves the whole amount charged; the fund gives back the gift first and
the fee cover (never counted as raised) only beyond it. Each movement is recorded once, by the
provider's id for it, whatever order the news arrives in. Services flush; callers commit.
"""

from datetime import datetime

from donations.gifts.outcome import Outcome, processed
from donations.ledger import services as ledger
from donations.ledger.models import Entry, EntryKind


def _against(
    payment: Entry, kind: EntryKind, amount_pence: int, source_ref: str, when
) -> Entry | None:
    return ledger.record(
        fund_id=payment.fund_id,
        donation_id=payment.donation_id,
        donor_key=payment.donor_key,
        kind=kind,
        amount_pence=amount_pence,
        source_ref=source_ref,
        gift_aid=payment.gift_aid,
        against=payment,
        occurred_at=when,
    )


def refund(
    payment: Entry, refund_id: str, amount_pence: int, when: datetime | None = None
) -> Outcome:
    gift, entry = ledger.take_back(payment, EntryKind.REFUND, amount_pence, refund_id, when)
    if gift <= 0:
        return processed("nothing of the gift left to refund (the fee cover only)")
    if entry is None:
        return processed("refund already recorded")
    return processed(f"refunded {gift}")


def refund_failed(refund_id: str, when: datetime | None = None) -> Outcome:
    """A refund that did not reach the donor: the money is the fund's again."""
    refunded = ledger.already_recorded(refund_id)
    if refunded is None:
        return processed("no refund recorded to reverse")
    payment = ledger.entry(refunded.payment_entry_id)
    if (
        _against(
            payment, EntryKind.REFUND_FAILED, -refunded.amount_pence, f"{refund_id}:failed", when
        )
        is None
    ):
        return processed("failure already recorded")
    return processed("refund failed: money returned to the fund")


def dispute(
    payment: Entry,
    dispute_id: str,
    amount_pence: int,
    *,
    withdrawn: bool,
    reinstated: bool,
    when: datetime | None = None,
) -> Outcome:
    """Bring the ledger to what the dispute says happened: funds withdrawn, and perhaps
    reinstated. Steps only ever add, so news arriving late or twice ends the same."""
    if not (withdrawn or reinstated):
        return processed("nothing to change")
    done = []
    withdrawal = f"{dispute_id}:withdrawn"
    taken = ledger.already_recorded(withdrawal)
    if taken is None:
        gift, taken = ledger.take_back(payment, EntryKind.DISPUTE, amount_pence, withdrawal, when)
        if gift > 0:
            done.append("withdrawn")
    if reinstated and taken is not None:
        back = _against(
            payment, EntryKind.DISPUTE_WON, -taken.amount_pence, f"{dispute_id}:reinstated", when
        )
        if back is not None:
            done.append("reinstated")
    return processed(", ".join(done) or "nothing to change")
