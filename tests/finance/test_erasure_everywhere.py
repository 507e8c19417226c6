"""Erasure forgets everywhere: a donor with every kind of record is erased, then every text
column of every table and every file under instance/ is read for what they gave us."""

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import JSON, String, Text, select

from donations.claims import statements
from donations.extensions import db, utcnow
from donations.funds import services as funds
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.dates import tax_year_of
from donations.gifts.models import Donation, Donor
from donations.images import services as images
from donations.images.models import ImageVariant, StoredImage
from donations.receipts.models import OutboxMessage
from donations.uk_time import uk_date
from tests import factories
from tests.support import count, give, sandbox_pay, sign_in, staff_post, submit_gift

EMAIL = "ada.byron@example.org"
LAST_NAME = "Lovelace-Byron"
HOUSE = "Analytical Engine House"
NEW_HOUSE = "Difference Engine Cottage"
POSTCODE = "SW1A 2AA"


def newest_reference() -> str:
    db.session.rollback()
    return db.session.execute(select(Donation.reference).order_by(Donation.id.desc())).scalar()


def sandbox(runner, *args):
    result = runner.invoke(args=["sandbox", *args])
    assert result.exit_code == 0, result.output


def every_text_value() -> dict[str, list[str]]:
    """Every value of every text-like column, by table."""
    db.session.rollback()
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            found.setdefault(table.name, []).extend(str(value) for value in row if value)
    return found


def every_file(app) -> dict[str, str]:
    roots = {Path(app.instance_path), Path(app.config["OUTBOX_DIR"])}
    return {
        str(path): path.read_bytes().decode("utf-8", "replace")
        for root in roots
        if root.exists()
        for path in root.rglob("*")
        if path.is_file() and not path.name.endswith((".db", ".db-journal", ".db-wal"))
    }


def a_donor_with_every_kind_of_record(client, runner, app):
    donor = {
        "email": EMAIL,
        "last_name": LAST_NAME,
        "gift_aid": "y",
        "house": HOUSE,
        "postcode": POSTCODE,
        "marketing_consent": "y",
        "message": "For my sister",
        "display_name": "Ada B.",
    }
    give(client, frequency="monthly", amount="10", **donor)
    monthly = newest_reference()
    sandbox(runner, "renew", monthly)
    give(client, amount="other", other_amount="40", **donor)
    sandbox(runner, "refund", newest_reference(), "--amount", "15")
    give(client, amount="other", other_amount="30", **donor)
    sandbox(runner, "dispute", newest_reference())
    pending = submit_gift(client, amount="other", other_amount="20", **donor)
    sandbox_pay(
        client,
        pending.headers["Location"],
        method="bacs",
        card_number="",
        account_holder=f"Ada {LAST_NAME}",
        sort_code="10-88-00",
        account_number="00012345",
    )

    photo = io.BytesIO()
    Image.new("RGB", (600, 400), (10, 90, 160)).save(photo, "JPEG")
    her_photo = images.store(photo.getvalue())
    her_page = factories.fundraiser(
        "ada-byron-swims",
        email=EMAIL,
        name=f"Ada {LAST_NAME} swims the Channel",
        story=f"I am Ada {LAST_NAME} and my sister has MS.",
        image_id=her_photo.id,
        image_alt="Ada in the sea",
    )
    factories.payment(through=her_page, amount_pence=1200, email="friend@example.org")

    factories.staff("admin")
    sign_in(client, "admin@example.org")
    declaration = db.session.execute(select(GiftAidDeclaration)).scalars().first()
    corrected = staff_post(
        client,
        f"/finance/gift-aid/declarations/{declaration.id}",
        {"first_name": "Ada", "last_name": LAST_NAME, "house": NEW_HOUSE, "postcode": POSTCODE},
        f"/finance/gift-aid/declarations/{declaration.id}",
    )
    assert corrected.status_code == 303
    db.session.rollback()

    year = tax_year_of(uk_date(utcnow()))
    sent = runner.invoke(args=["giftaid", "statement", "--tax-year", str(year), "--yes"])
    assert sent.exit_code == 0, sent.output
    person = db.session.execute(select(Donor).where(Donor.email == EMAIL)).scalar_one()
    assert statements.queue(person, year, again=True), "a second statement, still waiting"
    db.session.commit()  # not through the request boundary: nothing sends it


def test_an_erased_donor_is_found_nowhere_but_the_declaration_hmrc_needs(client, runner, app):
    a_donor_with_every_kind_of_record(client, runner, app)
    before = every_text_value()
    holding = {table for table, values in before.items() if any(EMAIL in v for v in values)}
    assert holding >= {"donations", "donors", "sandbox_objects", "outbox_messages", "fundraisers"}
    assert any(HOUSE in value for value in before["audit_log"]), "the correction's old address"
    assert any(EMAIL in text for text in every_file(app).values()), "and the files"
    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert any(m.sent_at is None for m in messages)
    assert any(m.sent_at for m in messages)

    erased = staff_post(
        client,
        "/finance/erasure",
        {"email": EMAIL, "reason": "Her letter of 1 December", "confirm": "y"},
        "/finance/erasure",
    )
    assert erased.status_code == 303

    after = every_text_value()
    for table, values in after.items():
        for value in values:
            assert EMAIL not in value.lower(), (table, value[:200])
            if table != "gift_aid_declarations":
                for personal in (LAST_NAME, HOUSE, NEW_HOUSE, POSTCODE):
                    assert personal not in value, (table, personal, value[:200])
    kept = db.session.execute(select(GiftAidDeclaration)).scalars().all()
    assert {d.last_name for d in kept} == {LAST_NAME}, "HMRC's six years: the declaration stays"
    assert client.get("/fundraising/ada-byron-swims").status_code == 404, "her page is down"
    page = funds.fundraiser_by_slug("ada-byron-swims")
    assert (page.name, page.story, page.image_alt, page.image_id) == (
        "A supporter's page",
        "",
        "",
        None,
    )
    assert not page.notify_gifts, "no e-mail about gifts goes to an erased address"
    assert count(StoredImage) == count(ImageVariant) == 0, "and her photo is gone"
    assert client.get("/api/funds/actimus").json["raised_pence"] > 0
    for path, text in every_file(app).items():
        assert EMAIL not in text, path
    waiting = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    ).scalars()
    assert all(m.given_up_at is not None for m in waiting), "nothing waiting is ever sent now"
