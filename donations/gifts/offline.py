"""Gifts that arrive by cheque, cash, a contactless card reader, bank transfer or at an event,
recorded by staff.

Each is keyed by the charity's own receipt reference (a cheque number, a paying-in slip), so
recording the same gift twice, by hand or from a file imported again, records it once. It
counts in the fund's totals from the moment it is recorded. Services flush; callers commit.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from donations.extensions import db
from donations.funds.models import Fund, Fundraiser
from donations.gifts import lifecycle
from donations.gifts.consent import OFFLINE_WORDING
from donations.gifts.donors import settle_donor
from donations.gifts.models import Donation, DonationStatus, Frequency, Moderation
from donations.gifts.services import new_reference
from donations.ledger.models import EntryKind
from donations.uk_time import uk_noon

METHODS = ("cheque", "cash", "contactless", "bank_transfer", "event")
#: how an offline donor may make a Gift Aid declaration
DECLARED_BY = {
    "paper": "On paper",
    "phone": "By phone, not recorded",
    "phone_recorded": "By phone, the call recorded",
}
METHOD_WORDS = {
    "cheque": "Cheque",
    "cash": "Cash",
    "contactless": "Contactless card (a card reader)",
    "bank_transfer": "Bank transfer",
    "event": "At an event",
}


@dataclass(frozen=True)
class OfflineGift:
    fund: Fund
    amount_pence: int
    received_on: date
    method: str
    receipt_reference: str
    title: str | None
    first_name: str
    last_name: str
    email: str | None
    gift_aid: bool
    house: str | None
    address: str | None
    postcode: str | None
    overseas: bool
    #: the date on the paper Gift Aid declaration
    declared_on: date | None
    marketing_consent: bool = False
    #: money given to sponsor someone taking part in an event (HMRC's schedule marks it)
    sponsored: bool = False
    #: the supporter's page it was raised for (it counts there, and toward its appeal)
    fundraiser: Fundraiser | None = None
    #: how the Gift Aid declaration was made: paper, phone or phone_recorded
    declared_by: str = "paper"


def source_ref(receipt_reference: str) -> str:
    return f"offline:{receipt_reference}"


def already_recorded(receipt_reference: str) -> Donation | None:
    return db.session.execute(
        select(Donation).where(Donation.form_token == source_ref(receipt_reference))
    ).scalar_one_or_none()


def record(gift: OfflineGift) -> tuple[Donation, bool]:
    """Record the gift (or find it, if its receipt reference is already recorded); returns the
    donation and whether it is new."""
    found = already_recorded(gift.receipt_reference)
    if found is not None:
        return found, False
    donation = Donation(
        reference=new_reference(),
        fund=gift.fund,
        fundraiser=gift.fundraiser,
        appeal=gift.fundraiser.appeal if gift.fundraiser is not None else None,
        title=gift.title,
        first_name=gift.first_name,
        last_name=gift.last_name,
        email=gift.email.strip().lower() if gift.email else None,
        gift_aid=gift.gift_aid,
        house=gift.house if gift.gift_aid else None,
        address=gift.address if gift.gift_aid else None,
        postcode=gift.postcode if gift.gift_aid else None,
        overseas=gift.overseas if gift.gift_aid else False,
        amount_pence=gift.amount_pence,
        fee_cover_pence=0,
        frequency=Frequency.ONE_OFF,
        status=DonationStatus.CREATED,
        channel=gift.method,
        # the donor asked nothing about the fund's page, and with no display name the gift is
        # never listed there: not "anonymous", which would say they had asked
        anonymous=False,
        moderation=Moderation.NONE,
        marketing_consent=gift.marketing_consent,
        marketing_consent_version=OFFLINE_WORDING if gift.marketing_consent else None,
        sponsored=gift.sponsored,
        form_token=source_ref(gift.receipt_reference),
        created_at=uk_noon(gift.received_on),
    )
    db.session.add(donation)
    db.session.flush()
    settle_donor(donation)
    if donation.declaration is not None:
        donation.declaration.source = gift.declared_by
        if gift.declared_on is not None:
            donation.declaration.declared_at = uk_noon(gift.declared_on)
    lifecycle.mark_paid(
        donation,
        source_ref(gift.receipt_reference),
        occurred_at=uk_noon(gift.received_on),
        kind=EntryKind.OFFLINE,
    )
    return donation, True
