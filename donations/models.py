"""Every model, imported in one place so Alembic and create_app see the whole schema."""

from donations.funds.models import Fund, FundTotals
from donations.giving.models import Donation, Donor, GiftAidDeclaration
from donations.ledger.models import LedgerEntry
from donations.payments.models import SandboxSession, StripeEvent
from donations.receipts.models import OutboxMessage

__all__ = [
    "Donation",
    "Donor",
    "Fund",
    "FundTotals",
    "GiftAidDeclaration",
    "LedgerEntry",
    "OutboxMessage",
    "SandboxSession",
    "StripeEvent",
]
