"""An offline gift recorded: every field as staff gave it, dated at midday UK time on the day
it came, counted once however often it is recorded."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from donations.extensions import db
from donations.funds.services import by_slug
from donations.gifts import offline
from donations.gifts.models import Donation, DonationStatus, Frequency, Moderation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.services import totals_for
from donations.ledger.totals import drift
from tests import factories
from tests.support import fund_totals


def cheque(**changes) -> offline.OfflineGift:
    values = {
        "fund": by_slug("actimus"),
        "amount_pence": 12050,
        "received_on": date(2026, 7, 2),
        "method": "cheque",
        "receipt_reference": "CHQ-9",
        "title": "Dr",
        "first_name": "Mary",
        "last_name": "Seacole",
        "email": "Mary@Example.org",
        "gift_aid": True,
        "house": "14",
        "address": None,
        "postcode": "SW1A 1AA",
        "overseas": False,
        "declared_on": date(2026, 6, 30),
        "marketing_consent": True,
        "sponsored": True,
    }
    return offline.OfflineGift(**{**values, **changes})


def test_a_cheque_is_recorded_with_what_staff_gave_and_counts_at_once(app):
    donation, new = offline.record(cheque())
    db.session.commit()
    assert new is True
    assert (donation.reference.startswith("D-"), donation.status) == (True, DonationStatus.PAID)
    assert (donation.channel, donation.frequency, donation.fee_cover_pence) == (
        "cheque",
        Frequency.ONE_OFF,
        0,
    )
    assert (donation.title, donation.first_name, donation.last_name, donation.email) == (
        "Dr",
        "Mary",
        "Seacole",
        "mary@example.org",
    )
    assert (donation.house, donation.postcode, donation.overseas) == ("14", "SW1A 1AA", False)
    assert (donation.marketing_consent, donation.sponsored, donation.anonymous) == (
        True,
        True,
        False,
    )
    assert donation.moderation == Moderation.NONE
    # 2 July is summer time: midday in London is 11:00 UTC
    assert donation.created_at == datetime(2026, 7, 2, 11, tzinfo=UTC)
    assert donation.declaration.declared_at == datetime(2026, 6, 30, 11, tzinfo=UTC)
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    assert (entry.kind, entry.amount_pence, entry.source_ref, entry.gift_aid) == (
        EntryKind.OFFLINE,
        12050,
        "offline:CHQ-9",
        True,
    )
    assert entry.occurred_at == datetime(2026, 7, 2, 11, tzinfo=UTC)
    assert fund_totals("actimus").raised_pence == 12050
    assert drift() == []


def test_the_same_receipt_again_is_the_same_gift_and_counts_once(app):
    first, _ = offline.record(cheque())
    again, new = offline.record(cheque(amount_pence=99))
    db.session.commit()
    assert (again.id, new) == (first.id, False)
    assert fund_totals("actimus").raised_pence == 12050


def test_without_gift_aid_no_address_is_kept_and_no_declaration_made(app):
    donation, _ = offline.record(
        cheque(
            gift_aid=False,
            declared_on=None,
            house="14",
            address="Calle Mayor 5",
            postcode="SW1A 1AA",
            overseas=True,
            marketing_consent=False,
        )
    )
    db.session.commit()
    assert (donation.house, donation.address, donation.postcode, donation.overseas) == (
        None,
        None,
        None,
        False,
    )
    assert donation.declaration is None
    assert donation.marketing_consent_version is None, "no consent, no wording agreed to"
    assert db.session.execute(select(Donation.email)).scalar_one() == "mary@example.org"
    # a winter day: midday in London is midday UTC
    winter, _ = offline.record(cheque(receipt_reference="CHQ-10", received_on=date(2026, 1, 5)))
    assert winter.created_at == datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_a_declaration_date_without_gift_aid_makes_no_declaration(app):
    donation, _ = offline.record(cheque(gift_aid=False, declared_on=date(2026, 6, 30)))
    db.session.commit()
    assert donation.declaration is None


def test_a_donor_abroad_keeps_the_address_hmrc_prints_and_no_postcode(app):
    donation, _ = offline.record(
        cheque(
            overseas=True, postcode=None, house="Apartamento 12", address="Calle Mayor 5, Madrid"
        )
    )
    db.session.commit()
    assert (donation.house, donation.address, donation.postcode, donation.overseas) == (
        "Apartamento 12",
        "Calle Mayor 5, Madrid",
        None,
        True,
    )


def test_money_paid_in_for_a_page_counts_toward_its_appeal_too(app):
    appeal = factories.appeal()
    page = factories.fundraiser(given_to=appeal)
    donation, _ = offline.record(cheque(fundraiser=page, gift_aid=False, declared_on=None))
    db.session.commit()
    assert (donation.fundraiser_id, donation.appeal_id) == (page.id, appeal.id)
    assert totals_for(appeal).raised_pence == donation.amount_pence
    assert totals_for(page).raised_pence == donation.amount_pence
