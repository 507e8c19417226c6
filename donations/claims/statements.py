"""A donor's statement of a tax year: each gift they made, what of it stands after refunds,
and the Gift Aid the charity claims (or may claim) on it; e-mailed through the outbox."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import render_template
from sqlalchemy import select

from donations.claims import eligibility
from donations.extensions import db
from donations.funds.models import Fund
from donations.gifts.dates import tax_year_bounds
from donations.gifts.models import Donor
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.receipts import outbox
from donations.staff import audit
from donations.staff.audit import Action


@dataclass(frozen=True)
class StatementLine:
    given_on: date
    fund: str
    reference: str
    stands_pence: int
    gift_aid_pence: int
    claimed_in: str | None


@dataclass(frozen=True)
class Statement:
    donor: Donor
    tax_year: int
    lines: list[StatementLine]

    @property
    def label(self) -> str:
        return tax_year_label(self.tax_year)

    @property
    def total_pence(self) -> int:
        return sum(line.stands_pence for line in self.lines)

    @property
    def with_gift_aid_pence(self) -> int:
        """What the donor gave on gifts carrying Gift Aid: the figure a tax return asks for."""
        return sum(line.stands_pence for line in self.lines if line.gift_aid_pence)

    @property
    def gift_aid_pence(self) -> int:
        return sum(line.gift_aid_pence for line in self.lines)


def tax_year_label(year: int) -> str:
    return f"{year}\u2013{str(year + 1)[-2:]}"  # an en dash, as the UK writes tax years


def statement(donor: Donor, year: int) -> Statement:
    first, last = tax_year_bounds(year)
    gifts = eligibility.gifts(
        [LedgerEntry.donor_key == donor.key, *eligibility.received_between(first, last)]
    )
    funds = {fund.id: fund.name for fund in db.session.execute(select(Fund)).scalars()}
    lines = []
    for gift in gifts:
        lines.append(
            StatementLine(
                given_on=gift.assessment.given_on,
                fund=funds[gift.entry.fund_id],
                reference=gift.donation.reference,
                stands_pence=max(0, gift.assessment.remaining_pence),
                gift_aid_pence=gift.assessment.gift_aid_pence,
                claimed_in=gift.assessment.claimed_in,
            )
        )
    return Statement(donor, year, lines)


def queue(donor: Donor, year: int, *, again: bool = False) -> bool:
    """Queue the donor's statement for the year; False when they have no e-mail address or
    gave nothing that year, or (unless `again`) one was queued before."""
    if not donor.email:
        return False
    made = statement(donor, year)
    if not made.lines:
        return False
    key = f"statement:{donor.id}:{year}"
    if again:
        key += f":{datetime.now(UTC).isoformat()}"
    values = {"statement": made, "donor": donor}
    queued = outbox.queue_message(
        donor.email,
        f"Your gifts and Gift Aid in the tax year {made.label}",
        render_template("receipts/statement.txt", **values),
        render_template("receipts/statement.html", **values),
        key,
        donor_id=donor.id,
    )
    if queued is None:
        return False
    audit.record(Action.STATEMENT_SENT, subject=f"donor {donor.id}", tax_year=made.label)
    return True


def donors_of_year(year: int) -> list[Donor]:
    """Every donor with an e-mail address who gave with Gift Aid in the tax year."""
    first, last = tax_year_bounds(year)
    keys = select(LedgerEntry.donor_key).where(
        LedgerEntry.kind.in_(GIFT_KINDS),
        LedgerEntry.gift_aid.is_(True),
        *eligibility.received_between(first, last),
    )
    return list(
        db.session.execute(select(Donor).where(Donor.email.in_(keys)).order_by(Donor.id)).scalars()
    )
