"""Consent to research updates kept as evidence: from which form, under which words, when;
shown to staff who may see personal data, and to no one else; receipts go whatever it says;
the outbox paces bulk mail and sends receipts first."""

from datetime import date

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.funds.services import by_slug
from donations.gifts import offline
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import Pacer, send_batch
from donations.transaction import commit
from donations.updates import consent, services
from donations.updates.models import ConsentSource
from tests import factories
from tests.support import sign_in


def test_a_ticked_paper_form_is_consent_from_the_day_it_came(app):
    gift = offline.OfflineGift(
        fund=by_slug("actimus"),
        amount_pence=2000,
        received_on=date(2026, 7, 2),
        method="cheque",
        receipt_reference="CHQ-1",
        title=None,
        first_name="Mary",
        last_name="Seacole",
        email="mary@example.org",
        gift_aid=False,
        house=None,
        address=None,
        postcode=None,
        overseas=False,
        declared_on=None,
        marketing_consent=True,
    )
    donation, _ = offline.record(gift)
    commit()
    [record] = consent.evidence_of(donation.donor_id)
    assert (record.given, record.source, record.wording_version) == (
        True,
        ConsentSource.OFFLINE,
        "offline-1",
    )
    assert record.at.date() == date(2026, 7, 2)
    assert record.donation_id == donation.id


def test_a_monthly_gift_consents_once_and_an_older_choice_never_overrides_a_newer(app):
    donation = factories.payment(email="m@example.org", marketing_consent=True)
    donor = donation.donor
    consent.withdraw(donor, ConsentSource.ONE_CLICK)
    consent.on_gift_paid(donation, factories.payment_entry(donation))
    commit()
    assert len(consent.evidence_of(donor.id)) == 2, "the same gift's form counts once"
    consent.record(donor, True, ConsentSource.OFFLINE, at=donation.created_at)
    commit()
    assert not consent.consenting(donor.id), "a paper form older than the unsubscribe"


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("finance", True), ("viewer", False)])
def test_the_evidence_is_on_the_donors_record_for_those_who_may_see_personal_data(
    app, client, role, shown
):
    donation = factories.payment(email="e@example.org", marketing_consent=True)
    consent.withdraw(donation.donor, ConsentSource.PREFERENCES)
    commit()
    factories.staff(role)
    sign_in(client, f"{role}@example.org")
    for address in (
        f"/finance/donations/{donation.reference}",
        f"/finance/donors/{donation.donor_id}",
    ):
        page = client.get(address).get_data(as_text=True)
        assert ("The donor's choices" in page) is shown, address
        assert ("Yes, e-mail me news about this research and how my gift helps" in page) is shown
        assert ("not receiving them" in page) is shown


def addressed(**where) -> list[str]:
    found = select(OutboxMessage.to_address).filter_by(**where).order_by(OutboxMessage.to_address)
    return list(db.session.execute(found).scalars())


def test_receipts_go_to_every_donor_and_updates_only_to_those_who_asked(app):
    factories.payment(email="yes@example.org", marketing_consent=True)
    factories.payment(email="no@example.org", marketing_consent=False)
    update = services.save(None, fund_id=by_slug("actimus").id, title="News", body="x")
    services.publish(update, send=True)
    commit()
    assert addressed(writer=None) == ["no@example.org", "yes@example.org"], "receipts"
    assert addressed(writer="research-update") == ["yes@example.org"]


def test_the_worker_sends_receipts_before_bulk_mail(app):
    factories.payment(email="bulk@example.org", marketing_consent=True)
    update = services.save(None, fund_id=by_slug("actimus").id, title="News", body="x")
    services.publish(update, send=True)
    commit()
    app.config["SEND_RECEIPTS_AFTER_COMMIT"] = False
    factories.payment(email="late@example.org")
    sent, failed = send_batch(Pacer(0))
    assert (sent, failed) == (2, 0)
    in_order = db.session.execute(
        select(OutboxMessage.to_address).order_by(OutboxMessage.sent_at, OutboxMessage.id)
    ).scalars()
    assert list(in_order)[-2:] == ["late@example.org", "bulk@example.org"]


def test_the_pacer_keeps_bulk_mail_to_its_rate():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(120, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.wait()
    assert now[0] == 2.0, "five at 120 a minute: the fifth goes two seconds after the first"
    assert slept == [0.5, 0.5, 0.5, 0.5]
    unlimited = Pacer(0, clock=lambda: now[0], sleep=sleep)
    unlimited.wait()
    unlimited.wait()
    assert len(slept) == 4


def test_who_receives_an_update_is_the_same_asked_in_bulk_or_one_by_one(app):
    actimus, audit = by_slug("actimus"), by_slug("stem-cell-audit")
    people = {
        "gave": factories.payment(email="gave@example.org", marketing_consent=True),
        "turned off": factories.payment(email="off@example.org", marketing_consent=True),
        "chose": factories.payment(
            "stem-cell-audit", email="chose@example.org", marketing_consent=True
        ),
        "other fund": factories.payment(
            "stem-cell-audit", email="other@example.org", marketing_consent=True
        ),
        "never asked": factories.payment(email="never@example.org"),
        "refused mail": factories.payment(email="bounce@example.org", marketing_consent=True),
        "stopped": factories.payment(email="stopped@example.org", marketing_consent=True),
    }
    donors = {name: gift.donor for name, gift in people.items()}
    consent.choose_funds(donors["turned off"], set(), [actimus, audit])
    consent.choose_funds(donors["chose"], {actimus.id}, [actimus, audit])
    consent.mark_undeliverable("bounce@example.org")
    consent.withdraw(donors["stopped"], ConsentSource.ONE_CLICK)
    commit()
    in_bulk = {row.donor_id for row in db.session.execute(services.recipients(actimus.id))}
    one_by_one = {d.id for d in donors.values() if services.wants(d.id, actimus.id)}
    assert in_bulk == one_by_one == {donors["gave"].id, donors["chose"].id}
    assert services.recipient_count(audit.id) == 1, "only 'other fund': 'chose' turned it off"
