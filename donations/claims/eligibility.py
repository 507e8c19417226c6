"""Which gifts may be claimed, decided here and nowhere else (GIFT_AID.md, "Not eligible").

A gift is a ledger payment row (a one-off payment, one month of a monthly gift, or an
offline gift). It may be claimed when it carries a declaration valid on its date (the ledger
row says so, decided when the money came; a cancellation takes effect from the day it is
made or later, so it never reaches back), something of it remains after refunds and
disputes (only that remainder is claimed; the fee cover never is), it is not in another
claim, and it was received no more than four years before the end of the charity's
accounting period. Every declaration is an individual's: the form and the offline records
take Gift Aid only from a named person declaring they pay UK tax.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from donations.claims.models import ClaimItem, GiftAidClaim
from donations.extensions import db
from donations.gift_aid.models import DeclarationCover, GiftAidDeclaration
from donations.gifts.models import Donation
from donations.ledger import standing
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.money import format_gbp
from donations.uk_time import uk_date, uk_midnight, uk_today

WINDOW_YEARS = 4


def accounting_period_end(day: date) -> date:
    """The last day of the charity's accounting period holding this day
    (`ACCOUNTING_YEAR_END`, month and day, e.g. "03-31")."""
    month, end_day = (int(part) for part in current_app.config["ACCOUNTING_YEAR_END"].split("-"))
    end = date(day.year, month, end_day)
    return end if day <= end else date(day.year + 1, month, end_day)


def within_window(given_on: date, today: date) -> bool:
    """HMRC takes claims up to four years after the end of the gift's accounting period."""
    end = accounting_period_end(given_on)  # never 29 February: the setting is checked
    return today <= end.replace(year=end.year + WINDOW_YEARS)


@dataclass
class Assessment:
    """Whether one gift may be claimed, how much of it, and why, in words: `refusals` say
    why it may never be claimed, `claimed_in` the claim already holding it, `notes` what else
    a reader should know. `gift_aid_pence` is the Gift Aid on what stands of a gift that is
    not refused, claimed already or not."""

    given_on: date
    gift_pence: int
    remaining_pence: int
    claimable_pence: int = 0
    gift_aid_pence: int = 0
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claimed_in: str | None = None

    @property
    def eligible(self) -> bool:
        """May go into a new claim."""
        return not self.refusals and self.claimed_in is None

    @property
    def reasons(self) -> list[str]:
        """Why it may not go into a new claim, in words."""
        claimed = [f"Already in Gift Aid claim {self.claimed_in}."] if self.claimed_in else []
        return self.refusals + claimed

    @property
    def why(self) -> str:
        """The reasons as one sentence after another."""
        return " ".join(self.reasons)


@dataclass(frozen=True)
class GiftFacts:
    """What the decision needs to know of one gift."""

    occurred_at: datetime
    gift_pence: int
    refunded_pence: int
    disputed_pence: int
    carries_declaration: bool
    declaration: GiftAidDeclaration | None
    claimed_in: str | None


def _declaration_refusal(facts: GiftFacts) -> str | None:
    declaration = facts.declaration
    if not facts.carries_declaration or declaration is None:
        return "No Gift Aid declaration covered this gift when it was made."
    if declaration.cancelled_at is not None and declaration.cancelled_at <= facts.occurred_at:
        return (
            "The donor's declaration was cancelled from "
            f"{uk_date(declaration.cancelled_at):%-d %B %Y}, before this gift."
        )
    return None


def assess(facts: GiftFacts, today: date) -> Assessment:
    given_on = uk_date(facts.occurred_at)
    remaining = standing.what_stands(facts.gift_pence, facts.refunded_pence, facts.disputed_pence)
    found = Assessment(given_on, facts.gift_pence, remaining)
    if (refusal := _declaration_refusal(facts)) is not None:
        found.refusals.append(refusal)
    if remaining <= 0:
        found.refusals.append(
            "Lost to a dispute." if facts.disputed_pence > 0 else "Refunded in full."
        )
    elif remaining < facts.gift_pence:
        found.notes.append(
            f"{format_gbp(facts.gift_pence - remaining)} of it was refunded or lost to a "
            f"dispute; only the {format_gbp(remaining)} that remains may be claimed."
        )
    if not within_window(given_on, today):
        found.refusals.append(
            "Received more than four years before the end of its accounting period: "
            "too late to claim."
        )
    found.claimed_in = facts.claimed_in
    if not found.refusals:
        found.gift_aid_pence = standing.gift_aid_due(remaining)
        if found.claimed_in is None:
            found.claimable_pence = remaining
    return found


COVERING = aliased(GiftAidDeclaration, name="covering")


def facts_query(conditions) -> Select:
    """Each gift matching the conditions, with what its eligibility depends on:
    (LedgerEntry, Donation, its own declaration or None, a later declaration covering it or
    None, refunded, disputed, claim reference)."""
    taken = standing.reversals()
    return (
        select(
            LedgerEntry,
            Donation,
            GiftAidDeclaration,
            COVERING,
            func.coalesce(taken.c.refunded, 0),
            func.coalesce(taken.c.disputed, 0),
            GiftAidClaim.reference,
        )
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .outerjoin(GiftAidDeclaration, GiftAidDeclaration.id == Donation.declaration_id)
        .outerjoin(DeclarationCover, DeclarationCover.ledger_entry_id == LedgerEntry.id)
        .outerjoin(COVERING, COVERING.id == DeclarationCover.declaration_id)
        .outerjoin(taken, taken.c.payment_id == LedgerEntry.id)
        .outerjoin(ClaimItem, ClaimItem.entry_id == LedgerEntry.id)
        .outerjoin(GiftAidClaim, GiftAidClaim.id == ClaimItem.claim_id)
        .where(LedgerEntry.kind.in_(GIFT_KINDS), *conditions)
        .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
    )


def _facts(row) -> GiftFacts:
    entry, _donation, own, covering, refunded, disputed, claimed_in = row
    return GiftFacts(
        occurred_at=entry.occurred_at,
        gift_pence=entry.amount_pence,
        refunded_pence=int(refunded),
        disputed_pence=int(disputed),
        carries_declaration=entry.gift_aid or covering is not None,
        declaration=own if entry.gift_aid else covering,
        claimed_in=claimed_in,
    )


@dataclass(frozen=True)
class Gift:
    """A gift, its donation and declaration, and the decision on it."""

    entry: LedgerEntry
    donation: Donation
    declaration: GiftAidDeclaration | None
    facts: GiftFacts
    assessment: Assessment


def gifts(conditions, today: date | None = None) -> list[Gift]:
    today = today or uk_today()
    found = []
    for row in db.session.execute(facts_query(conditions)).all():
        facts = _facts(row)
        found.append(Gift(row[0], row[1], facts.declaration, facts, assess(facts, today)))
    return found


def received_between(first: date, last: date) -> list:
    """Conditions for ledger rows made on these UK days, inclusive."""
    return [
        LedgerEntry.occurred_at >= uk_midnight(first),
        LedgerEntry.occurred_at < uk_midnight(last + timedelta(days=1)),
    ]


def in_period(period_from: date, period_to: date) -> list:
    """Conditions for gifts received on these UK days, inclusive, that carried Gift Aid or
    that a later declaration covers."""
    covered = select(DeclarationCover.ledger_entry_id)
    return [
        *received_between(period_from, period_to),
        or_(LedgerEntry.gift_aid.is_(True), LedgerEntry.id.in_(covered)),
    ]


def for_donation(donation_id: int) -> list[Gift]:
    """Every gift of a donation (each month of a monthly one), with the decision on each."""
    return gifts([LedgerEntry.donation_id == donation_id])
