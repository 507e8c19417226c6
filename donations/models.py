"""Every model, imported in one place so Alembic and create_app see the whole schema
(the sandbox's tables included, whichever gateway runs)."""

from donations.claims.models import ClaimItem, GiftAidClaim, OverClaim
from donations.funds.models import Appeal, Fund, Fundraiser
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation, Donor, Plan, PlanChange
from donations.images.models import ImageVariant, StoredImage
from donations.ledger.models import (
    AppealTotals,
    FundraiserTotals,
    FundTotals,
    LedgerEntry,
    PendingEntry,
)
from donations.payments.models import CatalogueEntry, ProviderPayment, StripeEvent
from donations.receipts.models import OutboxMessage
from donations.sandbox.models import SandboxObject, SandboxSession
from donations.staff.models import AuditEntry, StaffMember
from donations.updates.models import (
    ConsentRecord,
    FundChoice,
    ResearchUpdate,
    Subscription,
    SuppressedAddress,
)

__all__ = [
    "Appeal",
    "AppealTotals",
    "AuditEntry",
    "CatalogueEntry",
    "ClaimItem",
    "ConsentRecord",
    "Donation",
    "Donor",
    "Fund",
    "FundChoice",
    "FundTotals",
    "Fundraiser",
    "FundraiserTotals",
    "GiftAidClaim",
    "GiftAidDeclaration",
    "ImageVariant",
    "LedgerEntry",
    "OutboxMessage",
    "OverClaim",
    "PendingEntry",
    "Plan",
    "PlanChange",
    "ProviderPayment",
    "ResearchUpdate",
    "SandboxObject",
    "SandboxSession",
    "StaffMember",
    "StoredImage",
    "StripeEvent",
    "Subscription",
    "SuppressedAddress",
]
