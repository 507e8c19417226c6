"""A recurring gift's payments, as the domain decides them: each period's payment recorded
once, a plan begun or brought back to life by it, and a payment that does not fit the gift
held for a person to look at rather than counted."""

from dataclasses import dataclass
from datetime import datetime

from donations.gifts import lifecycle, plans
from donations.gifts.models import Donation, DonationStatus, PlanStatus
from donations.gifts.outcome import Outcome, held, processed
from donations.ledger.models import Entry

NOT_POUNDS = "amount or currency is not a gift in pounds"


@dataclass(frozen=True)
class PeriodPaid:
    """What the payment provider says was paid for one period of a recurring gift."""

    invoice_id: str
    subscription_id: str | None
    customer_id: str | None
    #: (the gift, the fee cover), or None when what was paid is not pence of a gift
    split: tuple[int, int] | None
    paid_at: datetime | None


def period_paid(donation: Donation, paid: PeriodPaid) -> tuple[Outcome, Entry | None]:
    """Record one period's payment of a recurring gift (its donation locked by the caller:
    `gifts.lock`), or hold it, saying why."""
    if paid.split is None or paid.split[0] <= 0:
        return held(NOT_POUNDS), None
    gift, cover = paid.split
    if donation.status != DonationStatus.PAID and gift + cover != donation.total_charged_pence:
        return held("the first month's amount differs from the donation"), None
    if donation.status not in (DonationStatus.CREATED, DonationStatus.PENDING, DonationStatus.PAID):
        return held(f"a paid invoice for a donation that is {donation.status}"), None
    if paid.subscription_id:
        donation.subscription_id = donation.subscription_id or paid.subscription_id
        plan = plans.begin_plan(donation, paid.subscription_id, paid.customer_id)
        if plan.status == PlanStatus.PAST_DUE:
            plans.change_plan(plan, PlanStatus.ACTIVE, "invoice.paid")
    entry = lifecycle.record_month(donation, paid.invoice_id, gift, cover, paid.paid_at)
    return processed("month recorded" if entry is not None else "month already recorded"), entry
