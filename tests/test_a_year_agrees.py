"""A scripted year of gifts, through the form, the sandbox and the finance area: every figure
the platform shows of it agrees to the penny (the fund API, `totals check`, the dashboard,
the records' totals, the CSV and XLSX, and the Gift Aid claim preview)."""

import csv
import io
import time
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from donations.claims import services as claims
from donations.extensions import db
from donations.finance import dashboard, listing
from donations.funds.models import Fund
from donations.gifts.models import Donation
from donations.ledger.totals import drift, recompute
from donations.uk_time import uk_today
from tests import factories
from tests.support import give, sandbox_pay, sign_in, staff_post, submit_gift

GIFT_AID = {"gift_aid": "y", "house": "1", "postcode": "SW1A 1AA"}


def reference_of(email: str) -> str:
    db.session.rollback()
    return db.session.execute(select(Donation.reference).where(Donation.email == email)).scalar()


def sandbox(runner, *args) -> None:
    result = runner.invoke(args=["sandbox", *args])
    assert result.exit_code == 0, result.output


def a_year_of_gifts(client, runner) -> None:
    give(client, amount="50", cover_fees="y", email="card@example.org", **GIFT_AID)
    sandbox(runner, "refund", reference_of("card@example.org"), "--amount", "5")
    sandbox(runner, "refund", reference_of("card@example.org"), "--amount", "7.50")
    bacs = submit_gift(client, amount="other", other_amount="40", email="bacs@example.org")
    sandbox_pay(
        client,
        bacs.headers["Location"],
        method="bacs",
        card_number="",
        account_holder="Ada Lovelace",
        sort_code="10-88-00",
        account_number="00012345",
    )
    sandbox(runner, "settle", reference_of("bacs@example.org"))
    give(client, frequency="monthly", amount="10", email="monthly@example.org", **GIFT_AID)
    sandbox(runner, "renew", reference_of("monthly@example.org"))
    give(client, frequency="annual", amount="100", email="yearly@example.org", **GIFT_AID)
    sandbox(runner, "renew", reference_of("yearly@example.org"))
    give(client, fund="stem-cell-audit", amount="other", other_amount="30", email="l@example.org")
    sandbox(runner, "dispute", reference_of("l@example.org"))
    give(client, amount="other", other_amount="20", email="w@example.org", **GIFT_AID)
    sandbox(runner, "dispute", reference_of("w@example.org"), "--won")

    factories.staff("finance")
    sign_in(client, "finance@example.org")
    cheque = {
        "fund": "stem-cell-audit",
        "amount": "25.00",
        "received_on": uk_today().isoformat(),
        "method": "cheque",
        "receipt_reference": "CHQ-1",
        "first_name": "Mary",
        "last_name": "Seacole",
        "gift_aid": "yes",
        "declaration_date": uk_today().isoformat(),
        "house": "14",
        "postcode": "SW1A 1AA",
    }
    assert staff_post(client, "/finance/offline", cheque, "/finance/offline").status_code == 303
    # the monthly donor stops Gift Aid part way: the next month carries none
    monthly = db.session.execute(
        select(Donation).where(Donation.email == "monthly@example.org")
    ).scalar_one()
    page = f"/finance/donations/{monthly.reference}"
    cancel = f"/finance/gift-aid/declarations/{monthly.declaration_id}/cancel"
    assert staff_post(client, cancel, {"effective": "", "back": page}, page).status_code == 303
    time.sleep(1.1)  # Stripe dates a payment to the second: the next one is after the cancellation
    sandbox(runner, "renew", monthly.reference)


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
