"""Every model, imported in one place so Alembic and create_app see the whole schema
(the sandbox's tables included, whichever gateway runs)."""

from donations.funds.models import Fund
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation, Donor
from donations.ledger.models import FundTotals, LedgerEntry, PendingEntry
from donations.payments.models import StripeEvent
from donations.receipts.models import OutboxMessage
from donations.sandbox.models import SandboxSession

__all__ = [
    "Donation",
    "Donor",
    "Fund",
    "FundTotals",
    "GiftAidDeclaration",
    "LedgerEntry",
    "OutboxMessage",
    "PendingEntry",
    "SandboxSession",
    "StripeEvent",
]
