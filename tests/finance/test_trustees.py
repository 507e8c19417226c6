"""The trustees' figures: each restricted fund's accounting year, from the charity's own year
end, as a page and an XLSX."""

from datetime import date

import pytest

from donations.finance import trustees
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


@pytest.mark.parametrize("asked", ["1999", "abc", "99999999999", "2100"])
def test_a_year_that_cannot_be_is_the_current_one(app, client, asked):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(f"/finance/trustees?year={asked}")
    assert page.status_code == 200
    assert "1 April 2026 to 31 March 2027" in page.get_data(as_text=True)
