"""The sandbox does what Stripe does, through the same webhook handlers: renewals, refunds,
disputes, payouts, expiry, the donor's portal, and events retried after a failure."""

import re
import time

from sqlalchemy import select

from donations.extensions import db
from donations.gifts import links
from donations.gifts.models import Donation, DonationStatus, Plan, PlanStatus
from donations.ledger.models import LedgerEntry
from donations.ledger.totals import drift
from donations.payments.webhooks import registry
from donations.receipts.models import OutboxMessage
from donations.sandbox.models import SandboxObject
from tests.support import (
    count,
    fund_totals,
    give,
    sandbox_pay,
    sandbox_pay_by_direct_debit,
    submit_gift,
)

TODAY = time.strftime("%Y-%m-%d")


def movements() -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars()
    return [(row.kind, row.amount_pence) for row in rows]


def reference() -> str:
    return (
        db.session.execute(select(Donation.reference).order_by(Donation.id.desc()))
        .scalars()
        .first()
    )


def sandbox(runner, *args) -> str:
    result = runner.invoke(args=["sandbox", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_monthly_gift_is_renewed_each_month_with_a_receipt_and_gift_aid(client, runner):
    give(client, frequency="monthly", amount="10", gift_aid="y", house="1", postcode="M1 1AE")
    gift = reference()
    sandbox(runner, "renew", gift)
    sandbox(runner, "renew", gift)
    assert movements() == [("payment", 1000)] * 3
    assert count(OutboxMessage) == 3, "each month gets its receipt"
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.gift_aid_pence, totals.donation_count) == (3000, 750, 3)
    plan = db.session.execute(select(Plan)).scalar_one()
    assert plan.status == PlanStatus.ACTIVE

    sandbox(runner, "renew", gift, "--failing")
    db.session.expire_all()
    assert db.session.execute(select(Plan.status)).scalar_one() == PlanStatus.PAST_DUE
    assert movements() == [("payment", 1000)] * 3, "a failed month records nothing"
    sandbox(runner, "renew", gift)
    db.session.expire_all()
    assert db.session.execute(select(Plan.status)).scalar_one() == PlanStatus.ACTIVE
    assert drift() == []


def test_refunds_in_part_and_in_full_and_never_more_than_remains(client, runner):
    give(client, amount="25", cover_fees="y")  # £25 + £0.59
    gift = reference()
    assert "Refund re_test_" in sandbox(runner, "refund", gift, "--amount", "10")
    sandbox(runner, "refund", gift)  # all that remains: £15.59, of which £15 is the gift
    assert movements() == [("payment", 2500), ("refund", -1000), ("refund", -1500)]
    refused = runner.invoke(args=["sandbox", "refund", gift, "--amount", "1"])
    assert refused.exit_code != 0
    assert "more than the 0 that remains" in refused.output
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.donor_count, totals.donation_count) == (0, 0, 0)
    assert drift() == []


def test_disputes_lost_and_won(client, runner):
    give(client, amount="25", email="lost@example.org")
    sandbox(runner, "dispute", reference())
    give(client, amount="other", other_amount="20", email="won@example.org")
    sandbox(runner, "dispute", reference(), "--won")
    assert movements() == [
        ("payment", 2500),
        ("dispute", -2500),
        ("payment", 2000),
        ("dispute", -2000),
        ("dispute_won", 2000),
    ]
    assert fund_totals("actimus").raised_pence == 2000
    assert drift() == []


def test_a_sandbox_payout_matches_to_the_penny(client, runner):
    give(client, amount="25", email="a@example.org")
    give(client, amount="50", email="b@example.org")
    sandbox(runner, "refund", reference(), "--amount", "5")
    assert "Payout po_test_" in sandbox(runner, "payout")
    result = runner.invoke(args=["payments", "payouts", "--since", TODAY])
    assert result.exit_code == 0, result.output
    assert "difference £0.00: matches" in result.output
    fees = runner.invoke(args=["payments", "reconcile", "--since", TODAY, "--yes"])
    assert fees.exit_code == 0, fees.output


def test_an_unpaid_checkout_expires(client, runner):
    submit_gift(client)
    sandbox(runner, "expire", reference())
    db.session.expire_all()
    assert db.session.execute(select(Donation.status)).scalar_one() == DonationStatus.EXPIRED


def test_a_donor_stops_their_monthly_gift_from_the_link_on_the_thank_you_page(client, runner):
    checkout = submit_gift(client, frequency="monthly", amount="10").headers["Location"]
    thanks = client.get(sandbox_pay(client, checkout).headers["Location"]).get_data(as_text=True)
    manage = re.search(r'href="(http://localhost/donate/manage/[^"]+)"', thanks)[1]
    portal = client.get(manage.replace("http://localhost", ""))
    assert portal.status_code == 303
    page = client.get(portal.headers["Location"])
    html = page.get_data(as_text=True)
    assert "£10.00 a month" in html
    subscription = re.search(r'name="subscription" value="([^"]+)"', html)[1]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    asked = client.post(
        portal.headers["Location"],
        data={"csrf_token": csrf, "subscription": subscription, "action": "stop"},
    )
    question = asked.get_data(as_text=True)
    assert "Stop your monthly gift of £10.00?" in question, "as Stripe's portal, it asks first"
    assert "No, keep my monthly gift" in question
    db.session.expire_all()
    assert db.session.execute(select(Plan.status)).scalar_one() == PlanStatus.ACTIVE
    stopped = client.post(
        portal.headers["Location"],
        data={"csrf_token": csrf, "subscription": subscription, "action": "stop-confirmed"},
    )
    assert "Your monthly gift is stopped" in stopped.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(Plan.status)).scalar_one() == PlanStatus.CANCELLED
    refused = runner.invoke(args=["sandbox", "renew", reference()])
    assert refused.exit_code != 0


def test_a_link_that_is_not_ours_or_too_old_opens_nothing(client, app, monkeypatch):
    assert client.get("/donate/manage/not-a-real-token").status_code == 404
    give(client, frequency="monthly", amount="10")
    token = links.manage_token(db.session.execute(select(Donation)).scalar_one())
    monkeypatch.setattr(links, "MAX_AGE_SECONDS", -1)
    expired = client.get(f"/donate/manage/{token}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)


def test_an_event_the_handler_failed_on_is_delivered_again(client, runner, monkeypatch):
    give(client, frequency="monthly", amount="10")
    gift = reference()
    real = registry.HANDLERS["invoice.paid"]

    def broken(invoice):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(registry.HANDLERS, "invoice.paid", broken)
    sandbox(runner, "renew", gift)
    assert movements() == [("payment", 1000)], "the month is paid at Stripe, not yet here"
    monkeypatch.setitem(registry.HANDLERS, "invoice.paid", real)
    assert "1 delivered." in sandbox(runner, "deliver")
    assert movements() == [("payment", 1000), ("payment", 1000)]
    assert "0 delivered." in sandbox(runner, "deliver")


def stripe_fees() -> list[tuple[int, int]]:
    """(amount, fee) of every payment's balance transaction the sandbox kept, as Stripe's,
    in the order they were made."""
    rows = db.session.execute(
        select(SandboxObject)
        .where(SandboxObject.kind == "balance_transaction")
        .order_by(SandboxObject.created_at)
    ).scalars()
    return [(row.data["amount"], row.data["fee"]) for row in rows if row.data["type"] == "charge"]


def bacs_gift(client, runner, **fields) -> str:
    response = submit_gift(client, **fields)
    location = response.headers["Location"]
    paid = sandbox_pay_by_direct_debit(client, location)
    assert paid.status_code == 303
    gift = reference()
    sandbox(runner, "settle", gift)
    return gift


def test_a_direct_debit_costs_stripes_bacs_price_not_the_cards(client, runner):
    give(client, amount="other", other_amount="30")
    bacs_gift(client, runner, amount="other", other_amount="30")
    bacs_gift(client, runner, amount="other", other_amount="1000")
    monthly = bacs_gift(client, runner, frequency="monthly", amount="10")
    sandbox(runner, "renew", monthly)
    assert stripe_fees() == [
        (3000, 65),  # card: 1.5% + 20p
        (3000, 50),  # Bacs: 1% + 20p
        (100000, 400),  # Bacs: capped at £4
        (1000, 30),  # a monthly Direct Debit's first month
        (1000, 30),  # and its next
    ]


def test_a_demonstration_gift_is_refused_in_words_that_say_which_reference_to_use(runner):
    for command in (["refund", "DEMO-000000001"], ["settle", "demo-000000002"]):
        result = runner.invoke(args=["sandbox", *command])
        assert result.exit_code != 0
        assert "demonstration's made-up gifts" in result.output
        assert "use the D- reference on its thank-you page" in result.output


def test_an_annual_gift_is_taken_again_a_year_on_with_its_receipt_and_gift_aid(client, runner):
    paid = give(
        client, frequency="annual", amount="100", gift_aid="y", house="1", postcode="M1 1AE"
    )
    thanks = client.get(paid.headers["Location"]).get_data(as_text=True)
    assert "Your annual gift of £100.00 a year to the ACTiMuS trial is confirmed." in thanks
    assert "and on the same day each year after that" in thanks
    gift = reference()
    subscription = db.session.execute(
        select(SandboxObject).where(SandboxObject.kind == "subscription")
    ).scalar_one()
    assert subscription.data["items"]["data"][0]["price"]["recurring"] == {"interval": "year"}
    assert "next payment taken" in sandbox(runner, "renew", gift)
    assert movements() == [("payment", 10000)] * 2
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.gift_aid_pence, totals.donation_count) == (20000, 5000, 2)
    assert count(OutboxMessage) == 2, "each year gets its receipt"
    plan = db.session.execute(select(Plan)).scalar_one()
    assert (plan.status, plan.amount_pence) == (PlanStatus.ACTIVE, 10000)
    assert drift() == []


def test_a_manage_link_opens_only_a_recurring_gift(client, app):
    give(client, amount="25")
    one_off = db.session.execute(select(Donation)).scalar_one()
    assert client.get(f"/donate/manage/{links.manage_token(one_off)}").status_code == 404
    give(client, frequency="annual", amount="100", email="yearly@example.org")
    yearly = db.session.execute(
        select(Donation).where(Donation.email == "yearly@example.org")
    ).scalar_one()
    opened = client.get(f"/donate/manage/{links.manage_token(yearly)}")
    assert opened.status_code == 303
    assert "/sandbox/portal/" in opened.headers["Location"]
