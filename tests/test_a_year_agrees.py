"""A scripted year of gifts, through the form, the sandbox and the finance area: every figure
the platform shows of it agrees to the penny (the fund API, `totals check`, the dashboard,
the records' totals, the CSV and XLSX, and the Gift Aid claim preview)."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from donations.claims import services as claims
from donations.claims.eligibility import accounting_period_end
from donations.extensions import db
from donations.finance import dashboard, listing, trustees
from donations.funds.models import Fund
from donations.gifts.models import Donation
from donations.ledger.totals import drift, recompute
from donations.money import format_gbp
from donations.payments.models import ProviderPayment
from donations.uk_time import uk_today
from tests.support import a_year_of_gifts


def summed(rows, column: str) -> int:
    return int(sum(Decimal(str(row[column] or 0)) for row in rows) * 100)


def test_a_scripted_year_agrees_to_the_penny_everywhere(client, runner, app):
    a_year_of_gifts(client, runner)
    db.session.rollback()
    assert drift() == [], "totals check: the running totals are what the ledger says"

    api = client.get("/api/funds").get_json()["funds"]
    raised = sum(fund["raised_pence"] for fund in api)
    gift_aid = sum(fund["gift_aid_pence"] for fund in api)
    # card 50 - 12.50, Bacs 40, three months of 10, two years of 100, a dispute lost (30 - 30),
    # one won (20), the cheque 25
    assert raised == 3750 + 4000 + 3 * 1000 + 2 * 10000 + 0 + 2000 + 2500
    # Gift Aid on the card's 37.50, two months (the third came after the cancellation), two
    # years, the dispute won's 20 and the cheque's 25
    assert gift_aid == (3750 + 2 * 1000 + 2 * 10000 + 2000 + 2500) // 4
    fresh = [recompute(fund_id) for fund_id in fund_ids()]
    assert sum(f["raised_pence"] for f in fresh) == raised
    assert sum(f["gift_aid_pence"] for f in fresh) == gift_aid

    today = uk_today()
    figures = dashboard.figures(today)
    assert sum(f.year.raised_pence for f in figures) == raised
    assert sum(f.year.gift_aid_pence for f in figures) == gift_aid
    assert sum(f.month.raised_pence for f in figures) == raised, "all of it this month"

    totals = listing.totals(listing.Filters())
    assert (totals.kept_pence, totals.gift_aid_pence) == (raised, gift_aid)
    assert totals.refunded_pence == 1250
    assert totals.disputed_pence == 3000

    exported = client.get("/finance/donations/export.csv").get_data().decode("utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(exported)) if row["status"] == "paid"]
    kept = summed(rows, "amount") - summed(rows, "refunded") - summed(rows, "disputed")
    assert (kept, summed(rows, "gift_aid_amount")) == (raised, gift_aid)
    assert (
        summed(rows, "fees_covered")
        == db.session.execute(
            select(Donation.fee_cover_pence).where(Donation.email == "card@example.org")
        ).scalar_one()
    )
    workbook = client.get("/finance/donations/export.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(workbook), read_only=True).active
    header, *cells = list(sheet.iter_rows(values_only=True))
    sheet_rows = [dict(zip(header, row, strict=True)) for row in cells if row[4] == "paid"]
    kept = (
        summed(sheet_rows, "amount")
        - summed(sheet_rows, "refunded")
        - summed(sheet_rows, "disputed")
    )
    assert (kept, summed(sheet_rows, "gift_aid_amount")) == (raised, gift_aid)

    preview = claims.preview(today, today)
    assert sum(gift.assessment.gift_aid_pence for gift in preview) == gift_aid
    assert all(gift.assessment.eligible for gift in preview if gift.assessment.gift_aid_pence)


def fund_ids() -> list[int]:
    return list(db.session.execute(select(Fund.id)).scalars())


def test_the_trustees_figures_of_a_scripted_year_agree_to_the_penny(client, runner, app):
    a_year_of_gifts(client, runner)
    result = runner.invoke(args=["sandbox", "payout"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["payments", "payouts", "--since", "2026-01-01"]).exit_code == 0
    today = uk_today()
    made = claims.create(date(today.year - 1, 4, 6), today, "finance@example.org")
    claims.mark_submitted(made, "finance@example.org")
    db.session.commit()

    year = accounting_period_end(today).year
    found = trustees.figures(year)
    api = client.get("/api/funds").get_json()["funds"]
    raised = sum(fund["raised_pence"] for fund in api)
    kept = sum(f.online_pence + f.offline_pence - f.refunds_pence - f.disputes_pence for f in found)
    assert kept == raised
    assert sum(f.offline_pence for f in found) == 2500
    assert sum(f.refunds_pence for f in found) == 1250
    assert sum(f.disputes_pence for f in found) == 3000, "one lost; the one won came back"
    cover = db.session.execute(select(func.sum(Donation.fee_cover_pence))).scalar_one()
    assert sum(f.fee_cover_pence for f in found) == cover > 0
    fees = db.session.execute(select(func.sum(ProviderPayment.fee_pence))).scalar_one()
    assert sum(f.stripe_fees_pence for f in found) == fees > 0
    assert sum(f.gift_aid_pence for f in found) == sum(i.gift_aid_pence for i in made.items) > 0
    total = trustees.total(found)
    assert total.net_pence == (raised + cover + total.gift_aid_pence - fees), (
        "net: what was kept, the fee cover and Gift Aid, less fees"
    )

    page = client.get(f"/finance/trustees?year={year}").get_data(as_text=True)
    assert format_gbp(total.net_pence) in page
    workbook = client.get(f"/finance/trustees.xlsx?year={year}").get_data()
    sheet = load_workbook(io.BytesIO(workbook)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}
    net = rows["Net to the fund"]
    assert [Decimal(str(v)) * 100 for v in net] == [Decimal(f.net_pence) for f in [*found, total]]
    assert Decimal(str(rows["Refunds"][-1])) * 100 == -1250
