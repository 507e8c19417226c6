"""The trustees' figures: each restricted fund's accounting year, from the charity's own year
end, as a page and an XLSX."""

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from donations.claims import services as claims
from donations.extensions import db
from donations.finance import trustees
from donations.gifts import reversals
from donations.uk_time import uk_midnight, uk_today
from tests import factories
from tests.support import sign_in


def cheque(reference: str, amount_pence: int, on: date, fund: str = "actimus") -> None:
    factories.offline_gift(
        fund, receipt_reference=reference, amount_pence=amount_pence, received_on=on
    )


@pytest.mark.parametrize(
    ("year_end", "year", "bounds"),
    [
        ("03-31", 2026, (date(2025, 4, 1), date(2026, 3, 31))),
        ("12-31", 2025, (date(2025, 1, 1), date(2025, 12, 31))),
        ("04-05", 2026, (date(2025, 4, 6), date(2026, 4, 5))),
        ("01-01", 2026, (date(2025, 1, 2), date(2026, 1, 1))),
        ("01-31", 2026, (date(2025, 2, 1), date(2026, 1, 31))),
    ],
)
def test_the_accounting_year_is_the_charitys_own(make_app, year_end, year, bounds):
    app = make_app(ACCOUNTING_YEAR_END=year_end)
    with app.app_context():
        assert trustees.year_bounds(year) == bounds


def test_a_gift_falls_in_the_year_of_its_day(app):
    cheque("CHQ-1", 1000, date(2026, 3, 31))
    cheque("CHQ-2", 2000, date(2026, 4, 1))
    cheque("CHQ-3", 4000, date(2026, 4, 1), fund="stem-cell-audit")
    earlier = {f.name: f.offline_pence for f in trustees.figures(2026)}
    later = {f.name: f.offline_pence for f in trustees.figures(2027)}
    assert earlier == {"ACTiMuS trial": 1000, "UK MS stem cell service audit": 0}
    assert later == {"ACTiMuS trial": 2000, "UK MS stem cell service audit": 4000}
    assert trustees.total(trustees.figures(2027)).net_pence == 6000


def test_a_viewer_sees_the_figures_but_downloads_nothing(app, client):
    cheque("CHQ-1", 1000, date(2026, 11, 1))
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    page = client.get("/finance/trustees?year=2027").get_data(as_text=True)
    assert "1 April 2026 to 31 March 2027" in page
    assert "£10.00" in page
    assert "trustees.xlsx" not in page
    assert client.get("/finance/trustees.xlsx?year=2027").status_code == 403


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("", "1 April 2026 to 31 March 2027"),
        ("?year=2027", "1 April 2026 to 31 March 2027"),
        ("?year=2025", "1 April 2024 to 31 March 2025"),
        ("?year=2000", "1 April 1999 to 31 March 2000"),
    ],
)
def test_the_year_asked_for_is_shown_from_2000_to_this_one(app, client, asked, shown):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(f"/finance/trustees{asked}").get_data(as_text=True)
    assert f"for the trustees' annual report and the accounts: {shown}.</p>" in page
    assert f'<caption id="trustees-caption">Restricted funds, {shown}</caption>' in page


@pytest.mark.parametrize("asked", ["1999", "abc", "99999999999", "2100"])
def test_a_year_that_cannot_be_is_the_current_one(app, client, asked):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(f"/finance/trustees?year={asked}")
    assert page.status_code == 200
    assert "1 April 2026 to 31 March 2027" in page.get_data(as_text=True)


def test_the_xlsx_is_one_sheet_of_pounds_with_its_heading_and_net_in_bold(app, client):
    cheque("CHQ-1", 123_456, date(2026, 11, 1))
    fund = factories.fund("stem-cell-audit")
    fund.name = "=HYPERLINK(1)"  # a name typed by staff is shown, never run
    db.session.commit()
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    download = client.get("/finance/trustees.xlsx?year=2027")
    book = openpyxl.load_workbook(io.BytesIO(download.get_data()))
    assert book.sheetnames == ["Restricted funds"]
    sheet = book["Restricted funds"]
    assert sheet["A1"].value == "Restricted funds, 1 April 2026 to 31 March 2027"
    assert sheet["A1"].font.b
    assert [cell.value for cell in sheet[3]] == [
        "",
        "=HYPERLINK(1)",
        "ACTiMuS trial",
        "All restricted funds",
    ]
    assert sheet["B3"].data_type == "s"
    assert all(cell.font.b for cell in sheet[3][1:])
    lines = {row[0].value: row[1:] for row in sheet.iter_rows(min_row=4)}
    offline, net = lines["Gifts by cheque, cash and transfer"], lines["Net to the fund"]
    assert [cell.value for cell in offline] == [0, 1234.56, 1234.56]
    assert {cell.number_format for row in lines.values() for cell in row} == {
        "£#,##0.00;-£#,##0.00"
    }
    assert all(cell.font.b for cell in net)
    assert not any(cell.font.b for cell in offline)
    assert not lines["Refunds"][0].font.b
    labels_bold = {row[0].value: bool(row[0].font.b) for row in sheet.iter_rows(min_row=4)}
    assert [label for label, bold in labels_bold.items() if bold] == ["Net to the fund"]
    assert sheet["A3"].font.b, "the header row is bold from its first cell"
    # wide enough for the longest label, and each fund's column for its figures
    first, figures = sheet.column_dimensions["A"], sheet.column_dimensions["B"]
    assert (first.min, first.max, int(first.width)) == (1, 1, 34)
    assert (figures.min, figures.max, int(figures.width)) == (2, 4, 22), "B to D, no further"


def test_gift_aid_is_what_submitted_claims_got_for_the_years_gifts_less_what_is_owed_back(app):
    """Per fund: the tax of each gift of the year on a submitted claim, less what a refund
    since made owed back; a draft claim's gifts count for nothing yet."""
    today = uk_today()
    kept = factories.payment(amount_pence=4000, gift_aid=True, email="a@example.org")
    refunded = factories.payment(
        "stem-cell-audit", amount_pence=2000, gift_aid=True, email="b@example.org"
    )
    claims.mark_submitted(claims.create(today, today, "f@example.org"), "f@example.org")
    db.session.commit()
    factories.refund(refunded, 1000)
    factories.refund(kept, 2000)
    factories.payment(amount_pence=8000, gift_aid=True, email="c@example.org")
    claims.create(today, today, "f@example.org")  # a draft, holding what the refund owes back
    db.session.commit()
    year = trustees.accounting_period_end(today).year
    gift_aid = {found.name: found.gift_aid_pence for found in trustees.figures(year)}
    assert gift_aid == {"ACTiMuS trial": 1000 - 500, "UK MS stem cell service audit": 500 - 250}


def test_a_year_runs_from_the_first_moment_of_its_first_day_to_the_last_of_its_last(app):
    first_moment = uk_midnight(date(2026, 4, 1))
    factories.payment(amount_pence=1000, paid_at=first_moment, email="first@example.org")
    factories.payment(
        amount_pence=2000, paid_at=first_moment - timedelta(seconds=1), email="last@example.org"
    )
    online = {f.name: f.online_pence for f in trustees.figures(2027)}["ACTiMuS trial"]
    before = {f.name: f.online_pence for f in trustees.figures(2026)}["ACTiMuS trial"]
    assert (before, online) == (2000, 1000)


def test_a_refund_that_failed_gives_back_what_it_took_from_the_refunds_line(app):
    paid = factories.payment(amount_pence=5000, email="a@example.org")
    factories.refund(paid, 2000, source_ref="re_failed")
    factories.refund(paid, 500, source_ref="re_kept")
    reversals.refund_failed("re_failed")
    db.session.commit()
    year = trustees.accounting_period_end(uk_today()).year
    (actimus,) = [f for f in trustees.figures(year) if f.name == "ACTiMuS trial"]
    assert (actimus.online_pence, actimus.refunds_pence, actimus.net_pence) == (5000, 500, 4500)


def test_stripes_fees_are_each_funds_own_for_the_years_payments(app):
    this_year = factories.payment(amount_pence=5000, email="a@example.org")
    audit = factories.payment("stem-cell-audit", amount_pence=3000, email="b@example.org")
    long_ago = factories.payment(
        amount_pence=4000, email="c@example.org", paid_at=datetime(2025, 5, 1, tzinfo=UTC)
    )
    factories.settled(factories.payment_entry(this_year), 95, 4905)
    factories.settled(factories.payment_entry(audit), 65, 2935)
    factories.settled(factories.payment_entry(long_ago), 80, 3920)
    db.session.commit()
    fees = {f.name: f.stripe_fees_pence for f in trustees.figures(2027)}
    assert fees == {"ACTiMuS trial": 95, "UK MS stem cell service audit": 65}


def test_gift_aid_counts_only_the_gifts_of_the_year_on_a_claim_that_spans_two(app):
    factories.payment(
        amount_pence=4000,
        gift_aid=True,
        email="a@example.org",
        paid_at=datetime(2025, 6, 2, 12, tzinfo=UTC),
    )
    factories.payment(amount_pence=2000, gift_aid=True, email="b@example.org")
    made = claims.create(date(2025, 6, 1), uk_today(), "f@example.org")
    claims.mark_submitted(made, "f@example.org")
    db.session.commit()
    now = {f.name: f.gift_aid_pence for f in trustees.figures(2027)}["ACTiMuS trial"]
    then = {f.name: f.gift_aid_pence for f in trustees.figures(2026)}["ACTiMuS trial"]
    assert (then, now) == (1000, 500)
