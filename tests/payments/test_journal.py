"""The accounting journal of each Stripe payout: a scripted month through the form, the
sandbox and a payout, read back as Xero's manual journal import would read it."""

import csv
import io
import json
import re
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from donations.extensions import db
from donations.funds.models import Fund
from donations.ledger.models import EntryKind, LedgerEntry
from donations.payments.gateway import gateway
from donations.payments.journal import HEADER
from donations.staff.audit import AuditEntry
from donations.uk_time import uk_today
from tests import factories
from tests.payments import stripe_shapes
from tests.support import a_year_of_gifts, give, sign_in

XERO_DATE = re.compile(r"(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/20[0-9]{2}")
XERO_AMOUNT = re.compile(r"-?[0-9]+\.[0-9]{2}")


def by_narration(row: dict) -> str:
    return row["Narration"]


def pence(text: str) -> int:
    return int(Decimal(text) * 100)


def payout_made(runner) -> dict:
    result = runner.invoke(args=["sandbox", "payout"])
    assert result.exit_code == 0, result.output
    payout_id = re.search(r"po_test_\w+", result.output)[0]
    return gateway().retrieve_payout(payout_id)


def journal_rows(client, payout_id: str) -> list[dict]:
    response = client.get(f"/finance/payouts/{payout_id}/journal.csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert f'filename="journal-{payout_id}.csv"' in response.headers["Content-Disposition"]
    reader = csv.reader(io.StringIO(response.get_data(as_text=True)))
    header, *rows = list(reader)
    assert tuple(header) == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def online_ledger_by_fund(entry_ids: set[int] | None = None) -> dict[str, int]:
    """What the ledger holds for each fund from online money (everything but offline gifts)."""
    query = (
        select(Fund.name, func.sum(LedgerEntry.amount_pence))
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .where(LedgerEntry.kind != EntryKind.OFFLINE)
        .group_by(Fund.name)
    )
    if entry_ids is not None:
        query = query.where(LedgerEntry.id.in_(entry_ids))
    return dict(db.session.execute(query).all())


def by_fund(rows: list[dict], *descriptions: str) -> dict[str, int]:
    """Money to each fund, as income is positive: minus the lines' debits and credits."""
    summed = defaultdict(int)
    for row in rows:
        if row["Description"].split(":")[0] in descriptions:
            summed[row["TrackingOption1"]] -= pence(row["Amount"])
    return dict(summed)


def test_each_payout_of_a_scripted_month_balances_and_its_funds_agree_with_the_ledger(
    client, runner, app
):
    a_year_of_gifts(client, runner)  # leaves finance staff signed in
    first = payout_made(runner)
    db.session.rollback()
    in_first = online_ledger_by_fund()
    cover = db.session.execute(
        select(func.sum(LedgerEntry.fee_cover_pence)).where(LedgerEntry.kind == EntryKind.PAYMENT)
    ).scalar_one()
    rows = journal_rows(client, first["id"])

    assert sum(pence(row["Amount"]) for row in rows) == 0, "debits equal credits"
    bank = [row for row in rows if row["AccountCode"] == "090"]
    assert [pence(row["Amount"]) for row in bank] == [first["amount"]], "the bank line"
    assert bank[0]["TrackingOption1"] == "", "the bank's line is no one fund's"
    # gifts less refunds and disputes, fund by fund, are what the ledger says of the same money
    assert by_fund(rows, "Gifts", "Refunds", "Disputes") == in_first
    assert set(in_first) == {"ACTiMuS trial", "UK MS stem cell service audit"}
    assert -sum(pence(r["Amount"]) for r in rows if r["AccountCode"] == "260") == cover > 0
    fees = sum(t["fee"] for t in gateway().list_balance_transactions(payout_id=first["id"]))
    assert sum(pence(r["Amount"]) for r in rows if r["AccountCode"] == "404") == fees > 0
    assert not [row for row in rows if row["AccountCode"] == "9999"], "nothing unknown"
    assert "offline" not in str(rows).lower()
    assert "Seacole" not in str(rows)

    # a later gift is the next payout's, and only its
    before = set(db.session.execute(select(LedgerEntry.id)).scalars())
    give(client, fund="stem-cell-audit", amount="25", email="later@example.org")
    second = payout_made(runner)
    db.session.rollback()
    new = set(db.session.execute(select(LedgerEntry.id)).scalars()) - before
    later = journal_rows(client, second["id"])
    assert sum(pence(row["Amount"]) for row in later) == 0
    assert by_fund(later, "Gifts", "Refunds", "Disputes") == online_ledger_by_fund(new)
    assert by_fund(later, "Gifts") == {"UK MS stem cell service audit": 2500}
    assert [pence(r["Amount"]) for r in later if r["AccountCode"] == "090"] == [second["amount"]]

    # the period's file holds both payouts, each its own journal, line for line the same
    out = app.instance_path + "/journal.csv"
    today = uk_today().isoformat()
    result = runner.invoke(args=["exports", "journal", "--from", today, "--to", today, "-o", out])
    assert result.exit_code == 0, result.output
    assert f"2 payouts, {len(rows) + len(later)} lines" in result.output
    with open(out, newline="", encoding="utf-8") as written:
        in_file = list(csv.DictReader(written))
    assert sorted(in_file, key=by_narration) == sorted(rows + later, key=by_narration)
    assert len({row["Narration"] for row in in_file}) == 2, "a journal a payout"
    db.session.rollback()
    exported = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
    ).scalars()
    assert [json.loads(entry.detail)["format"] for entry in exported] == ["journal"] * 3


def test_the_journal_is_in_the_shape_xeros_manual_journal_import_takes(client, runner, app):
    give(client, amount="25", cover_fees="y", email="a@example.org")
    give(client, fund="stem-cell-audit", amount="50", email="b@example.org")
    payout = payout_made(runner)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    rows = journal_rows(client, payout["id"])

    assert HEADER == (
        "Narration",
        "Date",
        "Description",
        "AccountCode",
        "TaxRate",
        "Amount",
        "TrackingName1",
        "TrackingOption1",
    )
    assert {row["Narration"] for row in rows} == {f"Stripe payout {payout['id']}"}
    assert {row["Date"] for row in rows} == {uk_today().strftime("%d/%m/%Y")}
    assert all(XERO_DATE.fullmatch(row["Date"]) for row in rows)
    assert all(XERO_AMOUNT.fullmatch(row["Amount"]) for row in rows)
    assert {row["TaxRate"] for row in rows} == {"No VAT"}
    # a debit is positive and a credit negative: gifts in, fees and the bank out
    signs = {row["Description"].split(":")[0]: pence(row["Amount"]) > 0 for row in rows}
    assert signs == {
        "Gifts": False,
        "Fee cover given by donors": False,
        "Stripe fees": True,
        "Stripe payout to the bank": True,
    }
    funded = [row for row in rows if row["TrackingOption1"]]
    assert {row["TrackingName1"] for row in funded} == {"Restricted fund"}
    assert {row["TrackingOption1"] for row in funded} == {
        "ACTiMuS trial",
        "UK MS stem cell service audit",
    }
    assert len(rows) <= 300, "Xero takes at most 300 lines a file"


def test_account_codes_tax_rate_and_tracking_name_are_the_charitys_settings(
    make_app, reset_database
):
    app = make_app(
        JOURNAL_ACCOUNTS={
            "gifts": "4000",
            "fee_cover": "4010",
            "refunds": "4020",
            "disputes": "4030",
            "stripe_fees": "7600",
            "bank": "1200",
            "unmatched": "9998",
        },
        JOURNAL_TAX_RATE="Exempt",
        JOURNAL_TRACKING_NAME="Fund",
    )
    reset_database(app)
    with app.app_context():
        client, runner = app.test_client(), app.test_cli_runner()
        give(client, amount="25", email="a@example.org")
        payout = payout_made(runner)
        factories.staff("finance")
        sign_in(client, "finance@example.org")
        rows = journal_rows(client, payout["id"])
    assert [(r["AccountCode"], r["TaxRate"], r["TrackingName1"]) for r in rows] == [
        ("4000", "Exempt", "Fund"),
        ("7600", "Exempt", "Fund"),
        ("1200", "Exempt", ""),
    ]


def test_a_fund_named_like_a_formula_is_written_as_words(client, runner, app):
    db.session.execute(
        Fund.__table__.update().where(Fund.slug == "actimus").values(name="=HYPERLINK(1)")
    )
    db.session.commit()
    give(client, amount="25", email="a@example.org")
    payout = payout_made(runner)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    rows = journal_rows(client, payout["id"])
    assert {row["TrackingOption1"] for row in rows} == {"'=HYPERLINK(1)", ""}
    assert all(not row["Description"].startswith("=") for row in rows)


def test_a_viewer_has_no_journal(client, runner, app):
    give(client, amount="25", email="a@example.org")
    payout = payout_made(runner)
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    assert client.get(f"/finance/payouts/{payout['id']}/journal.csv").status_code == 403
    assert "journal" not in client.get("/finance/payouts").get_data(as_text=True)


def test_a_journal_is_only_ever_of_a_payout_there_is(client, runner, app):
    give(client, amount="25", email="a@example.org")
    payout = payout_made(runner)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    assert client.get("/finance/payouts/po_test_nothing/journal.csv").status_code == 404
    assert client.get("/finance/payouts/ch_123/journal.csv").status_code == 404
    assert client.get("/finance/payouts/po_%0d%0a/journal.csv").status_code == 404
    page = client.get("/finance/payouts").get_data(as_text=True)
    assert f'href="/finance/payouts/{payout["id"]}/journal.csv"' in page


def test_the_command_refuses_a_period_backwards_or_another_kind_of_file(runner, app, tmp_path):
    backwards = ["--from", "2026-11-30", "--to", "2026-11-01", "-o", str(tmp_path / "j.csv")]
    result = runner.invoke(args=["exports", "journal", *backwards])
    assert result.exit_code == 2
    assert "the last day is before the first" in result.output
    wrong = ["--from", "2026-11-01", "--to", "2026-11-30", "-o", str(tmp_path / "j.xlsx")]
    result = runner.invoke(args=["exports", "journal", *wrong])
    assert result.exit_code == 2
    assert "the file must end .csv" in result.output
    result = runner.invoke(
        args=["exports", "journal", "--from", "1/11/2026", "--to", "x", "-o", "j"]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert not (tmp_path / "j.csv").exists()


def published(kind: str, **fields) -> dict:
    """A Stripe object in the whole shape Stripe publishes (tests/payments/stripe_shapes)."""
    return {**getattr(stripe_shapes, kind)(), **fields}


def test_money_in_a_stripe_payout_that_is_not_ours_goes_to_suspense_named(
    stripe_client, fake_stripe
):
    """Stripe's own payout and balance transaction shapes: a charge these records never saw
    is not dropped, and the journal still balances with the bank line the payout."""
    payout = published("payout", id="po_1Stranger", amount=4805, arrival_date=1796601600)
    fake_stripe.lists["payouts"] = [payout]
    fake_stripe.lists["balance_transactions"] = [
        published(
            "balance_transaction",
            id="txn_1Stranger",
            amount=5000,
            fee=195,
            net=4805,
            source="ch_1Stranger",
            payout="po_1Stranger",
        ),
        published(
            "balance_transaction",
            id="txn_1Out",
            type="payout",
            reporting_category="payout",
            amount=-4805,
            fee=0,
            net=-4805,
            source="po_1Stranger",
            payout="po_1Stranger",
        ),
    ]
    factories.staff("finance")
    sign_in(stripe_client, "finance@example.org")
    rows = journal_rows(stripe_client, "po_1Stranger")
    assert [(r["Description"], r["AccountCode"], r["Amount"]) for r in rows] == [
        ("Not in our records (to look into)", "9999", "-48.05"),
        ("Stripe payout to the bank", "090", "48.05"),
    ]
    assert {row["Date"] for row in rows} == {"07/12/2026"}, "the day it reached the bank"
    assert client_asked(fake_stripe, "/v1/payouts/po_1Stranger")


def test_a_payout_stripe_does_not_know_is_not_found(stripe_client, fake_stripe):
    factories.staff("finance")
    sign_in(stripe_client, "finance@example.org")
    assert stripe_client.get("/finance/payouts/po_1Nothing/journal.csv").status_code == 404


def client_asked(fake_stripe, path: str) -> bool:
    return any(request["path"].startswith(path) for request in fake_stripe.requests)
