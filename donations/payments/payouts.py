"""Matching each Stripe payout to the penny: its balance transactions (gifts, refunds,
disputes, fees) must add up to what reached the bank, and each must be one we recorded;
anything else is named, never hidden."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from donations.extensions import db
from donations.ledger import services as ledger
from donations.ledger.models import LedgerEntry
from donations.money import pounds
from donations.payments import provider_payments
from donations.payments.gateway import gateway
from donations.payments.objects import id_of


@dataclass(frozen=True)
class PayoutLine:
    transaction_id: str
    type: str
    amount_pence: int
    fee_pence: int
    net_pence: int
    #: what it is in the platform's records, or None for something the platform never saw
    ours: str | None
    #: the ledger's entry for it: a gift, a refund, a dispute's withdrawal or reinstatement
    entry: LedgerEntry | None = None


@dataclass
class PayoutReport:
    payout_id: str
    amount_pence: int
    arrival_date: int | None
    lines: list[PayoutLine] = field(default_factory=list)

    @property
    def net_pence(self) -> int:
        return sum(line.net_pence for line in self.lines)

    @property
    def difference_pence(self) -> int:
        """What reached the bank, less what its transactions add up to (0 when it matches)."""
        return self.amount_pence - self.net_pence

    @property
    def unmatched(self) -> list[PayoutLine]:
        return [line for line in self.lines if line.ours is None]

    @property
    def reconciled(self) -> bool:
        return self.difference_pence == 0 and not self.unmatched


def _ours(transaction: dict, payout_id: str) -> tuple[str | None, LedgerEntry | None]:
    """What a balance transaction is in our records, and the ledger's entry for it."""
    source = transaction.get("source")
    source_id = id_of(source)
    kind = transaction.get("type")
    if kind in ("charge", "payment"):
        charge = source if isinstance(source, dict) else {"id": source_id}
        known = provider_payments.provider_payment(
            payment_intent_id=id_of(charge.get("payment_intent")), charge_id=source_id
        )
        if known is None:
            return None, None
        known.charge_id = known.charge_id or source_id
        known.balance_transaction_id = known.balance_transaction_id or transaction.get("id")
        known.fee_pence, known.net_pence = transaction.get("fee"), transaction.get("net")
        known.payout_id = payout_id
        return f"payment {known.source_ref}", ledger.already_recorded(known.source_ref)
    if kind in ("refund", "payment_refund"):
        refunded = ledger.already_recorded(source_id or "")
        if refunded is not None:
            return f"refund {source_id}", refunded
    if kind == "adjustment" and source_id:
        # a dispute takes money (withdrawn) and may give it back (reinstated)
        phase = "withdrawn" if transaction.get("amount", 0) < 0 else "reinstated"
        moved = ledger.already_recorded(f"{source_id}:{phase}")
        if moved is not None:
            return f"dispute {source_id}", moved
    return None, None


def report(payout: dict) -> PayoutReport:
    result = PayoutReport(payout["id"], payout["amount"], payout.get("arrival_date"))
    for transaction in gateway().list_balance_transactions(payout_id=payout["id"]):
        if transaction.get("type") == "payout":
            continue  # the payout's own movement out of the balance
        ours, entry = _ours(transaction, payout["id"])
        result.lines.append(
            PayoutLine(
                transaction_id=transaction["id"],
                type=transaction.get("type", ""),
                amount_pence=transaction.get("amount", 0),
                fee_pence=transaction.get("fee", 0),
                net_pence=transaction.get("net", 0),
                ours=ours,
                entry=entry,
            )
        )
    db.session.flush()
    return result


def reports(since: datetime) -> list[PayoutReport]:
    return [report(payout) for payout in gateway().list_payouts(since)]


def write_csv(found: Iterable[PayoutReport], out) -> None:
    writer = csv.writer(out)
    writer.writerow(
        ["payout", "transaction", "type", "amount", "fee", "net", "ours", "payout_difference"]
    )
    for payout in found:
        for line in payout.lines:
            writer.writerow(
                [
                    payout.payout_id,
                    line.transaction_id,
                    line.type,
                    pounds(line.amount_pence),
                    pounds(line.fee_pence),
                    pounds(line.net_pence),
                    line.ours or "NOT IN OUR RECORDS",
                    pounds(payout.difference_pence),
                ]
            )
