"""Donors as people, for finance staff: finding one, everything they gave, and joining two
records that turn out to be the same person ("Alice Smith" and "alice smith" from two cheques).

A merge moves every gift and declaration of one record to the other and removes the empty
record; nothing in the ledger changes (it is append-only, and a gift's money, fund and Gift
Aid are the same whoever we think gave it), so every figure stays what it was. The features
that keep their own rows by donor (messages, research updates' consent) move theirs first,
through the finance area, which runs the whole merge in one transaction. Services flush;
callers commit.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation, Donor, Plan
from donations.ledger.models import LedgerEntry

#: donors shown at once (a search narrows them)
LIST_SIZE = 50


class MergeRefused(ValueError):
    pass


@dataclass(frozen=True)
class DonorRow:
    donor: Donor
    gifts: int
    #: what stands of everything they gave (gifts less refunds and disputes lost)
    given_pence: int
    first_gift_at: datetime | None
    last_gift_at: datetime | None


def _escaped(text: str) -> str:
    """Text for LIKE, its wildcards taken as themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _number(text: str) -> int | None:
    digits = text.removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def _squeezed(column):
    return func.replace(func.upper(column), " ", "")


def _matching(q: str, personal: bool):
    """Who a search finds: by donor number or a gift's reference; with personal data, by name,
    e-mail or postcode as well (the start of one is enough)."""
    found = [Donor.id.in_(select(Donation.donor_id).where(Donation.reference == q.upper()))]
    number = _number(q)
    if number is not None:
        found.append(Donor.id == number)
    if personal:
        like = f"%{_escaped(q.lower())}%"
        postcode = _escaped(q.upper().replace(" ", "")) + "%"
        found += [
            # the whole name holds the first name and the surname: one condition finds both
            (func.lower(Donor.first_name) + " " + func.lower(Donor.last_name)).like(
                like, escape="\\"
            ),
            Donor.email.like(like, escape="\\"),
            Donor.id.in_(
                select(Donation.donor_id).where(
                    _squeezed(Donation.postcode).like(postcode, escape="\\")
                )
            ),
            Donor.id.in_(
                select(GiftAidDeclaration.donor_id).where(
                    _squeezed(GiftAidDeclaration.postcode).like(postcode, escape="\\")
                )
            ),
        ]
    return or_(*found)


def search(q: str | None, *, personal: bool) -> list[DonorRow]:
    """Donors matching the search (by name, then number), or the newest without one."""
    query = select(Donor)
    if q:
        query = query.where(_matching(q, personal)).order_by(
            func.lower(Donor.last_name), func.lower(Donor.first_name), Donor.id
        )
    else:
        query = query.order_by(Donor.id.desc())
    donors = list(db.session.execute(query.limit(LIST_SIZE)).scalars())
    return _with_figures(donors)


def _with_figures(donors: list[Donor]) -> list[DonorRow]:
    ids = [donor.id for donor in donors]
    figures = {
        donor_id: (gifts, given, first, last)
        for donor_id, gifts, given, first, last in db.session.execute(
            select(
                Donation.donor_id,
                func.count(func.distinct(Donation.id)),
                func.coalesce(func.sum(LedgerEntry.amount_pence), 0),
                func.min(Donation.paid_at),
                func.max(Donation.paid_at),
            )
            .join(LedgerEntry, LedgerEntry.donation_id == Donation.id)
            .where(Donation.donor_id.in_(ids))
            .group_by(Donation.donor_id)
        )
    }
    return [DonorRow(donor, *figures.get(donor.id, (0, 0, None, None))) for donor in donors]


def row(donor: Donor) -> DonorRow:
    return _with_figures([donor])[0]


def gifts_of(donor_id: int) -> list[Donation]:
    """Every gift of the donor's (a donation becomes theirs when it is paid), newest first."""
    return list(
        db.session.execute(
            select(Donation)
            .where(Donation.donor_id == donor_id)
            .order_by(Donation.paid_at.desc(), Donation.id.desc())
        ).scalars()
    )


def declarations_of(donor_id: int) -> list[GiftAidDeclaration]:
    return list(
        db.session.execute(
            select(GiftAidDeclaration)
            .where(GiftAidDeclaration.donor_id == donor_id)
            .order_by(GiftAidDeclaration.declared_at.desc(), GiftAidDeclaration.id.desc())
        ).scalars()
    )


def plans_of(donor_id: int) -> list[Plan]:
    return list(
        db.session.execute(
            select(Plan)
            .join(Donation, Donation.id == Plan.donation_id)
            .where(Donation.donor_id == donor_id)
            .order_by(Plan.created_at.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class MergePlan:
    """What merging `merged` into `keep` will do, said before it is done."""

    keep: Donor
    merged: Donor
    gifts: int
    declarations: int
    #: the kept record has no e-mail address and takes the merged one's
    takes_address: bool
    #: the merged record's address, which no record will hold afterwards (the gifts keep it)
    address_let_go: str | None


def merge_plan(keep: Donor, merged: Donor) -> MergePlan:
    if keep.id == merged.id:
        raise MergeRefused("Choose two different donors: a donor cannot be merged into itself.")
    gifts = db.session.execute(
        select(func.count()).select_from(Donation).where(Donation.donor_id == merged.id)
    ).scalar_one()
    declarations = db.session.execute(
        select(func.count())
        .select_from(GiftAidDeclaration)
        .where(GiftAidDeclaration.donor_id == merged.id)
    ).scalar_one()
    takes = keep.email is None and merged.email is not None
    return MergePlan(
        keep=keep,
        merged=merged,
        gifts=gifts,
        declarations=declarations,
        takes_address=takes,
        address_let_go=merged.email if keep.email is not None else None,
    )


def merge(plan: MergePlan) -> None:
    """Move the merged record's gifts and declarations to the kept one, then remove it. Run
    after every other feature has moved its own rows (they would hold the record)."""
    keep, merged = plan.keep, plan.merged
    for model in (Donation, GiftAidDeclaration):
        db.session.execute(
            update(model)
            .where(model.donor_id == merged.id)
            .values(donor_id=keep.id)
            .execution_options(synchronize_session=False)
        )
    address = merged.email
    db.session.delete(merged)
    db.session.flush()  # the address is free before the kept record takes it
    if plan.takes_address:
        keep.email = address
    db.session.flush()
    db.session.expire_all()
