"""A Gift Aid declaration made after giving, by phone or on paper: it covers the donor's
gifts of the four years before it, which may then be claimed; by phone without a recording,
the donor is sent its written record."""

import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from donations.claims import services as claims
from donations.extensions import db
from donations.gift_aid.models import DeclarationCover, GiftAidDeclaration
from donations.gifts import declarations
from donations.gifts.models import Donation, Donor
from donations.staff.models import AuditEntry
from donations.uk_time import uk_midnight, uk_today
from tests import factories
from tests.support import csrf_token, sign_in

numbers = itertools.count(1)
DECLARED = {
    "declared_by": "phone",
    "declared_on": "2026-12-01",
    "title": "Mrs",
    "first_name": "Mary",
    "last_name": "Seacole",
    "house": "14",
    "postcode": "sw1a 1aa",
}


def gift(on: date, amount_pence: int = 2500, **changes):
    return factories.offline_gift(received_on=on, amount_pence=amount_pence, **changes)


@pytest.fixture
def finance(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    return client


def declare(client, donor_id: int, **changes):
    page = f"/finance/donors/{donor_id}"
    data = {"csrf_token": csrf_token(client, page), **DECLARED, **changes}
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(f"/finance/donors/{donor_id}/declarations", data=data)


def test_a_declaration_by_phone_covers_the_four_years_before_it_and_they_are_claimed(finance):
    too_old = gift(date(2022, 11, 30))
    first = gift(date(2022, 12, 2), amount_pence=4000)
    donor_id = first.donor_id
    lately = gift(date(2026, 11, 20), amount_pence=1000, method="cash")
    for other in (too_old, lately):  # one person's gifts, as a merge would make them
        db.session.get(Donation, other.id).donor_id = donor_id
    db.session.commit()

    done = declare(finance, donor_id)
    assert done.status_code == 303
    page = unescape(finance.get(done.headers["Location"]).get_data(as_text=True))
    assert "It covers 2 earlier gifts of this donor, which may now be claimed." in page
    assert "Print its written record below and post it to the donor today." in page
    db.session.rollback()
    declaration = db.session.execute(
        select(GiftAidDeclaration).where(GiftAidDeclaration.source == "phone")
    ).scalar_one()
    assert (declaration.first_name, declaration.postcode) == ("Mary", "SW1A 1AA")
    covered = db.session.execute(select(DeclarationCover.ledger_entry_id)).scalars().all()
    assert len(covered) == 2

    preview = claims.preview(date(2022, 4, 6), date(2026, 12, 6))
    eligible = {
        g.donation.reference: g.assessment.gift_aid_pence for g in preview if g.assessment.eligible
    }
    assert eligible == {first.reference: 1000, lately.reference: 250}
    made = claims.create(date(2022, 4, 6), date(2026, 12, 6), "finance@example.org")
    assert {item.declaration_id for item in made.items} == {declaration.id}
    db.session.rollback()

    pdf = finance.get(f"/finance/gift-aid/declarations/{declaration.id}/record.pdf")
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.get_data())).pages[0].extract_text()
    assert "written record of your Gift Aid declaration" in text
    assert "within 30 days" in text
    assert "1 December 2026" in text
    db.session.rollback()
    assert db.session.get(GiftAidDeclaration, declaration.id).confirmation_sent_at is not None
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "declaration_recorded")
    ).scalar_one()
    assert entry.subject == f"declaration {declaration.id}"
    assert "Seacole" not in (entry.detail or "")


def test_by_phone_with_an_address_the_written_record_goes_by_email(finance, app):
    donation = gift(date(2026, 11, 2), email="mary@example.org")
    done = declare(finance, donation.donor_id)
    assert done.status_code == 303
    emails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    ]
    record = [e for e in emails if "written record" in e["Subject"]]
    assert len(record) == 1
    assert record[0]["Subject"] == "Your Gift Aid declaration: our written record of it"
    body = record[0].get_body(preferencelist=("plain",)).get_content()
    assert "within 30 days" in body
    assert "Declaration made: 1 December 2026" in body
    html = record[0].get_body(preferencelist=("html",)).get_content()
    assert "within 30 days" in html
    page = finance.get(f"/finance/donors/{donation.donor_id}").get_data(as_text=True)
    assert "Gift Aid declaration&#39;s written record" in page, "listed among the donor's messages"
    db.session.rollback()
    declaration = db.session.execute(
        select(GiftAidDeclaration).where(GiftAidDeclaration.source == "phone")
    ).scalar_one()
    assert declaration.confirmation_sent_at is not None


def test_on_paper_or_a_recorded_call_needs_no_written_record(finance):
    donation = gift(date(2026, 11, 2))
    assert declare(finance, donation.donor_id, declared_by="paper").status_code == 303
    db.session.rollback()
    declaration = db.session.execute(select(GiftAidDeclaration)).scalar_one()
    assert (
        finance.get(f"/finance/gift-aid/declarations/{declaration.id}/record.pdf").status_code
        == 404
    )
    again = declare(finance, donation.donor_id, declared_by="phone_recorded")
    page = unescape(finance.get(again.headers["Location"]).get_data(as_text=True))
    assert "It covers 0 earlier gifts" in page, "a gift is covered once"


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"house": ""}, "house", "Enter the house name or number"),
        ({"postcode": "NOPE"}, "postcode", "Enter a UK postcode"),
        ({"first_name": ""}, "first_name", "Enter the first name."),
        ({"declared_on": "2099-01-01"}, "declared_on", "The date cannot be in the future."),
        (
            {"declared_on": "soon"},
            "declared_on",
            "Write the date as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-20.",
        ),
        ({"declared_on": ""}, "declared_on", "Write the date as YYYY-MM-DD or DD/MM/YYYY"),
        ({"declared_on": "1999-12-31"}, "declared_on", "The date is too long ago."),
        ({"declared_by": "telepathy"}, "declared_by", "Choose how the donor made the declaration."),
        ({"declared_by": None}, "declared_by", "Choose how the donor made the declaration."),
        ({"last_name": "Sea<b>cole"}, "last_name", "Last name cannot contain HTML"),
        ({"overseas": "yes", "address": ""}, "address", "Enter the rest of the home address"),
    ],
)
def test_a_declaration_that_cannot_be_is_refused_beside_its_field(finance, changes, field, said):
    donation = gift(date(2026, 11, 2))
    refused = declare(finance, donation.donor_id, **changes)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    beside = re.search(rf'id="declare-{field}-error">(.*?)</p>', html, re.S)
    assert beside is not None
    words = unescape(re.sub(r"<[^>]+>", "", beside[1])).removeprefix("Error:").strip()
    assert words.startswith(said), words
    db.session.rollback()
    assert db.session.execute(select(GiftAidDeclaration)).all() == []


@pytest.mark.parametrize("declared_on", ["2000-01-01", "today"])
def test_a_declaration_of_today_or_of_2000_is_taken(finance, declared_on):
    donation = gift(date(2026, 11, 2))
    day = uk_today().isoformat() if declared_on == "today" else declared_on
    assert declare(finance, donation.donor_id, declared_on=day).status_code == 303


def test_a_declaration_from_abroad_takes_the_address_as_hmrc_prints_it(finance):
    donation = gift(date(2026, 11, 2))
    done = declare(
        finance,
        donation.donor_id,
        overseas="yes",
        house="Flat 2",
        address="1 Rue de Rivoli, Paris",
        postcode="",
    )
    assert done.status_code == 303
    db.session.rollback()
    declaration = db.session.execute(select(GiftAidDeclaration)).scalar_one()
    assert (declaration.overseas, declaration.address, declaration.postcode) == (
        True,
        "1 Rue de Rivoli, Paris",
        None,
    )


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_staff_who_claim_gift_aid_record_a_declaration(client, app, role):
    donation = gift(date(2026, 11, 2))
    factories.staff(role)
    sign_in(client, f"{role}@example.org")
    assert client.post(
        f"/finance/donors/{donation.donor_id}/declarations", data=DECLARED
    ).status_code in (400, 403)
    db.session.rollback()
    assert db.session.execute(select(GiftAidDeclaration)).all() == []


@pytest.mark.parametrize(
    ("made", "reaches"),
    [
        (date(2026, 12, 1), date(2022, 12, 1)),
        (date(2028, 2, 29), date(2024, 2, 29)),
        (date(2104, 2, 29), date(2100, 2, 28)),  # 2100 is no leap year
    ],
)
def test_a_declaration_reaches_back_four_years_to_the_day(made, reaches):
    assert declarations.reaches_back_to(made) == reaches


def test_a_later_declaration_covers_only_this_donors_gifts_that_carried_none(app):
    declared_on = date(2026, 12, 1)
    first_moment = uk_midnight(declarations.reaches_back_to(declared_on))
    earliest = factories.payment(email="mary@example.org", paid_at=first_moment)
    too_early = factories.payment(
        email="mary@example.org", paid_at=first_moment - timedelta(microseconds=1)
    )
    refunded = factories.payment(email="mary@example.org", paid_at=datetime(2025, 6, 1, tzinfo=UTC))
    factories.refund(refunded, 500)
    factories.payment(email="mary@example.org", gift_aid=True)  # carried its own
    factories.payment(email="someone.else@example.org")
    assert len({earliest.donor_id, too_early.donor_id, refunded.donor_id}) == 1

    done = declarations.record(
        db.session.get(Donor, earliest.donor_id),
        declared_on=declared_on,
        declared_by="paper",
        title="Dr",
        first_name="Mary",
        last_name="Seacole",
        house="Flat 2",
        address="1 Rue de Rivoli, Paris",
        postcode=None,
        overseas=True,
    )
    covered = set(db.session.execute(select(DeclarationCover.ledger_entry_id)).scalars())
    assert covered == {factories.payment_entry(g).id for g in (earliest, refunded)}
    assert done.covered == 2, "a refund is no gift to cover"
    said = done.declaration
    assert (said.title, said.house, said.address, said.overseas) == (
        "Dr",
        "Flat 2",
        "1 Rue de Rivoli, Paris",
        True,
    )


def _declaration_form(page: str) -> dict[str, str]:
    """What the page's "Record a Gift Aid declaration" form holds as it opens."""
    form = page[page.index('id="declare"') :]
    form = form[: form.index("</form>")]
    values = {
        name: unescape(value)
        for name, value in re.findall(
            r'<input class="input[^"]*" id="declare-(\w+)"[^>]*value="([^"]*)"', form
        )
    }
    values["overseas"] = "checked" if re.search(r'id="declare-overseas"[^>]*checked', form) else ""
    values["declared_by"] = re.search(r'<option value="(\w+)" selected>', form).group(1)
    return values


def test_the_declaration_form_starts_with_the_donors_names_and_the_address_they_last_gave(
    finance,
):
    """By phone, today, with the names on the donor's record and the address of their newest
    declaration (abroad: its address as HMRC prints it, the box ticked)."""
    first = gift(date(2026, 11, 2), title="Dr")
    declare(finance, first.donor_id, declared_on="2026-11-01", house="14", postcode="sw1a 1aa")
    declare(
        finance,
        first.donor_id,
        overseas="yes",
        house="Flat 2",
        address="1 Rue de Rivoli, Paris",
        postcode="",
    )
    page = finance.get(f"/finance/donors/{first.donor_id}").get_data(as_text=True)
    assert _declaration_form(page) == {
        "declared_on": uk_today().isoformat(),
        "title": "Dr",
        "first_name": "Mary",
        "last_name": "Seacole",
        "house": "Flat 2",
        "postcode": "",
        "address": "1 Rue de Rivoli, Paris",
        "overseas": "checked",
        "declared_by": "phone",
    }
    assert '<label class="label" for="declare-declared_on">The day they made it</label>' in page


def test_a_donor_without_a_declaration_or_title_starts_the_form_blank_but_for_their_names(
    finance,
):
    donation = gift(date(2026, 11, 2))
    page = finance.get(f"/finance/donors/{donation.donor_id}").get_data(as_text=True)
    assert _declaration_form(page) == {
        "declared_on": uk_today().isoformat(),
        "title": "",
        "first_name": "Mary",
        "last_name": "Seacole",
        "house": "",
        "postcode": "",
        "address": "",
        "overseas": "",
        "declared_by": "phone",
    }
