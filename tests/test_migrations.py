"""`flask db upgrade` builds the schema (the fixtures use it); `flask db check` finds nothing."""

import json
from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from donations.extensions import db
from donations.funds.models import Fund
from donations.gifts.models import (
    Donation,
    DonationStatus,
    Frequency,
    Moderation,
    Plan,
    PlanChange,
    PlanStatus,
)
from donations.ledger.models import EntryKind, FundTotals, LedgerEntry, PendingEntry
from donations.ledger.totals import drift
from donations.payments.catalogue import customer_key
from donations.payments.models import CatalogueEntry, StripeEvent
from donations.staff.models import StaffMember
from donations.staff.roles import Role


def test_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_a_new_database_holds_the_two_funds_ready_for_gifts(app):
    funds = db.session.execute(select(Fund).order_by(Fund.position)).scalars().all()
    assert [(f.slug, f.name, f.goal_pence) for f in funds] == [
        ("stem-cell-audit", "UK MS stem cell service audit", 5_000_000),
        ("actimus", "ACTiMuS trial", 25_000_000),
    ]
    assert all(db.session.get(FundTotals, f.id).raised_pence == 0 for f in funds)
    assert "outside a clinical trial" in funds[0].story
    assert "AHSCT" in funds[0].story
    assert "mesenchymal" in funds[1].story
    assert "without chemotherapy" in funds[1].story


def test_funds_set_goal(runner, app):
    result = runner.invoke(args=["funds", "set-goal", "actimus", "300,000"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    fund = db.session.execute(select(Fund).where(Fund.slug == "actimus")).scalar_one()
    assert fund.goal_pence == 30_000_000
    for bad in ("0", "-1", "abc", "1e5"):
        refused = runner.invoke(args=["funds", "set-goal", "actimus", bad])
        assert refused.exit_code != 0
    assert runner.invoke(args=["funds", "set-goal", "nope", "10"]).exit_code != 0
    db.session.expire_all()
    assert db.session.get(Fund, fund.id).goal_pence == 30_000_000


def test_a_database_from_before_0004_keeps_its_records_and_totals_true(app, runner):
    """0004 gives ledger rows their Gift Aid standing and pending money its entries; 0005
    copies into each donation what was typed, and holds display names for moderation."""
    downgrade(revision="0003")
    now = datetime.now(UTC)
    statements = [
        "INSERT INTO donors (id, email, first_name, last_name, created_at)"
        " VALUES (1, 'a@example.org', 'A', 'B', :now)",
        "INSERT INTO gift_aid_declarations (id, donor_id, wording_version, wording,"
        " covers_past_and_future, first_name, last_name, house, overseas, declared_at)"
        " VALUES (1, 1, 'v1', 'I want to Gift Aid', TRUE, 'A', 'B', '1', FALSE, :now)",
    ]
    donation = (
        "INSERT INTO donations (id, reference, fund_id, donor_id, declaration_id, amount_pence,"
        " fee_cover_pence, frequency, status, channel, anonymous, message_status,"
        " marketing_consent, form_token, created_at, updated_at) VALUES ({id}, 'D-{id}',"
        " (SELECT id FROM funds WHERE slug = 'actimus'), 1, {declaration}, {amount}, 0,"
        " 'one-off', '{status}', 'online', FALSE, 'none', FALSE, 'token-{id}', :now, :now)"
    )
    statements += [
        donation.format(id=1, declaration=1, amount=2500, status="paid"),
        donation.format(id=2, declaration="NULL", amount=1000, status="paid"),
        "UPDATE donations SET display_name = 'Shown at once' WHERE id = 2",
        donation.format(id=3, declaration="NULL", amount=5000, status="pending"),
        "INSERT INTO ledger_entries (donation_id, fund_id, kind, amount_pence, fee_cover_pence,"
        " source_ref, donor_key, occurred_at, recorded_at) SELECT id, fund_id, 'payment',"
        " amount_pence, 0, 'pi_' || id, 'a@example.org', :now, :now"
        " FROM donations WHERE status = 'paid'",
        "UPDATE fund_totals SET raised_pence = 3500, gift_aid_pence = 625, pending_pence = 5000,"
        " donor_count = 1, donation_count = 2"
        " WHERE fund_id = (SELECT id FROM funds WHERE slug = 'actimus')",
    ]
    for statement in statements:
        db.session.execute(text(statement), {"now": now})
    db.session.commit()

    upgrade()
    gift_aided = db.session.execute(
        select(LedgerEntry.donation_id).where(LedgerEntry.gift_aid.is_(True))
    ).scalars()
    assert list(gift_aided) == [1]
    pending = db.session.execute(select(PendingEntry)).scalar_one()
    assert (pending.donation_id, pending.amount_pence, pending.source_ref) == (3, 5000, "D-3:open")
    assert drift() == []
    assert runner.invoke(args=["db", "check"]).exit_code == 0
    copied = db.session.execute(
        select(
            Donation.first_name,
            Donation.email,
            Donation.gift_aid,
            Donation.house,
            Donation.moderation,
        ).order_by(Donation.id)
    ).all()
    assert copied == [
        ("A", "a@example.org", True, "1", "none"),
        ("A", "a@example.org", False, None, "pending"),
        ("A", "a@example.org", False, None, "none"),
    ]


def test_every_status_and_kind_fits_its_column():
    """SQLite ignores a varchar's length; PostgreSQL refuses what does not fit."""
    stored = [
        (LedgerEntry.__table__.c.kind, EntryKind),
        (Donation.__table__.c.status, DonationStatus),
        (Donation.__table__.c.frequency, Frequency),
        (Donation.__table__.c.moderation, Moderation),
        (Plan.__table__.c.status, PlanStatus),
        (PlanChange.__table__.c.status, PlanStatus),
        (StaffMember.__table__.c.role, Role),
    ]
    too_long = [
        (str(column), value)
        for column, values in stored
        for value in values
        if len(value) > column.type.length
    ]
    assert too_long == []


def test_events_kept_before_0016_lose_their_personal_fields_and_customers_their_address(app):
    downgrade(revision="0015")
    ours = {
        "id": "evt_old_1",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "amount": 2500,
                "billing_details": {"name": "Ada Lovelace", "email": "ada@example.org"},
                "metadata": {"donation_reference": "D-1"},
            }
        },
    }
    theirs = {
        "id": "evt_old_2",
        "type": "customer.updated",
        "created": 1,
        "data": {"object": {"id": "cus_9", "object": "customer", "email": "bo@example.org"}},
    }
    insert = (
        "INSERT INTO stripe_events (id, type, outcome, payload, received_at)"
        " VALUES (:id, :type, :outcome, :payload, :now)"
    )
    now = datetime.now(UTC)
    for event, outcome in ((ours, "processed"), (theirs, "ignored")):
        values = {"id": event["id"], "type": event["type"], "outcome": outcome, "now": now}
        db.session.execute(text(insert), {**values, "payload": json.dumps(event)})
    db.session.execute(
        text(
            "INSERT INTO stripe_catalogue (key, stripe_id, created_at)"
            " VALUES ('customer:ada@example.org', 'cus_1', :now)"
        ),
        {"now": now},
    )
    db.session.commit()

    upgrade()
    kept = dict(db.session.execute(select(StripeEvent.id, StripeEvent.payload)).all())
    assert "Ada" not in kept["evt_old_1"]
    assert "ada@example.org" not in kept["evt_old_1"]
    assert '"donation_reference": "D-1"' in kept["evt_old_1"]
    assert json.loads(kept["evt_old_2"])["data"] == {
        "object": {"id": "cus_9", "object": "customer"}
    }
    assert db.session.execute(select(CatalogueEntry.key)).scalar_one() == customer_key(
        "ada@example.org"
    )
