"""Refunds from a donation's page: through the gateway, never more than remains."""

import json

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donation
from donations.ledger.models import EntryKind, LedgerEntry
from donations.ledger.totals import drift
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import fund_totals, give, sign_in, staff_post


def paid_gift(client) -> tuple[Donation, LedgerEntry]:
    give(client, amount="50", cover_fees="y")
    donation = db.session.execute(select(Donation)).scalar_one()
    entry = db.session.execute(
        select(LedgerEntry).where(LedgerEntry.kind == EntryKind.PAYMENT)
    ).scalar_one()
    return donation, entry


def ask(client, donation, entry, amount: str, reason: str = "The donor asked us to."):
    page = f"/finance/donations/{donation.reference}"
    return staff_post(
        client,
        f"{page}/refund/{entry.id}",
        {"amount": amount, "reason": reason},
        page=page,
    )


def refunds() -> list[int]:
    db.session.rollback()  # end the test's read transaction: see what requests committed
    return [
        entry.amount_pence
        for entry in db.session.execute(
            select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REFUND)
        ).scalars()
    ]


def test_finance_refunds_part_of_a_gift_through_the_sandbox(client, app):
    donation, entry = paid_gift(client)
    raised = fund_totals("actimus").raised_pence
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    response = ask(client, donation, entry, "10.00")
    assert response.status_code == 303
    assert refunds() == [-1000]
    assert fund_totals("actimus").raised_pence == raised - 1000
    page = client.get(f"/finance/donations/{donation.reference}").get_data(as_text=True)
    assert "The refund is on its way" in page
    assert "-£10.00" in page
    db.session.rollback()
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "refund")
    ).scalar_one()
    assert logged.subject == donation.reference
    assert json.loads(logged.detail)["amount_pence"] == 1000
    assert drift() == []


def test_a_refund_above_what_remains_is_refused_and_changes_nothing(client, app):
    donation, entry = paid_gift(client)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    ask(client, donation, entry, "40.00")
    remaining = 1000 + entry.fee_cover_pence
    page = client.get(f"/finance/donations/{donation.reference}").get_data(as_text=True)
    asked = f"{remaining / 100:.2f}"
    assert f'name="amount" inputmode="decimal" autocomplete="off" value="{asked}"' in page, (
        "the form starts with all that remains"
    )
    assert "<title>Donation " in page
    too_much = f"{remaining / 100 + 0.01:.2f}"
    response = ask(client, donation, entry, too_much)
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "more than remains of this gift" in refused
    assert "<title>Error: Donation " in refused
    assert f'value="{too_much}"' in refused, "what was typed is kept"
    assert refunds() == [-4000]
    everything = ask(client, donation, entry, f"{remaining / 100:.2f}")
    assert everything.status_code == 303
    assert refunds() == [-4000, -1000], "the gift goes back first, then the fee cover"


def test_bad_refund_requests_are_named_beside_their_fields(client, app):
    donation, entry = paid_gift(client)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    for amount, reason, message in [
        ("", "why", "Enter an amount."),
        ("0", "why", "at least"),
        ("ten", "why", "amount"),
        ("5", "", "Say why"),
        ("5", "x" * 301, "300 characters"),
    ]:
        response = ask(client, donation, entry, amount, reason)
        assert response.status_code == 400, amount
        assert message in response.get_data(as_text=True), amount
    assert refunds() == []


def test_a_viewer_cannot_refund(client, app):
    donation, entry = paid_gift(client)
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    assert ask(client, donation, entry, "5.00").status_code == 403
    assert refunds() == []


def test_a_refund_of_another_donations_gift_is_not_found(client, app):
    _, entry = paid_gift(client)
    other = factories.payment(email="other@example.org")
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = f"/finance/donations/{other.reference}"
    response = staff_post(
        client, f"{page}/refund/{entry.id}", {"amount": "5", "reason": "x"}, page=page
    )
    assert response.status_code == 404
    assert refunds() == []


def test_a_refund_of_a_cheque_is_recorded_at_once_and_audited_like_any_other(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    cheque = {
        "fund": "actimus",
        "amount": "120.50",
        "received_on": "2026-11-02",
        "method": "cheque",
        "receipt_reference": "CHQ-100200",
        "first_name": "Mary",
        "last_name": "Seacole",
        "gift_aid": "no",
    }
    assert (
        staff_post(client, "/finance/offline", cheque, page="/finance/offline").status_code == 303
    )
    db.session.rollback()
    donation = db.session.execute(select(Donation)).scalar_one()
    entry = db.session.execute(
        select(LedgerEntry).where(LedgerEntry.kind == EntryKind.OFFLINE)
    ).scalar_one()
    response = ask(client, donation, entry, "20.50", reason="Sent back by post")
    assert response.status_code == 303
    assert refunds() == [-2050]
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "refund")
    ).scalar_one()
    assert (logged.subject, logged.actor) == (donation.reference, "finance@example.org")
    assert json.loads(logged.detail) == {"amount_pence": 2050, "reason": "Sent back by post"}
    assert drift() == []


def test_a_monthly_gifts_page_shows_its_plan_and_a_one_off_gifts_none(client, app):
    give(client, amount="10", frequency="monthly", email="m@example.org")
    give(client, amount="25", email="o@example.org")
    monthly, one_off = db.session.execute(select(Donation).order_by(Donation.id)).scalars()
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    page = client.get(f"/finance/donations/{monthly.reference}").get_data(as_text=True)
    assert '<tr><th scope="row">Plan</th><td>active, £10.00 a month</td></tr>' in page
    other = client.get(f"/finance/donations/{one_off.reference}").get_data(as_text=True)
    assert '<th scope="row">Plan</th>' not in other
