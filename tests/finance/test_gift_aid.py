"""Gift Aid claims in the finance area: preview, a refused row fixed, the claim created,
its schedule downloaded, submitted; the audit log keeps each step."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from donations.claims import services as claims
from donations.claims.models import ClaimStatus, GiftAidClaim
from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.staff.models import AuditEntry
from donations.uk_time import uk_midnight
from tests import factories
from tests.support import says, sign_in, staff_post

TODAY = datetime.now(UTC).date()
PERIOD = {"from": (TODAY - timedelta(days=7)).isoformat(), "to": TODAY.isoformat()}


def signed_in(client, role="finance"):
    factories.staff(role)
    sign_in(client, f"{role}@example.org")


def test_a_finance_user_builds_a_claim_fixes_a_refused_row_and_downloads_the_schedule(client):
    factories.payment(amount_pence=2500, gift_aid=True, title="Mr.", last_name="Smith-Jones")
    wrong = factories.payment(
        amount_pence=4000,
        gift_aid=True,
        email="zed@example.org",
        first_name="Zed",
        last_name="Хрущёва-Щербакова-Шапошниковых",
    )
    factories.payment(amount_pence=1000, gift_aid=False, email="no@example.org")
    signed_in(client)
    page = client.get("/finance/gift-aid", query_string=PERIOD).get_data(as_text=True)
    assert "2 gifts may be claimed: £65.00, Gift Aid £16.25" in page
    assert "HMRC would refuse 1 row" in page
    assert "Last name is 40 characters; HMRC takes at most 35." in page
    made = staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    assert made.status_code == 303
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    claim_page = f"/finance/gift-aid/{claim.reference}"
    refused = client.get(f"{claim_page}/schedule.ods")
    assert refused.status_code == 303  # not while HMRC would refuse a row
    fix = f"/finance/gift-aid/declarations/{wrong.declaration_id}"
    bad = staff_post(
        client,
        fix,
        {
            "first_name": "Zed",
            "last_name": "",
            "house": "1",
            "postcode": "SW1A 1AA",
            "back": claim_page,
        },
        page=fix,
    )
    assert bad.status_code == 400
    assert "Enter the last name." in bad.get_data(as_text=True)
    fixed = staff_post(
        client,
        fix,
        {
            "first_name": "Zed",
            "last_name": "Khrushcheva",
            "house": "1",
            "postcode": "sw1a1aa",
            "back": claim_page,
        },
        page=fix,
    )
    assert fixed.headers["Location"].endswith(claim_page)
    download = client.get(f"{claim_page}/schedule.ods")
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(download.data))
        .get_sheet_by_name("R68GAD_V1_00_0_EN")
        .to_python(skip_empty_area=False)
    )
    rows = [row[1:11] for row in sheet[24:] if any(cell != "" for cell in row)]
    assert sorted((row[1], row[3], row[9]) for row in rows) == [
        ("", "Khrushcheva", 40.0),
        ("Mr", "Smith Jones", 25.0),
    ]
    submitted = staff_post(client, f"{claim_page}/submit", page=claim_page)
    assert submitted.status_code == 303
    db.session.rollback()
    assert db.session.get(GiftAidClaim, claim.id).status == ClaimStatus.SUBMITTED
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    for action in ("claim_created", "declaration_corrected", "claim_schedule", "claim_submitted"):
        assert action in actions


def test_a_discarded_draft_frees_its_gifts_for_a_later_claim(client):
    for n in range(3):
        factories.payment(amount_pence=1000, gift_aid=True, email=f"d{n}@example.org")
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    page = f"/finance/gift-aid/{claim.reference}"
    staff_post(client, f"{page}/discard", page=page)
    again = client.get("/finance/gift-aid", query_string=PERIOD).get_data(as_text=True)
    assert "3 gifts may be claimed" in again


def test_a_viewer_cannot_reach_gift_aid_claims(client):
    signed_in(client, "viewer")
    assert client.get("/finance/gift-aid").status_code == 403


def test_a_bad_period_is_a_clear_400(client):
    signed_in(client)
    answer = client.get("/finance/gift-aid", query_string={"from": "yesterday", "to": "x"})
    assert answer.status_code == 400
    assert says(answer.get_data(as_text=True), "Write each date as YYYY-MM-DD.")
    future = staff_post(
        client,
        "/finance/gift-aid",
        {"from": TODAY.isoformat(), "to": (TODAY + timedelta(days=3)).isoformat()},
        page="/finance/gift-aid",
    )
    assert future.status_code == 303
    assert db.session.execute(select(GiftAidClaim)).first() is None


def test_the_export_names_the_claim_each_gift_is_in(client):
    claimed = factories.payment(amount_pence=2500, gift_aid=True)
    factories.payment(amount_pence=1000, gift_aid=False, email="no@example.org")
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    reference = db.session.execute(select(GiftAidClaim.reference)).scalar_one()
    text = client.get("/finance/donations/export.csv").get_data().decode("utf-8-sig")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[claimed.reference]["gift_aid_claim"] == reference
    assert [row["gift_aid_claim"] for ref, row in rows.items() if ref != claimed.reference] == [""]


def test_a_fix_returns_only_to_a_page_of_the_claims_and_a_discarded_claim_has_no_schedule(
    client,
):
    paid = factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    fix = f"/finance/gift-aid/declarations/{paid.declaration_id}"
    values = {"first_name": "Ada", "last_name": "Lovelace", "house": "1", "postcode": "SW1A 1AA"}
    for back in (
        "https://evil.example/",
        "//evil.example",
        "/finance/gift-aid\r\nX-A: b",
        "/finance/staff",
    ):
        answer = staff_post(client, fix, {**values, "back": back}, page=fix)
        assert answer.status_code == 303
        assert answer.headers["Location"] == "/finance/gift-aid"
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    db.session.rollback()  # see what the requests committed
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    page = f"/finance/gift-aid/{claim.reference}"
    staff_post(client, f"{page}/discard", page=page)
    assert client.get(f"{page}/schedule.ods").status_code == 303
    assert "Download the schedule" not in client.get(page).get_data(as_text=True)


def test_the_preview_and_the_donation_page_say_why_a_gift_may_not_be_claimed(client):
    refunded = factories.payment(amount_pence=3000, gift_aid=True)
    factories.refund(refunded, 3000)
    partly = factories.payment(amount_pence=4000, gift_aid=True, email="bob@example.org")
    factories.refund(partly, 1000)
    db.session.commit()
    signed_in(client)
    page = client.get("/finance/gift-aid", query_string=PERIOD).get_data(as_text=True)
    assert "1 gift with Gift Aid that may not be claimed, and why" in page
    assert f"{refunded.reference}</a></td>" in page
    assert "<td>Refunded in full.</td>" in page
    gone = client.get(f"/finance/donations/{refunded.reference}").get_data(as_text=True)
    assert "may not be claimed. Refunded in full." in gone
    kept = client.get(f"/finance/donations/{partly.reference}").get_data(as_text=True)
    assert "may be claimed on £30.00 (Gift Aid £7.50)." in kept
    assert "£10.00 of it was refunded or lost to a dispute; only the £30.00 that remains" in kept


def test_a_donor_abroad_whose_address_is_too_long_for_hmrc_is_fixed_on_the_page(client):
    """A donor abroad's house and address are one 40-character cell to HMRC: a longer one
    (from before the form counted) blocked the claim, and the fix page could not reach it."""
    abroad = factories.payment(
        amount_pence=2500,
        gift_aid=True,
        overseas=True,
        postcode=None,
        house="Apartamento 12, Edificio Las Palmeras",
        address="Calle Mayor 5, Madrid, Spain",
        email="ana@example.org",
    )
    signed_in(client)
    page = client.get("/finance/gift-aid", query_string=PERIOD).get_data(as_text=True)
    assert "House name or number is 67 characters; HMRC takes at most 40." in page
    fix = f"/finance/gift-aid/declarations/{abroad.declaration_id}"
    form = client.get(fix).get_data(as_text=True)
    assert 'id="address"' in form, "every field HMRC prints can be corrected"
    assert 'id="postcode"' not in form, "a donor abroad's postcode is HMRC's X"
    still_long = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "house": "Apartamento 12",
        "address": "Calle Mayor 5, 28013 Madrid, Spain",
        "back": "/finance/gift-aid",
    }
    refused = staff_post(client, fix, still_long, page=fix)
    assert refused.status_code == 400
    assert "this one is 50" in refused.get_data(as_text=True)
    fixed = staff_post(client, fix, {**still_long, "address": "C Mayor 5, Madrid, ES"}, page=fix)
    assert fixed.status_code == 303
    page = client.get("/finance/gift-aid", query_string=PERIOD).get_data(as_text=True)
    assert "HMRC would refuse 1 row" not in page
    assert "HMRC takes at most 40" not in page
    db.session.rollback()
    assert db.session.get(type(abroad.declaration), abroad.declaration_id).address == (
        "C Mayor 5, Madrid, ES"
    )


def test_a_schedule_is_aggregated_only_when_asked_and_downloads_under_its_claims_name(client):
    for n in range(3):
        factories.payment(amount_pence=1000, gift_aid=True, email=f"small{n}@example.org")
    factories.payment(amount_pence=5000, gift_aid=True, email="larger@example.org")
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    path = f"/finance/gift-aid/{claim.reference}/schedule.csv"
    plain = client.get(path)
    assert plain.headers["Content-Disposition"] == f'attachment; filename="{claim.reference}.csv"'
    assert len(list(csv.reader(io.StringIO(plain.get_data(as_text=True))))) == 1 + 4
    asked = client.get(path, query_string={"aggregate": "yes"}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(asked)))[1:]
    assert sorted(row[10] for row in rows) == ["30.00", "50.00"], "three small gifts as one row"
    assert [row[7] for row in rows if row[7]] == ["Small online and offline gifts (3)"]
    for other in ("no", "YES", "1"):
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(path, query_string={"aggregate": other}).get_data(as_text=True)
                )
            )
        )
        assert len(rows) == 1 + 4, other


def test_a_claim_hmrc_would_refuse_is_not_marked_submitted_and_staff_are_told_why(client):
    factories.payment(amount_pence=2500, gift_aid=True, last_name="Хрущёва-Щербакова-Шапошниковых")
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    claim_page = f"/finance/gift-aid/{claim.reference}"
    refused = staff_post(client, f"{claim_page}/submit", page=claim_page)
    assert refused.status_code == 303
    told = client.get(claim_page).get_data(as_text=True)
    assert says(told, "HMRC would refuse some rows: fix them first.")
    db.session.rollback()
    assert db.session.get(GiftAidClaim, claim.id).status == ClaimStatus.DRAFT


def test_a_submitted_claim_names_who_submitted_it(client):
    factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    claim_page = f"/finance/gift-aid/{claim.reference}"
    staff_post(client, f"{claim_page}/submit", page=claim_page)
    db.session.rollback()
    submitted = db.session.get(GiftAidClaim, claim.id)
    assert (submitted.status, submitted.submitted_by) == (
        ClaimStatus.SUBMITTED,
        "finance@example.org",
    )


def test_the_fix_page_asks_for_what_hmrc_prints_a_uk_postcode_or_an_address_abroad(client):
    home = factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    page = client.get(f"/finance/gift-aid/declarations/{home.declaration_id}").get_data(
        as_text=True
    )
    assert 'name="postcode"' in page
    assert 'name="address"' not in page
    assert 'name="house"' in page


def test_each_fix_is_checked_beside_its_field_to_the_character(client):
    home = factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    fix = f"/finance/gift-aid/declarations/{home.declaration_id}"
    good = {"first_name": "Ada", "last_name": "L" * 35, "house": "1", "postcode": "sw1a1aa"}
    assert staff_post(client, fix, good, page=fix).status_code == 303, "35 letters fit"
    for changes, words in (
        ({"last_name": "L" * 36}, "Last name must be 35 characters or fewer."),
        ({"first_name": "Ada <b>"}, "First name"),
        ({"title": "Dr\u0007"}, "Title"),
    ):
        refused = staff_post(client, fix, {**good, **changes}, page=fix)
        assert refused.status_code == 400, changes
        assert words in refused.get_data(as_text=True), changes
    db.session.rollback()
    declaration = db.session.get(type(home.declaration), home.declaration_id)
    assert (declaration.last_name, declaration.postcode) == ("L" * 35, "SW1A 1AA")


def test_the_period_is_the_last_thirty_days_unless_given_and_a_bad_date_is_named(client):
    signed_in(client)
    page = client.get("/finance/gift-aid").get_data(as_text=True)
    assert f'value="{(TODAY - timedelta(days=30)).isoformat()}"' in page
    assert f'value="{TODAY.isoformat()}"' in page
    asked = client.get("/finance/gift-aid", query_string={"from": "2026-01-02", "to": "2026-02-03"})
    assert 'value="2026-01-02"' in asked.get_data(as_text=True)
    assert 'value="2026-02-03"' in asked.get_data(as_text=True)
    bad = client.get("/finance/gift-aid", query_string={"from": "02/01/2026"})
    assert bad.status_code == 400
    assert says(bad.get_data(as_text=True), "Write each date as YYYY-MM-DD.")


def test_cancelling_a_declaration_is_audited_and_a_bad_day_is_named(client):
    gift = factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    page = f"/finance/donations/{gift.reference}"
    cancel = f"/finance/gift-aid/declarations/{gift.declaration_id}/cancel"
    staff_post(client, cancel, {"effective": "tomorrow", "back": page}, page=page)
    told = client.get(page).get_data(as_text=True)
    assert says(told, "Write the date the cancellation takes effect as YYYY-MM-DD.")
    later = (TODAY + timedelta(days=10)).isoformat()
    assert (
        staff_post(client, cancel, {"effective": later, "back": page}, page=page).status_code == 303
    )
    db.session.rollback()
    [entry] = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "declaration_cancelled")
    ).scalars()
    detail = json.loads(entry.detail)
    assert entry.subject == f"donor {gift.donor_id}"
    assert detail["declarations"] == 1
    assert detail["effective"] == str(uk_midnight(date.fromisoformat(later)))


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"first_name": ""}, "first_name", "Enter the first name."),
        ({"last_name": "  "}, "last_name", "Enter the last name."),
        ({"first_name": "A" * 36}, "first_name", "First name must be 35 characters or fewer."),
        ({"last_name": "Love<b>lace"}, "last_name", "Last name cannot contain HTML"),
        ({"house": "1\x07"}, "house", "House name or number cannot contain HTML"),
        ({"postcode": "NOT A CODE"}, "postcode", "Enter a UK postcode"),
    ],
)
def test_each_fix_refused_is_said_beside_its_field_and_changes_nothing(
    client, changes, field, said
):
    paid = factories.payment(amount_pence=2500, gift_aid=True)
    signed_in(client)
    fix = f"/finance/gift-aid/declarations/{paid.declaration_id}"
    values = {"first_name": "Ada", "last_name": "Lovelace", "house": "1", "postcode": "SW1A 1AA"}
    refused = staff_post(client, fix, {**values, **changes}, page=fix)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    beside = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert beside is not None, field
    assert said in unescape(beside[1])
    db.session.rollback()
    assert db.session.get(GiftAidDeclaration, paid.declaration_id).first_name == "Ada"


def test_a_draft_claims_schedule_follows_a_refund_made_after_the_draft(client):
    factories.payment(amount_pence=4000, gift_aid=True, email="kept@example.org")
    refunded = factories.payment(amount_pence=3000, gift_aid=True, email="back@example.org")
    signed_in(client)
    staff_post(client, "/finance/gift-aid", PERIOD, page="/finance/gift-aid")
    claim = db.session.execute(select(GiftAidClaim)).scalar_one()
    factories.refund(refunded, 3000)
    db.session.commit()
    path = f"/finance/gift-aid/{claim.reference}/schedule.csv"
    rows = list(csv.reader(io.StringIO(client.get(path).get_data(as_text=True))))[1:]
    assert [row[10] for row in rows] == ["40.00"], "the gift refunded in full left the draft"


def test_a_penny_gift_keeps_its_own_row_unless_small_gifts_are_added_up(client):
    factories.offline_gift(
        amount_pence=1,
        received_on=TODAY,
        gift_aid=True,
        declared_on=TODAY,
        house="14",
        postcode="SW1A 1AA",
        receipt_reference="PENNY-1",
    )
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    db.session.commit()
    signed_in(client)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/finance/gift-aid/{claim.reference}/schedule.csv").text)
        )
    )
    assert [(row["Last name"], row["Aggregated donations"]) for row in rows] == [("Seacole", "")]
