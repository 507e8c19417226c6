"""Every model, imported in one place so Alembic and create_app see the whole schema
(the sandbox's tables included, whichever gateway runs)."""

from donations.claims.models import ClaimItem, GiftAidClaim, OverClaim
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
    "ClaimItem",
    "Donation",
    "Donor",
    "Fund",
    "FundTotals",
    "GiftAidClaim",
    "GiftAidDeclaration",
    "LedgerEntry",
    "OutboxMessage",
    "OverClaim",
    "PendingEntry",
    "Plan",
    "PlanChange",
    "ProviderPayment",
    "SandboxObject",
    "SandboxSession",
    "StaffMember",
    "StripeEvent",
]
