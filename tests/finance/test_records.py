"""The records list, a donation's page, and the exports: exactly what the ledger holds."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import func, select

from donations.extensions import db
from donations.finance import exports, listing
from donations.finance.listing import Filters
from donations.gifts import lifecycle
from donations.gifts import services as gifts
from donations.ledger.models import GIFT_KINDS, LedgerEntry
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import says, sign_in

COLUMNS = [
    "reference",
    "date",
    "fund",
    "frequency",
    "status",
    "channel",
    "amount",
    "fees_covered",
    "refunded",
    "disputed",
    "stripe_fee",
    "net_received",
    "gift_aid",
    "gift_aid_amount",
    "gift_aid_claim",
    "title",
    "first_name",
    "last_name",
    "email",
    "house",
    "postcode",
    "anonymous",
    "marketing_consent",
    "source_ref",
    "payout",
    "net_remaining",
    "appeal",
    "fundraiser",
]


@pytest.fixture
def some_gifts(app):
    """Paid gifts in both funds (one with Gift Aid, one refunded in part), a Direct Debit
    still pending and one that failed."""
    made = {
        "aided": factories.payment(amount_pence=2500, gift_aid=True, email="a@example.org"),
        "audit": factories.payment("stem-cell-audit", amount_pence=10000, email="b@example.org"),
        "refunded": factories.payment(amount_pence=5000, fee_cover_pence=96, email="c@example.org"),
        "pending": factories.pending_payment(amount_pence=3000, email="d@example.org"),
        "failed": factories.pending_payment(amount_pence=1500, email="e@example.org"),
    }
    factories.refund(made["refunded"], 1200)
    lifecycle.mark_failed(made["failed"])
    db.session.commit()
    return made


def csv_rows(response) -> list[dict]:
    text = response.get_data().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def ledger_gifts(**where) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.kind.in_(GIFT_KINDS))
    for name, value in where.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return list(db.session.execute(query).scalars())


def test_the_list_shows_every_record_with_the_totals_of_what_was_received(client, some_gifts):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/donations").get_data(as_text=True)
    assert "5 records" in page
    for donation in some_gifts.values():
        assert donation.reference in page
    assert 'Received <span class="figure__value">£175.00</span>' in page
    assert 'Refunded <span class="figure__value">£12.00</span>' in page
    assert 'Gift Aid due <span class="figure__value">£6.25</span>' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "paid"}, {"aided", "audit", "refunded"}),
        ({"status": "pending"}, {"pending"}),
        ({"status": "failed"}, {"failed"}),
        ({"fund": "stem-cell-audit"}, {"audit"}),
        ({"gift_aid": "yes"}, {"aided"}),
        ({"q": "c@example"}, {"refunded"}),
        ({"channel": "offline"}, set()),
        ({"frequency": "monthly"}, set()),
        ({"from": "2000-01-01", "to": "2000-12-31"}, set()),
    ],
)
def test_each_filter_narrows_the_list_and_the_export_alike(client, some_gifts, query, expected):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/donations", query_string=query).get_data(as_text=True)
    exported = csv_rows(client.get("/finance/donations/export.csv", query_string=query))
    wanted = {some_gifts[name].reference for name in expected}
    assert {row["reference"] for row in exported} == wanted
    for name, donation in some_gifts.items():
        assert (donation.reference in page) == (name in expected), name


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-13-01"}, "from", "Enter a date as YYYY-MM-DD, for example 2026-04-06."),
        ({"to": "6 April"}, "to", "Enter a date as YYYY-MM-DD, for example 2026-04-06."),
        (
            {"from": "2026-05-02", "to": "2026-05-01"},
            "to",
            "The end date must be the same as or after the start date.",
        ),
        ({"fund": "no-such-fund"}, "fund", "Choose a fund from the list."),
        ({"status": "refunded; drop table"}, "status", "Choose a status from the list."),
        ({"gift_aid": "maybe"}, "gift_aid", "Choose yes or no for Gift Aid from the list."),
        ({"channel": "post"}, "channel", "Choose online or offline from the list."),
        (
            {"frequency": "weekly"},
            "frequency",
            "Choose one-off, monthly or annual from the list.",
        ),
        ({"q": "x" * 101}, "q", "Search for at most 100 ordinary characters."),
        ({"q": "a\x00b"}, "q", "Search for at most 100 ordinary characters."),
        (
            {"fundraiser": "no-such-page"},
            "fundraiser",
            "Enter the web address of a fundraising page.",
        ),
    ],
)
def test_a_filter_that_cannot_be_used_is_named_beside_its_field(client, app, query, field, message):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    response = client.get("/finance/donations", query_string=query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="filter-{field}-error"' in page
    assert says(page, message), message
    assert client.get("/finance/donations/export.csv", query_string=query).status_code == 400


def test_the_csv_round_trips_to_the_ledger_to_the_penny(client, some_gifts):
    # Stripe's fee, and what reached us
    factories.settled(factories.payment_entry(some_gifts["refunded"]), 96, 5000)
    db.session.commit()
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    response = client.get("/finance/donations/export.csv", query_string={"status": "paid"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    by_reference = {row["reference"]: row for row in rows}
    gifts = ledger_gifts()
    assert len(rows) == len(gifts)
    for entry in gifts:
        donation = next(d for d in some_gifts.values() if d.id == entry.donation_id)
        row = by_reference[donation.reference]
        assert Decimal(row["amount"]) * 100 == entry.amount_pence
        assert Decimal(row["fees_covered"]) * 100 == entry.fee_cover_pence
        assert row["source_ref"] == entry.source_ref
        assert row["email"] == donation.email
    assert by_reference[some_gifts["refunded"].reference]["refunded"] == "12.00"
    for row in rows:
        if row["net_received"]:
            kept = (
                Decimal(row["net_received"]) - Decimal(row["refunded"]) - Decimal(row["disputed"])
            )
            assert Decimal(row["net_remaining"]) == kept, row["reference"]
    refunded = by_reference[some_gifts["refunded"].reference]
    assert (refunded["net_received"], refunded["net_remaining"]) == ("50.00", "38.00")
    assert by_reference[some_gifts["aided"].reference]["gift_aid"] == "yes"
    assert by_reference[some_gifts["aided"].reference]["gift_aid_amount"] == "6.25"
    total = sum(Decimal(row["amount"]) for row in rows) * 100
    in_ledger = db.session.execute(
        select(func.sum(LedgerEntry.amount_pence)).where(LedgerEntry.kind.in_(GIFT_KINDS))
    ).scalar_one()
    assert total == in_ledger


def test_the_xlsx_round_trips_to_the_ledger_to_the_penny(client, some_gifts):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    response = client.get("/finance/donations/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == COLUMNS
    assert len(rows) == 5
    received = [dict(zip(COLUMNS, row, strict=True)) for row in rows if row[4] == "paid"]
    total = sum(Decimal(str(row["amount"])) for row in received) * 100
    in_ledger = db.session.execute(
        select(func.sum(LedgerEntry.amount_pence)).where(LedgerEntry.kind.in_(GIFT_KINDS))
    ).scalar_one()
    assert total == in_ledger
    full = load_workbook(io.BytesIO(response.get_data())).active
    amount = full.cell(row=2, column=COLUMNS.index("amount") + 1)
    assert isinstance(amount.value, int | float)
    assert amount.number_format == "0.00", "pounds shown with their pence, as money"
    day = full.cell(row=2, column=COLUMNS.index("date") + 1)
    assert day.is_date, "a date a spreadsheet can group by month"
    assert day.number_format == "yyyy-mm-dd"
    csv_days = {
        row["date"]
        for row in csv.DictReader(
            io.StringIO(
                client.get("/finance/donations/export.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    }
    assert day.value.date().isoformat() in csv_days, "the same day as the CSV says"


NASTY = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "\uff1dSUM(1)",  # full-width =
    "\uff0b1",  # full-width +
    "\uff0d2",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    "\u200b=1+1",  # a zero-width space hiding =
    "\ufeff=1+1",
]
KIND = ["Zoë", "Łukasz", "李小龍", "Ólafur", "Ngũgĩ"]


def test_names_that_look_like_formulas_come_out_neutralised_and_others_intact(client, app):
    for n, name in enumerate(NASTY + KIND):
        factories.payment(first_name=name, last_name="Donor", email=f"donor{n}@example.org")
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    rows = csv_rows(client.get("/finance/donations/export.csv"))
    names = {row["first_name"] for row in rows}
    assert names == {"'" + name for name in NASTY} | set(KIND)
    exported = client.get("/finance/donations/export.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(exported)).active
    # OOXML writes a carriage return as _x000D_; Excel shows it as one, openpyxl leaves it
    cells = {
        unescape(row[COLUMNS.index("first_name")])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert cells == {"'" + name for name in NASTY} | set(KIND)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_each_export_is_in_the_audit_log_with_its_filters_and_rows(client, some_gifts):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    client.get("/finance/donations/export.csv", query_string={"status": "paid", "q": "b@"})
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
    assert entry.actor == "finance@example.org"
    assert json.loads(entry.detail) == {
        "filters": {"q": "b@", "status": "paid"},
        "format": "csv",
        "rows": 1,
    }


def test_a_viewer_sees_no_personal_data_and_cannot_export_or_refund(client, some_gifts):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    listing = client.get("/finance/donations").get_data(as_text=True)
    assert some_gifts["aided"].reference in listing
    assert "Ada" not in listing
    detail = client.get(f"/finance/donations/{some_gifts['aided'].reference}")
    assert detail.status_code == 200
    assert "a@example.org" not in detail.get_data(as_text=True)
    assert client.get("/finance/donations/export.csv").status_code == 403
    assert client.get("/finance/donations/export.xlsx").status_code == 403
    assert "Download CSV" not in listing


def test_a_viewers_search_finds_references_only_never_names_or_e_mails(client, some_gifts):
    """Were names and e-mails searched, a viewer could read them back a letter at a time."""
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    aided = some_gifts["aided"].reference

    def found(query: str) -> bool:
        page = client.get("/finance/donations", query_string={"q": query})
        assert page.status_code == 200
        return aided in page.get_data(as_text=True)

    assert found(aided)
    assert found(aided.lower())
    for probe in ("a@", "a@example.org", "Ada", "ada", some_gifts["aided"].last_name[:2]):
        assert not found(probe), probe


def test_a_donation_page_shows_its_whole_history(client, some_gifts):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(f"/finance/donations/{some_gifts['refunded'].reference}").get_data(
        as_text=True
    )
    assert "Payment received" in page
    assert "Refund" in page
    assert "-£12.00" in page
    assert "Receipt queued" in page
    assert "c@example.org" in page


def test_an_unknown_reference_is_a_404(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    assert client.get("/finance/donations/D-NOSUCHONE1").status_code == 404
    assert client.get("/finance/donations/" + "X" * 300).status_code == 404


def test_the_command_line_export_writes_the_same_rows_and_is_audited(
    client, runner, some_gifts, tmp_path
):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    online = csv_rows(client.get("/finance/donations/export.csv", query_string={"status": "paid"}))
    out = tmp_path / "paid.csv"
    result = runner.invoke(args=["exports", "donations", "--status", "paid", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 records written" in result.output
    with out.open(encoding="utf-8-sig", newline="") as written:
        assert list(csv.DictReader(written)) == online
    db.session.rollback()
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.actor == "command line", AuditEntry.action == "export")
    ).scalar_one()
    assert json.loads(logged.detail)["rows"] == 3
    xlsx = tmp_path / "all.xlsx"
    assert runner.invoke(args=["exports", "donations", "-o", str(xlsx)]).exit_code == 0
    assert load_workbook(xlsx, read_only=True).active.max_row == 6


def test_the_command_line_refuses_a_bad_filter_or_file_and_writes_nothing(runner, app, tmp_path):
    for args, message in [
        (["--from", "26-11-2026"], "Enter a date as YYYY-MM-DD"),
        (["--fund", "nope"], "Choose a fund"),
        (["--gift-aid", "maybe"], "yes or no"),
    ]:
        out = tmp_path / "x.csv"
        result = runner.invoke(args=["exports", "donations", *args, "-o", str(out)])
        assert result.exit_code == 2
        assert message in result.output
        assert not out.exists()
    result = runner.invoke(args=["exports", "donations", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert ".csv or .xlsx" in result.output


def test_the_export_writes_each_sum_in_pounds_and_pence_as_staff_would(client, app):
    small = factories.payment(amount_pence=210, email="small@example.org")
    tiny = factories.payment(amount_pence=9, email="tiny@example.org")
    whole = factories.payment(amount_pence=5000, email="whole@example.org")
    factories.refund(whole, 5000)
    factories.settled(factories.payment_entry(whole), 95, 4905)
    even = factories.payment(amount_pence=3000, email="even@example.org")
    factories.refund(even, 3000)
    factories.settled(factories.payment_entry(even), None, 3000)
    cheque = factories.offline_gift(amount_pence=4010)
    promised = factories.pending_payment(amount_pence=3000, gift_aid=True, email="dd@example.org")
    db.session.commit()
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    rows = {row["reference"]: row for row in csv_rows(client.get("/finance/donations/export.csv"))}
    assert rows[small.reference]["amount"] == "2.10"
    assert rows[small.reference]["title"] == "", "nothing known is an empty cell"
    assert (rows[promised.reference]["gift_aid"], rows[promised.reference]["gift_aid_amount"]) == (
        "yes",
        "0.00",
    ), "no Gift Aid on money not yet received"
    assert rows[tiny.reference]["amount"] == "0.09"
    assert (rows[small.reference]["gift_aid"], rows[small.reference]["gift_aid_amount"]) == (
        "no",
        "0.00",
    )
    refunded = rows[whole.reference]
    assert (refunded["net_received"], refunded["refunded"], refunded["net_remaining"]) == (
        "49.05",
        "50.00",
        "-0.95",
    ), "Stripe kept its fee; the whole gift went back"
    assert rows[even.reference]["net_remaining"] == "0.00", "nothing left has no sign"
    offline = rows[cheque.reference]
    assert (offline["amount"], offline["net_received"], offline["net_remaining"]) == (
        "40.10",
        "40.10",
        "40.10",
    ), "a cheque reaches the bank whole"


@pytest.mark.parametrize(
    ("moment", "uk_day"),
    [
        ("2026-06-30T23:30:00+00:00", "2026-07-01"),  # summer: past midnight in London
        ("2026-03-30T23:30:00+00:00", "2026-03-31"),  # the first Monday night of summer time
        ("2026-12-31T23:30:00+00:00", "2026-12-31"),  # winter: London is UTC
        ("2026-03-29T00:59:00+00:00", "2026-03-29"),  # a minute before the clocks go forward
        ("2026-03-28T23:30:00+00:00", "2026-03-28"),  # the night before: still winter
        ("2026-10-24T23:30:00+00:00", "2026-10-25"),  # the last night of summer time
        ("2026-10-25T01:00:00+00:00", "2026-10-25"),  # the clocks have gone back
    ],
)
def test_each_record_is_dated_by_the_uk_calendar(client, app, moment, uk_day):
    donation = factories.donation(email="dated@example.org")
    lifecycle.mark_paid(donation, "pi_dated", occurred_at=datetime.fromisoformat(moment))
    db.session.commit()
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    (row,) = csv_rows(client.get("/finance/donations/export.csv"))
    assert row["date"] == uk_day


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fund", "stem-cell-audit"], {"audit"}),
        (["--status", "pending"], {"pending"}),
        (["--gift-aid", "yes"], {"aided"}),
        (["--q", "c@example"], {"refunded"}),
        (["--channel", "online", "--frequency", "one-off", "--status", "failed"], {"failed"}),
        (["--from", "2000-01-01", "--to", "2000-12-31"], set()),
    ],
)
def test_each_command_line_filter_narrows_the_export_as_the_page_does(
    runner, some_gifts, tmp_path, args, expected
):
    out = tmp_path / "some.csv"
    result = runner.invoke(args=["exports", "donations", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as written:
        found = {row["reference"] for row in csv.DictReader(written)}
    assert found == {some_gifts[name].reference for name in expected}


def test_a_search_for_like_wildcards_matches_them_as_typed_not_everything(client, app):
    factories.payment(first_name="Ann_Marie", email="one@example.org")
    factories.payment(first_name="Annemarie", email="two@example.org")
    factories.payment(first_name="100% Jo", email="three@example.org")
    factories.payment(first_name="Back\\slash", email="four@example.org")
    factories.staff("finance")
    sign_in(client, "finance@example.org")

    def found(query: str) -> int:
        text = client.get("/finance/donations", query_string={"q": query}).get_data(as_text=True)
        return int(re.search(r"(\d+) records?", text).group(1))

    assert found("Ann_") == 1, "an underscore is an underscore, not any one letter"
    assert found("0%") == 1, "a percent sign is a percent sign, not anything"
    assert found("%") == 1, "only the one name with a percent sign in it"
    assert found("k\\s") == 1, "a backslash is a backslash"
    assert found("Ann") == 2


def test_a_large_xlsx_goes_on_as_many_sheets_as_it_needs_each_with_its_header(
    app, some_gifts, tmp_path, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_ROWS", 3)  # the header and two records a sheet
    monkeypatch.setattr(exports, "BATCH", 2)  # read from the database two at a time
    path = tmp_path / "all.xlsx"
    assert exports.write_xlsx(Filters(), str(path)) == 5, "every record counted, batch by batch"
    book = load_workbook(path)
    assert book.sheetnames == ["Donations", "Donations 2", "Donations 3"]
    for sheet in book.worksheets:
        assert [cell.value for cell in sheet[1]] == COLUMNS
        assert sheet["A1"].font.bold
        assert sheet.freeze_panes == "A2", "the header stays in view"
    assert [sheet.max_row for sheet in book.worksheets] == [3, 3, 2]


def test_an_empty_xlsx_still_has_its_sheet_and_header(app, tmp_path):
    path = tmp_path / "none.xlsx"
    assert exports.write_xlsx(Filters(status="expired"), str(path)) == 0
    book = load_workbook(path)
    assert book.sheetnames == ["Donations"]
    assert [cell.value for cell in book.active[1]] == COLUMNS
    assert book.active["A1"].font.bold


def test_the_records_come_fifty_a_page_newest_first_and_any_page_asked_is_one_there_is(client, app):
    for n in range(51):
        factories.payment(
            email=f"p{n}@example.org",
            first_name=f"Donor{n:02d}",
            paid_at=datetime(2026, 10, 1, 12, n, tzinfo=UTC),
        )
    factories.staff("finance")
    sign_in(client, "finance@example.org")

    def names(**asked) -> list[str]:
        html = client.get("/finance/donations", query_string=asked).get_data(as_text=True)
        return re.findall(r"<td>(Donor\d\d) ", html)

    first = names()
    assert len(first) == 50
    assert first[:2] == ["Donor50", "Donor49"], "newest first"
    assert names(page="2") == ["Donor00"]
    for odd in ("0", "-1", "abc", "1.5", ""):
        assert names(page=odd) == first, odd
    assert names(page="999999") == ["Donor00"], "past the end: the last page"
    assert names(page="1000000") == first
    html = client.get("/finance/donations", query_string={"page": "2"}).get_data(as_text=True)
    assert "Newest first, page 2 of 2" in html
    assert 'rel="prev"' in html
    assert 'rel="next"' not in html


@pytest.mark.parametrize(
    ("role", "sees_names", "may_export"), [("finance", True, True), ("viewer", False, False)]
)
def test_the_records_page_shows_names_and_downloads_only_to_those_who_may(
    client, app, role, sees_names, may_export
):
    factories.payment(first_name="Ada", last_name="Lovelace")
    factories.appeal()
    factories.staff(role)
    sign_in(client, f"{role}@example.org")
    html = client.get("/finance/donations").get_data(as_text=True)
    assert ("Ada Lovelace" in html) is sees_names
    assert ('<th scope="col">Donor</th>' in html) is sees_names
    assert ("export.csv" in html) is may_export
    assert ("export.xlsx" in html) is may_export
    assert 'id="filter-appeal"' in html, "an appeal there is can be chosen"
    assert 'value="winter-appeal"' in html


def test_records_are_listed_by_when_they_were_given_then_by_when_they_were_entered(client, app):
    moment = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    first = factories.payment(email="first@example.org", paid_at=moment)
    second = factories.payment(email="second@example.org", paid_at=moment)  # the same moment
    cheque = factories.offline_gift(received_on=date(2026, 1, 5))  # entered last, given first
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/donations").get_data(as_text=True)
    shown = [
        r
        for r in re.findall(r"D-[A-Z0-9]{8,10}", page)
        if r in {first.reference, second.reference, cheque.reference}
    ]
    order = list(dict.fromkeys(shown))
    assert order == [second.reference, first.reference, cheque.reference]


def test_the_filters_asked_for_are_asked_again_by_the_downloads_and_pages_in_their_own_words(
    client, app
):
    """The page's links repeat the contract's parameters (`from`, `to`, `yes` and `no`), so
    a download holds what the page shows."""
    asked = Filters(start=date(2026, 4, 6), end=date(2026, 11, 30), fund="actimus")
    assert asked.as_query() == {"from": "2026-04-06", "to": "2026-11-30", "fund": "actimus"}
    assert Filters(gift_aid=True).as_query() == {"gift_aid": "yes"}
    assert Filters(gift_aid=False, q="x", q_reaches_people=False).as_query() == {
        "gift_aid": "no",
        "q": "x",
    }
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(
        "/finance/donations", query_string={"from": "2026-04-06", "gift_aid": "no"}
    ).get_data(as_text=True)
    assert 'href="/finance/donations/export.csv?from=2026-04-06&amp;gift_aid=no"' in page


def test_each_record_names_its_own_fund_appeal_and_page(app):
    """Gifts to both funds, paid and not, given through an appeal, a page or neither."""
    winter = factories.appeal("winter", fund_slug="stem-cell-audit")
    ada = factories.fundraiser("ada", given_to=factories.fund("actimus"))
    made = {
        "paid plain": factories.payment("actimus", email="a@example.org"),
        "paid appeal": factories.payment(through=winter, email="b@example.org"),
        "paid page": factories.payment(through=ada, email="c@example.org"),
        "unpaid plain": factories.donation("stem-cell-audit", email="d@example.org"),
    }
    for name, through in (("unpaid appeal", (winter, None)), ("unpaid page", (None, ada))):
        given_to = (through[0] or through[1]).fund
        made[name] = gifts.start_donation(given_to, factories.details(), *through)
    db.session.commit()
    rows = {row.reference: row for row in db.session.execute(listing.records_query(Filters()))}
    named = {
        name: (rows[d.reference].fund, rows[d.reference].appeal, rows[d.reference].fundraiser)
        for name, d in made.items()
    }
    assert named == {
        "paid plain": ("actimus", None, None),
        "paid appeal": ("stem-cell-audit", "winter", None),
        "paid page": ("actimus", None, "ada"),
        "unpaid plain": ("stem-cell-audit", None, None),
        "unpaid appeal": ("stem-cell-audit", "winter", None),
        "unpaid page": ("actimus", None, "ada"),
    }
    by_fund = db.session.execute(listing.records_query(Filters(fund="actimus"))).all()
    assert {row.reference for row in by_fund} == {
        made[name].reference for name in ("paid plain", "paid page", "unpaid page")
    }


def test_records_are_oldest_first_paid_or_not(app):
    january, march = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    later = factories.payment(email="later@example.org", paid_at=march)
    unpaid = factories.donation(email="unpaid@example.org")
    unpaid.created_at = datetime(2026, 2, 5, tzinfo=UTC)
    earlier = factories.payment(email="earlier@example.org", paid_at=january)
    db.session.commit()
    order = [row.reference for row in db.session.execute(listing.records_query(Filters()))]
    assert order == [earlier.reference, unpaid.reference, later.reference]


def test_totals_of_unpaid_records_count_them_and_hold_no_money(app):
    factories.payment(amount_pence=5000, email="paid@example.org", gift_aid=True)
    factories.donation(email="unpaid@example.org")
    unpaid = listing.totals(Filters(status="created"))
    assert unpaid == listing.Totals(1, 0, 0, 0, 0, 0)
    everything = listing.totals(Filters())
    assert (everything.rows, everything.received_pence, everything.gift_aid_pence) == (
        2,
        5000,
        1250,
    )
