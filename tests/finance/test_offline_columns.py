"""A file as a UK bank or Excel writes it, with its own column names: staff say which column
is which, and every row is recorded once."""

import io
import re
from html import unescape

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.totals import drift
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import csrf_token, says, sign_in

#: Windows-1252, semicolons, UK dates, a pound sign, and the bank's own column names
BANK_FILE = (
    "Date;Payer forename;Payer surname;Amount (GBP);Bank ref;Campaign;Paid by;Gift Aid?;"
    "Declared;House;Postcode;Memo\r\n"
    "02/11/2026;Zoë;Brontë;£50.00;BGC-1001;ACTiMuS trial;Cheque;yes;01/11/2026;7;"
    "HX7 8AB;thank you\r\n"
    "03/11/2026;Seán;O'Neill;£1,250.00;BGC-1002;stem-cell-audit;Bank transfer;no;;;;\r\n"
    "04/11/2026;Ada;Lovelace;20.00;BGC-1003;actimus;cash;no;;;;bucket\r\n"
).encode("cp1252")

CHOICES = {
    "column-received_on": "Date",
    "column-first_name": "Payer forename",
    "column-last_name": "Payer surname",
    "column-amount": "Amount (GBP)",
    "column-receipt_reference": "Bank ref",
    "column-fund": "Campaign",
    "column-method": "Paid by",
    "column-gift_aid": "Gift Aid?",
    "column-declaration_date": "Declared",
    "column-house": "House",
    "column-postcode": "Postcode",
}


@pytest.fixture
def finance(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    return client


def upload(client, data: bytes, name: str = "bank.csv"):
    return client.post(
        "/finance/offline/import",
        data={
            "csrf_token": csrf_token(client, "/finance/offline/import"),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def carried(html: str) -> dict:
    return {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1],
        "file_text": unescape(re.search(r'name="file_text" value="([^"]+)"', html)[1]),
        "file_name": "bank.csv",
    }


def selected(html: str) -> dict[str, str]:
    chosen = {}
    for name, options in re.findall(
        r'<select[^>]*name="(column-[a-z_]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        picked = re.search(r'<option value="([^"]*)" selected>', options)
        chosen[name] = unescape(picked[1]) if picked else ""
    return chosen


def recorded() -> list[Donation]:
    db.session.rollback()
    return list(
        db.session.execute(
            select(Donation).where(Donation.channel != "online").order_by(Donation.form_token)
        ).scalars()
    )


def test_a_bank_file_goes_through_the_column_choosing_step_and_records_every_row_once(finance):
    asked = upload(finance, BANK_FILE)
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Which column is which?" in html
    assert "Payer surname (e.g. Brontë)" in unescape(html), "read as Windows-1252"
    assert "Memo (e.g. thank you)" in unescape(html)
    assert "The columns of bank.csv are not named as the template names them." in html
    assert '<label class="label" for="column-received_on">Date received</label>' in html
    assert 'for="column-house">House name or number <span class="hint">(optional)' in html
    assert html.count("Choose a column</option>") == 7, "the seven details every gift needs"
    assert "House (e.g. 7)" in unescape(html)
    guessed = selected(html)
    assert guessed["column-received_on"] == "Date"
    assert guessed["column-house"] == "House"
    assert guessed["column-postcode"] == "Postcode"
    assert guessed["column-first_name"] == "", "nothing guessed that its name does not say"
    assert recorded() == [], "nothing is read before the columns are chosen"

    done = finance.post("/finance/offline/import", data={**carried(html), **CHOICES})
    assert done.status_code == 303, unescape(done.get_data(as_text=True))[-3000:]
    assert done.headers["Location"].endswith("/finance/donations?channel=offline")
    listed = finance.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 3 gifts from bank.csv." in listed
    assert "already recorded" not in listed
    gifts = recorded()
    assert [
        (g.form_token, g.first_name, g.last_name, g.amount_pence, g.channel) for g in gifts
    ] == [
        ("offline:BGC-1001", "Zoë", "Brontë", 5000, "cheque"),
        ("offline:BGC-1002", "Seán", "O'Neill", 125000, "bank_transfer"),
        ("offline:BGC-1003", "Ada", "Lovelace", 2000, "cash"),
    ]
    assert [g.fund.slug for g in gifts] == ["actimus", "stem-cell-audit", "actimus"]
    assert [g.created_at.date().isoformat() for g in gifts] == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
    ]
    assert gifts[0].gift_aid
    assert gifts[0].declaration.postcode == "HX7 8AB"
    assert drift() == []

    again = finance.post("/finance/offline/import", data={**carried(html), **CHOICES})
    assert again.status_code == 303
    said = unescape(finance.get(again.headers["Location"]).get_data(as_text=True))
    assert (
        "Imported 0 gifts from bank.csv. 3 were already recorded and were left as they were."
        in said
    )
    entries = db.session.execute(
        select(LedgerEntry).where(LedgerEntry.kind == EntryKind.OFFLINE)
    ).all()
    assert len(recorded()) == 3
    assert len(entries) == 3, "every row once, however often the file comes"
    audits = db.session.execute(
        select(AuditEntry.detail).where(AuditEntry.action == "offline_import")
    ).scalars()
    audits = list(audits)
    assert ['"recorded": 3' in d for d in audits] == [True, False]
    assert all('"file": "bank.csv"' in d and '"rows": 3' in d for d in audits)


def test_a_required_column_left_unchosen_or_one_chosen_twice_is_said_beside_it(finance):
    html = upload(finance, BANK_FILE).get_data(as_text=True)
    choices = {**CHOICES, "column-first_name": "", "column-last_name": "Payer forename"}
    refused = finance.post(
        "/finance/offline/import",
        data={**carried(html), **choices, "column-first_name": "Payer forename"},
    )
    assert refused.status_code == 400
    page = unescape(refused.get_data(as_text=True))
    assert "“Payer forename” is already chosen for First name." in page
    assert 'id="column-last_name-error"' in page
    missing = finance.post(
        "/finance/offline/import", data={**carried(html), **CHOICES, "column-amount": ""}
    )
    assert missing.status_code == 400
    page = unescape(missing.get_data(as_text=True))
    assert 'id="column-amount-error"' in page
    assert "Choose the column that holds “Amount”." in page
    assert selected(page)["column-fund"] == "Campaign", "the other choices are kept"
    stranger = finance.post(
        "/finance/offline/import", data={**carried(html), **CHOICES, "column-fund": "Nope"}
    )
    assert says(stranger.get_data(as_text=True), "Choose one of the file's own columns.")
    assert recorded() == []


def test_a_file_altered_on_the_way_is_never_read(finance):
    html = upload(finance, BANK_FILE).get_data(as_text=True)
    sent = carried(html)
    sent["file_text"] = sent["file_text"][:-3] + "AAA"
    refused = finance.post("/finance/offline/import", data={**sent, **CHOICES})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert (
        "<tr><td></td><td>file</td><td>The file was lost on the way: choose it again.</td>" in page
    )
    assert recorded() == []


def test_a_file_signed_for_anything_else_is_never_read(finance, app):
    html = upload(finance, BANK_FILE).get_data(as_text=True)
    sent = carried(html)
    signed_otherwise = URLSafeSerializer(app.secret_key).dumps(BANK_FILE.decode("cp1252"))
    refused = finance.post(
        "/finance/offline/import", data={**sent, **CHOICES, "file_text": signed_otherwise}
    )
    assert refused.status_code == 400
    assert recorded() == []


def test_the_import_page_offers_the_file_field_with_its_token(finance):
    page = finance.get("/finance/offline/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="file"' in html
    assert re.search(
        r'<form [^>]*enctype="multipart/form-data"[^>]*>\s*<input id="csrf_token"', html
    )


def test_a_bad_row_through_the_column_step_is_named_and_nothing_is_recorded(finance):
    bad = BANK_FILE.replace(b"04/11/2026", b"31/02/2026")
    html = upload(finance, bad).get_data(as_text=True)
    refused = finance.post("/finance/offline/import", data={**carried(html), **CHOICES})
    assert refused.status_code == 400
    page = unescape(refused.get_data(as_text=True))
    assert "Nothing was imported" in page
    assert "bank.csv has 1 problem." in page, "the file is named by its own name"
    assert "<td>4</td><td>Date received</td>" in page
    assert recorded() == []
    sent = {**carried(html), **CHOICES, "file_name": ""}
    unnamed = unescape(finance.post("/finance/offline/import", data=sent).get_data(as_text=True))
    assert "the file has 1 problem." in unnamed


def test_a_file_named_as_the_template_names_it_is_not_asked_about(finance):
    template = finance.get("/finance/offline/template.csv").get_data()
    asked = upload(finance, template.replace(b"2026-11-20", b"2026-11-02"))
    assert asked.status_code == 303
    assert len(recorded()) == 1


def test_a_file_with_a_column_of_its_own_beside_the_templates_is_asked_about(finance):
    template = finance.get("/finance/offline/template.csv").get_data().decode("utf-8-sig")
    header, *rows = template.replace("2026-11-20", "2026-11-02").splitlines()
    extra = "\r\n".join([header + ",Notes", *(row + ",from the fete" for row in rows)])
    asked = upload(finance, extra.encode())
    assert asked.status_code == 200, "a column the template does not name is asked about"
    assert "Which column is which?" in asked.get_data(as_text=True)
    assert recorded() == []


def test_a_file_without_the_columns_a_gift_needs_is_asked_about_and_cannot_skip_them(finance):
    asked = upload(finance, b"name,amount\r\nAda,5\r\n")
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert selected(html)["column-amount"] == "amount"
    refused = finance.post(
        "/finance/offline/import", data={**carried(html), "column-amount": "amount"}
    )
    assert refused.status_code == 400
    page = unescape(refused.get_data(as_text=True))
    for label in ("Fund", "Date received", "Receipt reference", "First name", "Last name"):
        assert f"Choose the column that holds “{label}”." in page
    assert recorded() == []


def test_a_semicolon_file_is_told_by_its_header_whatever_its_rows_hold(finance):
    """The header alone says how a file is split: here its first name holds a space, and its
    rows hold more commas than the whole header has semicolons."""
    row = "02/11/2026;Jo Smith, Dr, MBE;jo@example.org;£1,250.00;BGC-1, 2, 3, 4, 5, 6, 7;\r\n"
    header = "Date received;Payer name;E-mail;Amount;Bank ref;Email\r\n"
    html = unescape(upload(finance, (header + row * 3).encode()).get_data(as_text=True))
    for column in ("Date received", "Payer name", "E-mail", "Amount", "Bank ref", "Email"):
        assert f'<option value="{column}"' in html, column
    assert selected(html)["column-email"] == "E-mail", "its name says what it is; the first"


def test_a_file_of_column_names_alone_is_asked_about_with_nothing_beside_them(finance):
    asked = upload(finance, b"Date;Payer surname;Amount (GBP)\r\n")
    assert asked.status_code == 200
    html = unescape(asked.get_data(as_text=True))
    assert "Which column is which?" in html
    assert "Payer surname</option>" in html, "each column offered by its name, no example"


def test_a_file_whose_first_row_cannot_be_read_is_still_asked_about(finance):
    asked = upload(finance, b'Date;Payer surname\r\n02/11/2026;"Bront\xeb\r\n')
    assert asked.status_code == 200
    assert "Payer surname</option>" in unescape(asked.get_data(as_text=True))


def test_each_example_beside_a_column_is_its_first_forty_characters_or_nothing(finance):
    memo = "A" * 39 + "BC"
    data = f"Date;Payer surname; Memo \r\n02/11/2026;;{memo}\r\n".encode()
    html = unescape(upload(finance, data).get_data(as_text=True))
    assert f"Memo (e.g. {memo[:40]})</option>" in html
    assert "Payer surname</option>" in html, "an empty example is not shown"
    assert " Memo " not in html, "a column's name without the spaces around it"


def test_a_refused_choice_names_the_file_and_keeps_its_name_to_two_hundred_characters(finance):
    html = upload(finance, BANK_FILE).get_data(as_text=True)
    long_name = "n" * 250
    sent = {**carried(html), **CHOICES, "column-fund": "", "file_name": long_name}
    refused = unescape(finance.post("/finance/offline/import", data=sent).get_data(as_text=True))
    assert f"The columns of {'n' * 200} are not named" in refused
    assert f"{'n' * 201}" not in refused


def test_a_comma_file_with_a_semicolon_in_a_column_name_is_split_at_its_commas(finance):
    data = b'Date,Payer surname,"Notes; misc"\r\n02/11/2026,Bronte,fete\r\n'
    html = unescape(upload(finance, data).get_data(as_text=True))
    assert "Notes; misc (e.g. fete)</option>" in html
