"""Forgetting a donor who asks (UK GDPR, article 17), while keeping every money record.

HMRC requires a charity to keep a Gift Aid declaration, and the records of the gifts it
covers, for six years after the end of the accounting period those gifts fall in. Until then
the declaration keeps the donor's names and address (HMRC's claims read them from it, and
nowhere else); every other copy goes at once, with the e-mail address, marketing consent,
public name and message, and any fundraising page they started (taken down, its words and
photo gone; its gifts still count). Afterwards the declaration's go too. The charity's
accounting period is taken to end with the UK tax year (5 April): where it ends on another
date, six years from the tax year's end is the later of the two, so nothing is erased too
early.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from donations import keyed
from donations.extensions import db
from donations.funds.models import Fundraiser
from donations.gift_aid.models import GiftAidDeclaration, audit_subject
from donations.gifts.dates import tax_year_bounds, tax_year_of
from donations.gifts.models import Donation, Donor
from donations.images.services import forget as forget_image
from donations.ledger import services as ledger
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.uk_time import uk_date

ERASED = "Erased"
#: what an erased person's address becomes where a column must hold one (a supporter's page,
#: an outbox message)
ERASED_ADDRESS = "erased@invalid"
HMRC_YEARS = 6


@dataclass(frozen=True)
class ErasurePlan:
    email: str
    donors: list[Donor]
    donations: list[Donation]
    #: the last day HMRC needs the declaration and the names and address on it, if it does
    keep_declaration_until: date | None
    #: fundraising pages started with the address (taken down, their words and photo gone)
    pages: list[Fundraiser] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.donors or self.donations or self.pages)


def _keep_until(donations: list[Donation]) -> date | None:
    ids = [donation.id for donation in donations]
    if not ids:
        return None
    latest = db.session.execute(
        select(LedgerEntry.occurred_at)
        .where(
            LedgerEntry.donation_id.in_(ids),
            LedgerEntry.kind.in_(GIFT_KINDS),
            LedgerEntry.gift_aid.is_(True),
        )
        .order_by(LedgerEntry.occurred_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:
        return None
    _, end = tax_year_bounds(tax_year_of(uk_date(latest)))
    return end.replace(year=end.year + HMRC_YEARS)


def plan(email: str, today: date) -> ErasurePlan:
    """What erasing this e-mail address would touch, and what HMRC says must stay."""
    address = email.strip().lower()
    donors = list(db.session.execute(select(Donor).where(Donor.email == address)).scalars())
    donor_ids = [donor.id for donor in donors]
    conditions = [Donation.email == address]
    if donor_ids:
        conditions.append(Donation.donor_id.in_(donor_ids))
    donations = list(
        db.session.execute(select(Donation).where(or_(*conditions)).order_by(Donation.id)).scalars()
    )
    keep = _keep_until(donations)
    pages = list(
        db.session.execute(
            select(Fundraiser).where(Fundraiser.email == address).order_by(Fundraiser.id)
        ).scalars()
    )
    return ErasurePlan(address, donors, donations, keep if keep and keep >= today else None, pages)


def pseudonym(email: str) -> str:
    """The key a forgotten donor's ledger rows keep: the same for all of them, and not theirs."""
    return "erased:" + keyed.digest(email)


def _forget_contact(donation: Donation) -> None:
    donation.email = None
    donation.marketing_consent = False
    donation.message = None
    donation.display_name = None
    donation.anonymous = True


def _forget_identity(donation: Donation) -> None:
    donation.title = None
    donation.first_name = ERASED
    donation.last_name = ERASED
    donation.house = None
    donation.address = None
    donation.postcode = None


def _forget_declaration(declaration: GiftAidDeclaration) -> None:
    declaration.title = None
    declaration.first_name = ERASED
    declaration.last_name = ERASED
    declaration.house = ERASED
    declaration.address = None
    declaration.postcode = None


def _forget_page(page: Fundraiser) -> None:
    """A supporter's page: taken down, with nothing of them left on it. Its gifts still count."""
    page.hidden = True
    page.notify_gifts = False
    page.email = ERASED_ADDRESS
    page.first_name = ERASED
    page.last_name = ERASED
    page.name = "A supporter's page"
    page.story = ""
    photo, page.image_id, page.image_alt = page.image_id, None, ""
    db.session.flush()
    forget_image(photo)


def erase(found: ErasurePlan) -> None:
    """Carry out the plan. Money records stay; ledger rows keep a pseudonym for the donor."""
    for page in found.pages:
        _forget_page(page)
    keep_declaration = found.keep_declaration_until is not None
    for donation in found.donations:
        _forget_contact(donation)
        _forget_identity(donation)
        if donation.declaration is not None and not keep_declaration:
            _forget_declaration(donation.declaration)
    for donor in found.donors:
        donor.email = None
        donor.title = None
        donor.first_name = ERASED
        donor.last_name = ERASED
    db.session.flush()
    ledger.pseudonymise_donor(found.email, pseudonym(found.email))


def declaration_subjects(found: ErasurePlan) -> list[str]:
    """How the audit log names what it recorded of them with its values: the declarations of
    these gifts (their corrections) and their fundraising pages (their words)."""
    ids = {d.declaration_id for d in found.donations if d.declaration_id is not None}
    pages = [page.slug for page in found.pages]
    return [audit_subject(declaration_id) for declaration_id in sorted(ids)] + pages
