"""Gift Aid declarations a donor makes after giving: by phone or on paper, "for this gift,
the past four years and the future" (HMRC lets a declaration reach back four years). The
donor's earlier gifts in those four years that carried no declaration are covered by it,
one row each (`DeclarationCover`), so a claim may include them; what the ledger recorded of
each gift is never changed. Later gifts carry Gift Aid as staff record them. Services flush;
callers commit.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.models import DeclarationCover, GiftAidDeclaration
from donations.gift_aid.services import new_declaration
from donations.gifts.models import Donation, Donor
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.uk_time import uk_midnight, uk_noon

#: how far back a declaration reaches (HMRC: the four years before it was made)
YEARS_BACK = 4


@dataclass(frozen=True)
class Recorded:
    declaration: GiftAidDeclaration
    #: the donor's earlier gifts it now covers
    covered: int


def reaches_back_to(declared_on: date) -> date:
    """The first day a declaration made on this day covers (29 February: 28 February)."""
    try:
        return declared_on.replace(year=declared_on.year - YEARS_BACK)
    except ValueError:
        return declared_on.replace(year=declared_on.year - YEARS_BACK, day=28)


def _uncovered_gifts(donor_id: int, since: date) -> list[int]:
    """The donor's gifts from `since` on that carried no declaration and none covers yet."""
    covered = select(DeclarationCover.ledger_entry_id)
    return list(
        db.session.execute(
            select(LedgerEntry.id)
            .join(Donation, Donation.id == LedgerEntry.donation_id)
            .where(
                Donation.donor_id == donor_id,
                LedgerEntry.kind.in_(GIFT_KINDS),
                LedgerEntry.gift_aid.is_(False),
                LedgerEntry.occurred_at >= uk_midnight(since),
                LedgerEntry.id.not_in(covered),
            )
        ).scalars()
    )


def record(
    donor: Donor,
    *,
    declared_on: date,
    declared_by: str,
    title: str | None,
    first_name: str,
    last_name: str,
    house: str,
    address: str | None,
    postcode: str | None,
    overseas: bool,
) -> Recorded:
    """The donor's declaration as they made it, covering their gifts of the four years
    before it."""
    declaration = new_declaration(
        donor.id,
        title=title,
        first_name=first_name,
        last_name=last_name,
        house=house,
        address=address,
        postcode=postcode,
        overseas=overseas,
    )
    declaration.source = declared_by
    declaration.declared_at = uk_noon(declared_on)
    db.session.add(declaration)
    db.session.flush()
    gifts = _uncovered_gifts(donor.id, reaches_back_to(declared_on))
    db.session.add_all(
        DeclarationCover(ledger_entry_id=entry_id, declaration_id=declaration.id)
        for entry_id in gifts
    )
    db.session.flush()
    return Recorded(declaration, len(gifts))
