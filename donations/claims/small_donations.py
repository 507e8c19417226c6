"""The Gift Aid Small Donations Scheme (GASDS): a top-up like Gift Aid on small cash and
contactless gifts for which no declaration could be had (a bucket at an event, a card reader).

HMRC's rules (gov.uk, "Claim top-up payments for the Gift Aid Small Donations Scheme"; the
charities guidance's chapter 8), for gifts collected since 6 April 2017:
- a small donation is £30 or less, given in cash or by contactless card; never a cheque or a
  transfer, never a part of a larger gift, and never a gift that carries Gift Aid;
- in a tax year, small donations may be claimed on up to the lower of £8,000 and ten times the
  donations on which Gift Aid was claimed in the same tax year (the "matching rule");
- the claim is made within two years of the end of the tax year the gifts were collected in.
The top-up is worked out as Gift Aid is (25p in the pound at a basic rate of 20%). Staff
enter each year's figure on Charities Online beside the Gift Aid claim; nothing here is
sent to HMRC. (Left out: the cap shared by connected charities, and community buildings.)
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from donations.claims.models import ClaimItem, ClaimStatus, GiftAidClaim
from donations.claims.statements import tax_year_label
from donations.extensions import db
from donations.gifts.dates import tax_year_bounds, tax_year_of
from donations.gifts.models import Donation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.standing import gift_aid_due, reversals, what_stands
from donations.uk_time import uk_date

#: the largest small donation
LIMIT_PENCE = 3000
#: the most a year's small donations may be claimed on
CAP_PENCE = 800_000
#: small donations may be claimed on up to this many times the year's Gift Aid donations
MATCHING_TIMES = 10
#: the only ways a small donation may come
METHODS = ("cash", "contactless")
#: a year's small donations are claimed within this many years of the tax year's end
YEARS_TO_CLAIM = 2


@dataclass(frozen=True)
class SmallDonationsYear:
    tax_year: int
    #: what stands of the year's small donations (refunds taken off), and how many gifts
    collected_pence: int
    gifts: int
    #: the donations of the same tax year on which Gift Aid was claimed (submitted claims)
    gift_aid_donations_pence: int

    @property
    def label(self) -> str:
        return tax_year_label(self.tax_year)

    @property
    def cap_pence(self) -> int:
        """The lower of £8,000 and ten times the year's Gift Aid donations."""
        return min(CAP_PENCE, MATCHING_TIMES * self.gift_aid_donations_pence)

    @property
    def claimable_pence(self) -> int:
        return min(self.collected_pence, self.cap_pence)

    @property
    def top_up_pence(self) -> int:
        """Worked out as Gift Aid is, at the basic rate of income tax."""
        return gift_aid_due(self.claimable_pence)

    @property
    def claim_by(self) -> date:
        """The last day to claim: two years after the tax year's last day."""
        last = tax_year_bounds(self.tax_year)[1]
        return last.replace(year=last.year + YEARS_TO_CLAIM)

    def open_on(self, today: date) -> bool:
        return today <= self.claim_by


def small_gift_condition():
    """Offline cash or contactless gifts of £30 or less that carry no Gift Aid."""
    return and_(
        LedgerEntry.kind == EntryKind.OFFLINE,
        LedgerEntry.amount_pence <= LIMIT_PENCE,
        LedgerEntry.gift_aid.is_(False),
        Donation.channel.in_(METHODS),
        Donation.gift_aid.is_(False),
        Donation.declaration_id.is_(None),
    )


def _small_gifts() -> list[tuple[date, int]]:
    """Each small donation's day and what stands of it (its refunds taken off)."""
    taken = reversals()
    stands = what_stands(
        LedgerEntry.amount_pence,
        func.coalesce(taken.c.refunded, 0),
        func.coalesce(taken.c.disputed, 0),
    )
    rows = db.session.execute(
        select(LedgerEntry.occurred_at, stands)
        .join(Donation, Donation.id == LedgerEntry.donation_id)
        .outerjoin(taken, taken.c.payment_id == LedgerEntry.id)
        .where(small_gift_condition())
    ).all()
    return [(uk_date(when), standing) for when, standing in rows]


def _gift_aid_donations(first: date, last: date) -> int:
    """Donations given in the period and claimed under Gift Aid on a submitted claim."""
    return db.session.execute(
        select(func.coalesce(func.sum(ClaimItem.amount_pence), 0))
        .join(GiftAidClaim, GiftAidClaim.id == ClaimItem.claim_id)
        .where(
            GiftAidClaim.status == ClaimStatus.SUBMITTED,
            ClaimItem.given_on.between(first, last),
        )
    ).scalar_one()


def years() -> list[SmallDonationsYear]:
    """Every tax year with small donations, newest first."""
    collected: dict[int, list[int]] = {}
    for day, standing in _small_gifts():
        collected.setdefault(tax_year_of(day), []).append(standing)
    return [
        SmallDonationsYear(
            tax_year=year,
            collected_pence=sum(max(standing, 0) for standing in amounts),
            gifts=len(amounts),
            gift_aid_donations_pence=_gift_aid_donations(*tax_year_bounds(year)),
        )
        for year, amounts in sorted(collected.items(), reverse=True)
    ]
