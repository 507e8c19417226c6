"""Donors: who gave, kept from the details of the gifts they have paid for.

A submitted but unpaid form touches no donor: anyone can type anyone's e-mail address.
Only a paid gift brings its details into the donor's record and makes its Gift Aid
declaration. Services flush; callers commit.
"""

from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.services import new_declaration
from donations.gifts.models import Donation, Donor
from donations.upserts import insert_or_update


def _by_email(email: str) -> Donor | None:
    return db.session.execute(select(Donor).where(Donor.email == email)).scalar_one_or_none()


def by_email(email: str) -> Donor | None:
    """The donor with this (lower-cased) e-mail address, if any."""
    return _by_email(email)


_NAMES_GIVEN = {name: f"excluded.{name}" for name in ("title", "first_name", "last_name")}


def _donor_with_email(email: str, donation: Donation) -> Donor:
    """The donor with this address, new or not (in one statement, however many payments by
    them arrive at once), holding the names given with this donation."""
    return insert_or_update(
        Donor,
        "email",
        _NAMES_GIVEN,
        email=email,
        title=donation.title,
        first_name=donation.first_name,
        last_name=donation.last_name,
    )


def _donor_of(donation: Donation) -> Donor:
    """The donor with the donation's e-mail address, or one of its own when it has none (an
    offline gift), holding the names given with it."""
    if donation.email:
        return _donor_with_email(donation.email, donation)
    donor = Donor(
        title=donation.title, first_name=donation.first_name, last_name=donation.last_name
    )
    db.session.add(donor)
    return donor


def settle_donor(donation: Donation) -> Donor:
    """The paid donation's donor, found by e-mail (or new), holding the names given with it;
    and its Gift Aid declaration, when the donor made one."""
    with db.session.no_autoflush:
        return _settle(donation)


def _settle(donation: Donation) -> Donor:
    if donation.donor is None:
        donation.donor = _donor_of(donation)
    donor = donation.donor
    db.session.flush()
    if donation.gift_aid and donation.declaration is None:
        donation.declaration = new_declaration(
            donor.id,
            title=donation.title,
            first_name=donation.first_name,
            last_name=donation.last_name,
            house=donation.house,
            address=donation.address,
            postcode=donation.postcode,
            overseas=donation.overseas,
        )
    return donor
