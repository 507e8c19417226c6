"""Every model, imported in one place so Alembic and create_app see the whole schema
(the sandbox's tables included, whichever gateway runs)."""

from donations.funds.models import Fund
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation, Donor, Plan, PlanChange
from donations.ledger.models import FundTotals, LedgerEntry, PendingEntry
from donations.payments.models import CatalogueEntry, ProviderPayment, StripeEvent
from donations.receipts.models import OutboxMessage
from donations.sandbox.models import SandboxObject, SandboxSession
from donations.staff.models import AuditEntry, StaffMember

__all__ = [
    "AuditEntry",
    "CatalogueEntry",
    "Donation",
    "Donor",
    "Fund",
    "FundTotals",
    "GiftAidDeclaration",
    "LedgerEntry",
    "OutboxMessage",
    "PendingEntry",
    "Plan",
    "PlanChange",
    "ProviderPayment",
    "SandboxObject",
    "SandboxSession",
    "StaffMember",
    "StripeEvent",
]
