"""Offline gifts, by hand and from a file: all rows or none, nothing recorded twice."""

import io
import re

import pytest
from sqlalchemy import func, select

from donations.extensions import db
from donations.finance.offline import read_gift
from donations.gifts.models import Donation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.totals import drift
from donations.receipts.models import OutboxMessage
from donations.staff.models import AuditEntry
from donations.uk_time import uk_today
from tests import factories
from tests.support import count, csrf_token, fund_totals, says, sign_in, staff_post

CHEQUE = {
    "fund": "actimus",
    "amount": "120.50",
    "received_on": "2026-11-02",
    "method": "cheque",
    "receipt_reference": "CHQ-100200",
    "title": "Dr",
    "first_name": "Mary",
    "last_name": "Seacole",
    "email": "",
    "gift_aid": "yes",
    "declaration_date": "2026-10-30",
    "house": "14",
    "postcode": "sw1a1aa",
}
HEADER = (
    "fund,amount,received_on,method,receipt_reference,title,first_name,last_name,email,"
    "gift_aid,declaration_date,house,address,postcode,overseas,marketing_consent"
)


@pytest.fixture
def finance(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    return client


def offline_rows() -> list[LedgerEntry]:
    db.session.rollback()
    return list(
        db.session.execute(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.OFFLINE))
    )


def upload(client, text: str, name: str = "gifts.csv"):
    return client.post(
        "/finance/offline/import",
        data={
            "csrf_token": csrf_token(client, "/finance/offline/import"),
            "file": (io.BytesIO(text.encode()), name),
        },
        content_type="multipart/form-data",
    )


def test_the_offline_form_is_a_page_for_finance_staff(finance):
    assert finance.get("/finance/offline").status_code == 200


def test_a_cheque_with_a_paper_declaration_counts_at_once_with_its_gift_aid(finance):
    response = staff_post(finance, "/finance/offline", CHEQUE, page="/finance/offline")
    assert response.status_code == 303
    (entry,) = offline_rows()
    assert (entry[0].amount_pence, entry[0].gift_aid) == (12050, True)
    totals = fund_totals("actimus")
    assert totals.raised_pence == 12050
    assert totals.gift_aid_pence == 3012
    donation = db.session.execute(select(Donation)).scalar_one()
    assert (donation.channel, donation.status, donation.postcode) == ("cheque", "paid", "SW1A 1AA")
    assert donation.declaration.declared_at.date().isoformat() == "2026-10-30"
    assert count(OutboxMessage) == 0, "an offline gift is thanked the way it came, not e-mailed"
    assert drift() == []
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "offline_gift")
    ).scalar_one()
    assert logged.subject == donation.reference


def test_the_same_cheque_twice_is_recorded_once(finance):
    staff_post(finance, "/finance/offline", CHEQUE, page="/finance/offline")
    again = staff_post(finance, "/finance/offline", CHEQUE, page="/finance/offline")
    assert again.status_code == 303
    assert len(offline_rows()) == 1
    page = finance.get(again.headers["Location"]).get_data(as_text=True)
    assert "already recorded" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fund": "nope"}, "fund", "Choose a fund"),
        (
            {"amount": "12.345"},
            "amount",
            "Enter the amount in pounds using numbers only, for example 15 or 15.50.",
        ),
        ({"amount": "0"}, "amount", "from £0.01"),
        ({"received_on": "2099-01-01"}, "received_on", "cannot be in the future"),
        ({"received_on": "31/02/2026"}, "received_on", "YYYY-MM-DD or DD/MM/YYYY"),
        ({"method": "bitcoin"}, "method", "Choose how it came"),
        ({"receipt_reference": ""}, "receipt_reference", "Enter the receipt reference"),
        ({"first_name": "<script>"}, "first_name", "HTML or control characters"),
        ({"last_name": "Sea\ncole"}, "last_name", "single line"),
        ({"email": "not-an-address"}, "email", "e-mail address"),
        ({"postcode": "XYZ"}, "postcode", "UK postcode"),
        ({"declaration_date": ""}, "declaration_date", "date on the Gift Aid declaration"),
        ({"house": ""}, "house", "house name or number"),
        (
            {"declared_by": "fax"},
            "declared_by",
            "Choose how the declaration was made: paper, phone, phone_recorded.",
        ),
    ],
)
def test_each_bad_field_is_named_beside_it_and_nothing_is_recorded(finance, change, field, message):
    response = staff_post(
        finance, "/finance/offline", {**CHEQUE, **change}, page="/finance/offline"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert offline_rows() == []
    assert re.search(r'<form method="post" novalidate>\s*<input id="csrf_token"', page), (
        "the form comes back ready to send again"
    )
    assert '<label class="label" for="amount">Amount</label>' in page, "each field named"
    assert 'value="stem-cell-audit"' in page, "with every fund to choose from"


def test_a_page_or_sponsorship_that_cannot_be_is_named_beside_it(finance):
    factories.fundraiser("ada-runs", given_to=factories.fund("stem-cell-audit"))
    for change, field, words in (
        (
            {"fundraiser": "ada-runs"},
            "fundraiser",
            "That page raises money for the UK MS stem cell service audit: choose that fund.",
        ),
        ({"sponsored": "maybe"}, "sponsored", "Sponsorship: write yes or no."),
    ):
        response = staff_post(
            finance, "/finance/offline", {**CHEQUE, **change}, page="/finance/offline"
        )
        assert response.status_code == 400, change
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page, change
        assert says(page, words), words
    assert offline_rows() == []


def test_a_gift_without_gift_aid_is_not_marked_as_from_abroad(app):
    values = {**CHEQUE, "gift_aid": "no", "declaration_date": "", "overseas": ""}
    gift, problems = read_gift(values, uk_today())
    assert problems == {}
    assert (gift.gift_aid, gift.overseas, gift.declared_on) == (False, False, None)


@pytest.mark.parametrize(("day", "taken"), [("2000-01-01", True), ("31/12/1999", False)])
def test_a_gift_received_since_2000_is_taken_and_one_before_is_too_long_ago(finance, day, taken):
    sent = {**CHEQUE, "received_on": day, "declaration_date": day}
    response = staff_post(finance, "/finance/offline", sent, page="/finance/offline")
    assert response.status_code == (303 if taken else 400)
    if not taken:
        assert says(response.get_data(as_text=True), "Date received is too long ago.")
    assert len(offline_rows()) == int(taken)


@pytest.mark.parametrize(
    ("declared_by", "kept"),
    [(None, "paper"), ("", "paper"), ("Phone", "phone"), ("phone_recorded", "phone_recorded")],
)
def test_how_the_declaration_was_made_is_kept_with_it(finance, declared_by, kept):
    sent = {**CHEQUE} if declared_by is None else {**CHEQUE, "declared_by": declared_by}
    assert staff_post(finance, "/finance/offline", sent, page="/finance/offline").status_code == 303
    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.declaration.source == kept


def test_a_receipt_reference_already_used_for_another_gift_is_refused(finance):
    staff_post(finance, "/finance/offline", CHEQUE, page="/finance/offline")
    other = {**CHEQUE, "amount": "5"}
    response = staff_post(finance, "/finance/offline", other, page="/finance/offline")
    assert response.status_code == 400
    assert "already recorded for another gift" in response.get_data(as_text=True)
    assert len(offline_rows()) == 1


def test_the_template_imports_as_it_comes(finance):
    template = finance.get("/finance/offline/template.csv")
    assert template.status_code == 200
    text = template.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER + ",sponsored,fundraiser,declared_by"
    response = upload(finance, text)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert len(offline_rows()) == 1


def good_file(rows: int = 3) -> str:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"stem-cell-audit,{10 + n}.00,2026-11-0{n + 1},cash,EVENT-{n},,Joan,Smith{n},"
            ",no,,,,,no,no"
        )
    return "\r\n".join(lines) + "\r\n"


def test_a_good_file_imports_every_row_and_again_records_nothing_twice(finance):
    response = upload(finance, good_file())
    assert response.status_code == 303
    assert sorted(row[0].amount_pence for row in offline_rows()) == [1000, 1100, 1200]
    assert fund_totals("stem-cell-audit").raised_pence == 3300
    again = upload(finance, good_file())
    assert again.status_code == 303
    assert len(offline_rows()) == 3
    page = finance.get(again.headers["Location"]).get_data(as_text=True)
    assert "Imported 0 gifts" in page
    assert "3 were already recorded" in page
    assert drift() == []


def test_one_bad_row_imports_nothing_and_names_the_row_and_the_reason(finance):
    rows = good_file().splitlines()
    rows[2] = rows[2].replace("11.00", "eleven")
    response = upload(finance, "\r\n".join(rows))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "<td>3</td><td>Amount</td>" in page
    assert offline_rows() == []
    assert fund_totals("stem-cell-audit").raised_pence == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        (HEADER + "\r\n", "holds no gifts"),
        (HEADER, "holds no gifts"),
        (HEADER.replace(",", ";"), "holds no gifts"),
        (
            HEADER + "\r\n" + "actimus,5,2026-11-01,cash,A,,Ada,L,,no,,,,,no,no,EXTRA\r\n",
            "more cells",
        ),
        (good_file(2) + good_file(1).splitlines()[1] + "\r\n", "The same as row 2"),
        (good_file(1) + 'actimus,5,2026-11-01,cash,"B', "<td>3</td><td>file</td>"),
        (good_file(1) + "actimus,5," + "x" * 140_000 + "\r\n", "a cell is far too long"),
        (HEADER + "," + "x" * 140_000 + "\r\n", "<td>1</td><td>file</td>"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(finance, text, message):
    response = upload(finance, text)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert offline_rows() == []


def test_an_imported_gift_is_not_marked_as_if_the_donor_had_asked_to_be_anonymous(finance):
    assert upload(finance, good_file(1)).status_code == 303
    db.session.rollback()
    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.anonymous is False
    export = finance.get("/finance/donations/export.csv").get_data().decode("utf-8-sig")
    assert export.splitlines()[1].split(",")[21] == "no"
    page = finance.get("/funds/stem-cell-audit").get_data(as_text=True)
    assert "Joan" not in page, "and, with no display name, it is never listed on the page"


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(finance):
    response = finance.post(
        "/finance/offline/import",
        data={
            "csrf_token": csrf_token(finance, "/finance/offline/import"),
            "file": (io.BytesIO(HEADER.encode() + b"\r\n\x81\x8d\x8f"), "gifts.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Save the file as CSV (UTF-8, or Windows" in response.get_data(as_text=True)


def test_a_viewer_cannot_record_or_import(client, app):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    assert client.get("/finance/offline").status_code == 403
    assert staff_post(client, "/finance/offline", CHEQUE).status_code == 403
    assert client.get("/finance/offline/template.csv").status_code == 403
    assert db.session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0


def test_a_file_without_the_newer_sponsored_column_still_imports_and_one_with_it_marks_it(
    finance,
):
    assert upload(finance, good_file(2)).status_code == 303
    row = "actimus,30,2026-11-02,event,RUN-1,,Sam,Runner,,no,,,,,no,no,yes"
    sponsored = f"{HEADER},sponsored\r\n{row}\r\n"
    assert upload(finance, sponsored).status_code == 303
    db.session.rollback()
    marks = dict(db.session.execute(select(Donation.form_token, Donation.sponsored)).all())
    assert len(marks) == 3
    assert [token for token, sponsored in marks.items() if sponsored] == ["offline:RUN-1"]


def test_the_import_page_names_the_required_columns_and_the_file_it_refused(finance):
    page = finance.get("/finance/offline/import").get_data(as_text=True)
    assert (
        "Required in every row: fund, amount, received_on, method, receipt_reference, first_name"
        in page
    )
    refused = upload(finance, HEADER + "\r\n", name="november.csv").get_data(as_text=True)
    assert "november.csv has 1 problem" in refused


@pytest.mark.parametrize(("rows", "said"), [(1, "1 gift"), (2, "2 gifts")])
def test_an_import_says_how_many_gifts_came_in_and_how_many_were_there_already(finance, rows, said):
    first = upload(finance, good_file(rows))
    told = finance.get(first.headers["Location"]).get_data(as_text=True)
    assert says(told, f"Imported {said} from gifts.csv.")
    again = upload(finance, good_file(rows))
    told = finance.get(again.headers["Location"]).get_data(as_text=True)
    assert says(
        told,
        f"Imported 0 gifts from gifts.csv. {rows} were already recorded and were left as"
        " they were.",
    )


def test_a_file_with_only_the_required_columns_imports(finance):
    text = (
        "fund,amount,received_on,method,receipt_reference,first_name,last_name\n"
        "actimus,10.00,2026-11-02,cash,BUCKET-7,Mary,Seacole\n"
    )
    response = upload(finance, text)
    assert response.status_code == 303, response.get_data(as_text=True)
    (entry,) = offline_rows()
    assert (entry[0].amount_pence, entry[0].gift_aid) == (1000, False)
