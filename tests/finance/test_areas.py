"""The rest of the finance area: messages, erasure, the audit log, staff accounts, payouts
and the dashboard."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts import erasure
from donations.gifts.dates import tax_year_bounds, tax_year_of
from donations.gifts.models import Donation, Donor, Moderation
from donations.ledger.models import LedgerEntry
from donations.ledger.totals import drift
from donations.payments import payouts
from donations.payments.gateway import GatewayError
from donations.receipts.models import OutboxMessage
from donations.staff import accounts, audit
from donations.staff.models import AuditEntry, StaffMember
from tests import factories
from tests.support import STAFF_PASSWORD, give, sign_in, staff_post


def signed_in(client, role: str):
    factories.staff(role)
    sign_in(client, f"{role}@example.org")
    return client


def audit_actions() -> list[str]:
    db.session.rollback()
    return [
        e.action for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    ]


# --- messages ------------------------------------------------------------------------------


def test_finance_approves_a_message_and_it_is_audited(client, app):
    donation = factories.payment(display_name="The Lovelaces", message="For Dad <3")
    signed_in(client, "finance")
    page = client.get("/finance/messages").get_data(as_text=True)
    assert "The Lovelaces" in page
    assert "For Dad &lt;3" in page, "escaped, as everywhere"
    response = staff_post(
        client,
        f"/finance/messages/{donation.reference}",
        {"decision": "approve"},
        "/finance/messages",
    )
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Donation, donation.id).moderation == Moderation.APPROVED
    assert "moderation" in audit_actions()
    assert "The Lovelaces" in client.get("/funds/actimus").get_data(as_text=True)


def test_a_bad_decision_or_an_unknown_reference_changes_nothing(client, app):
    donation = factories.payment(display_name="Ada", message="Hello")
    signed_in(client, "finance")
    bad = staff_post(
        client,
        f"/finance/messages/{donation.reference}",
        {"decision": "publish"},
        "/finance/messages",
    )
    assert bad.status_code == 400
    unknown = staff_post(
        client, "/finance/messages/D-NOSUCHONE1", {"decision": "approve"}, "/finance/messages"
    )
    assert unknown.status_code == 404
    db.session.rollback()
    assert db.session.get(Donation, donation.id).moderation == Moderation.PENDING


# --- erasure -------------------------------------------------------------------------------


def erase(client, email: str, **extra):
    data = {"email": email, "reason": "Letter of 20 November", "confirm": "y", **extra}
    return staff_post(client, "/finance/erasure", data)


def test_erasure_without_gift_aid_removes_every_personal_detail_and_keeps_the_money(client, app):
    give(client, amount="other", other_amount="30", message="In memory of Mum", display_name="Jo")
    raised_before = db.session.execute(select(LedgerEntry.amount_pence)).scalars().all()
    signed_in(client, "admin")
    response = erase(client, "ada@example.org")
    assert response.status_code == 303
    db.session.rollback()
    donation = db.session.execute(select(Donation)).scalar_one()
    assert (donation.email, donation.first_name, donation.last_name) == (None, "Erased", "Erased")
    assert (donation.message, donation.display_name, donation.marketing_consent) == (
        None,
        None,
        False,
    )
    donor = db.session.execute(select(Donor)).scalar_one()
    assert (donor.email, donor.first_name) == (None, "Erased")
    assert db.session.execute(select(LedgerEntry.amount_pence)).scalars().all() == raised_before
    keys = db.session.execute(select(LedgerEntry.donor_key)).scalars().all()
    assert all(key.startswith("erased:") for key in keys)
    receipt = db.session.execute(select(OutboxMessage)).scalar_one()
    assert (receipt.to_address, receipt.body) == ("erased@invalid", None)
    assert drift() == [], "the totals are the same without the donor's details"
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "erasure")
    ).scalar_one()
    assert "ada@example.org" not in logged.subject + logged.detail


def test_erasure_within_hmrcs_six_years_keeps_the_declaration_and_says_why(client, app):
    give(client, amount="other", other_amount="30", gift_aid="y", house="1", postcode="SW1A 1AA")
    signed_in(client, "admin")
    preview = client.get("/finance/erasure", query_string={"email": "ada@example.org"})
    assert "must stay until" in preview.get_data(as_text=True)
    assert "HMRC" in preview.get_data(as_text=True)
    assert erase(client, "ada@example.org").status_code == 303
    db.session.rollback()
    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.email is None
    assert (donation.first_name, donation.house, donation.postcode) == ("Erased", None, None)
    declaration = db.session.execute(select(GiftAidDeclaration)).scalar_one()
    assert (declaration.first_name, declaration.house) == ("Ada", "1")


def test_the_six_years_run_from_the_end_of_the_uk_tax_year_of_the_last_gift_aided_gift(app):
    # 23:30 UTC on 5 April 2021 is 00:30 on 6 April in London: the tax year 2021-22's first day
    factories.payment(
        amount_pence=1000,
        gift_aid=True,
        email="late@example.org",
        paid_at=datetime(2021, 4, 5, 23, 30, tzinfo=UTC),
    )
    plan = erasure.plan("late@example.org", date(2026, 11, 26))
    assert plan.keep_declaration_until == date(2028, 4, 5)
    assert erasure.plan("late@example.org", date(2028, 4, 6)).keep_declaration_until is None


def test_past_hmrcs_six_years_the_declaration_forgets_the_donor_too(client, app):
    factories.payment(
        amount_pence=1000,
        gift_aid=True,
        email="old@example.org",
        title="Dr",
        house="7 Old Road",
        postcode="M1 1AE",
        paid_at=datetime(2018, 6, 1, 12, tzinfo=UTC),
    )
    signed_in(client, "admin")
    assert erase(client, "old@example.org").status_code == 303
    db.session.rollback()
    declaration = db.session.execute(select(GiftAidDeclaration)).scalar_one()
    assert (declaration.title, declaration.first_name, declaration.last_name) == (
        None,
        "Erased",
        "Erased",
    )
    assert (declaration.house, declaration.address, declaration.postcode) == ("Erased", None, None)


def test_a_uk_tax_year_runs_from_6_april_to_5_april(app):
    assert tax_year_of(date(2026, 4, 5)) == 2025
    assert tax_year_of(date(2026, 4, 6)) == 2026
    assert tax_year_of(date(2026, 1, 1)) == 2025
    assert tax_year_bounds(2026) == (date(2026, 4, 6), date(2027, 4, 5))


def test_erasure_asks_for_a_reason_and_a_confirmation_and_changes_nothing_without(client, app):
    give(client, amount="other", other_amount="30")
    signed_in(client, "admin")
    response = erase(client, "ada@example.org", confirm="", reason="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tick to confirm" in page
    assert "Say how the request came" in page
    assert "What will happen" in page, "the plan is still shown"
    unknown = erase(client, "nobody@example.org")
    assert unknown.status_code == 400
    db.session.rollback()
    assert db.session.execute(select(Donation.email)).scalar_one() == "ada@example.org"


@pytest.mark.parametrize("role", ["finance", "viewer"])
def test_only_an_admin_may_erase(client, app, role):
    give(client, amount="other", other_amount="30")
    signed_in(client, role)
    assert client.get("/finance/erasure").status_code == 403
    assert erase(client, "ada@example.org").status_code == 403


# --- the audit log and staff accounts --------------------------------------------------------


def test_the_audit_log_shows_attempts_to_admins_only(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org", "wrong password, twice over")
    signed_in(client, "admin")
    page = client.get("/finance/audit").get_data(as_text=True)
    assert "sign in failed" in page
    assert "finance@example.org" in page
    only = client.get("/finance/audit", query_string={"action": "sign_in_failed"})
    assert "admin@example.org" not in only.get_data(as_text=True).split("<tbody>")[1]
    staff_post(client, "/finance/logout")
    sign_in(client, "finance@example.org", STAFF_PASSWORD)
    assert client.get("/finance/audit").status_code == 403


def test_an_admin_adds_staff_and_changes_roles_and_each_is_audited(client, app):
    signed_in(client, "admin")
    made = staff_post(
        client,
        "/finance/staff",
        {"email": "New@Example.org", "role": "viewer", "password": "a brand new passphrase"},
        "/finance/staff",
    )
    assert made.status_code == 303
    db.session.rollback()
    member = db.session.execute(
        select(StaffMember).where(StaffMember.email == "new@example.org")
    ).scalar_one()
    assert member.role == "viewer"
    staff_post(client, f"/finance/staff/{member.id}", {"change": "finance"}, "/finance/staff")
    staff_post(client, f"/finance/staff/{member.id}", {"change": "close"}, "/finance/staff")
    db.session.rollback()
    member = db.session.get(StaffMember, member.id)
    assert (member.role, member.active) == ("finance", False)
    assert audit_actions()[-3:] == ["staff_created", "role_changed", "account_closed"]


def test_a_short_password_or_a_taken_address_is_refused(client, app):
    signed_in(client, "admin")
    short = staff_post(
        client,
        "/finance/staff",
        {"email": "x@example.org", "role": "viewer", "password": "short"},
        "/finance/staff",
    )
    assert short.status_code == 400
    assert "at least 12 characters" in short.get_data(as_text=True)
    for weak in ("aaaaaaaaaaaa", " " * 12, "password1234", "finance@example.org"):
        refused = staff_post(
            client,
            "/finance/staff",
            {"email": "finance@example.org", "role": "viewer", "password": weak},
            "/finance/staff",
        )
        assert refused.status_code == 400, weak
        assert "harder to guess" in refused.get_data(as_text=True) or "more than spaces" in (
            refused.get_data(as_text=True)
        )
    taken = staff_post(
        client,
        "/finance/staff",
        {"email": "admin@example.org", "role": "viewer", "password": "a long enough one"},
        "/finance/staff",
    )
    assert taken.status_code == 400
    assert "already has an account" in taken.get_data(as_text=True)


def test_the_last_admin_cannot_stop_being_one(client, app):
    signed_in(client, "admin")
    db.session.rollback()
    me = db.session.execute(select(StaffMember)).scalar_one()
    staff_post(client, f"/finance/staff/{me.id}", {"change": "viewer"}, "/finance/staff")
    db.session.rollback()
    assert db.session.get(StaffMember, me.id).role == "admin"


def test_a_finance_user_cannot_manage_staff(client, app):
    signed_in(client, "finance")
    assert client.get("/finance/staff").status_code == 403
    response = staff_post(
        client,
        "/finance/staff",
        {"email": "x@example.org", "role": "admin", "password": "a long enough one"},
    )
    assert response.status_code == 403
    assert db.session.execute(select(StaffMember.email)).scalars().all() == ["finance@example.org"]


# --- payouts and the dashboard ----------------------------------------------------------------


def test_the_payouts_page_matches_a_sandbox_payout_to_the_penny(client, app, runner):
    give(client, amount="other", other_amount="30")
    assert runner.invoke(args=["sandbox", "payout"]).exit_code == 0
    signed_in(client, "viewer")
    page = client.get("/finance/payouts").get_data(as_text=True)
    assert "matches" in page
    assert "does not match" not in page
    csv_text = client.get("/finance/payouts.csv").get_data(as_text=True)
    assert csv_text.startswith("payout,transaction,type")


def test_the_dashboard_shows_this_months_money_and_the_weeks(client, app):
    give(client, amount="other", other_amount="30", gift_aid="y", house="1", postcode="SW1A 1AA")
    give(client, amount="10", frequency="monthly", email="monthly@example.org")
    give(client, amount="100", frequency="annual", email="yearly@example.org")
    signed_in(client, "viewer")
    page = client.get("/finance/").get_data(as_text=True)
    assert "£140.00" in page, "raised this month"
    assert "£7.50" in page, "Gift Aid due on the £30"
    assert 'Active regular gifts <span class="figure__value">2</span>' in page
    assert 'Monthly gifts, each month <span class="figure__value">£10.00</span>' in page
    assert 'Yearly gifts, each year <span class="figure__value">£100.00</span>' in page
    assert '<svg class="chart"' in page
    assert "Raised each week (weeks start on Monday)" in page


def test_each_audited_change_is_written_once_whoever_asks_for_it(client, app, runner):
    """The service that makes a change writes its entry: the staff page and the command line
    leave the same one, and the log refuses an action it does not know."""
    signed_in(client, "admin")
    staff_post(
        client,
        "/finance/staff",
        {"email": "web@example.org", "role": "viewer", "password": "a brand new passphrase"},
        "/finance/staff",
    )
    created = runner.invoke(
        args=["staff", "create", "cli@example.org", "--role", "viewer"],
        input="another brand new passphrase\n",
    )
    assert created.exit_code == 0, created.output
    db.session.rollback()
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "staff_created").order_by(AuditEntry.id)
    ).scalars()
    made = [(e.actor, e.subject, json.loads(e.detail)) for e in entries][-2:]
    assert made == [
        ("admin@example.org", "web@example.org", {"role": "viewer"}),
        ("command line", "cli@example.org", {"role": "viewer"}),
    ]
    with pytest.raises(ValueError, match="not_an_action"):
        audit.record("not_an_action")


def test_the_command_line_changes_a_role_a_password_and_closes_an_account(app, runner):
    member = factories.staff("finance")
    assert runner.invoke(args=["staff", "set-role", "finance@example.org", "viewer"]).exit_code == 0
    changed = runner.invoke(
        args=["staff", "set-password", "finance@example.org"], input="a fresh long passphrase\n"
    )
    assert changed.exit_code == 0, changed.output
    assert "their sessions have ended" in changed.output
    weak = runner.invoke(
        args=["staff", "set-password", "finance@example.org"], input="aaaaaaaaaaaa\n"
    )
    assert weak.exit_code != 0
    assert "harder to guess" in weak.output
    assert runner.invoke(args=["staff", "close", "finance@example.org"]).exit_code == 0
    unknown = runner.invoke(args=["staff", "close", "nobody@example.org"])
    assert unknown.exit_code != 0
    assert "No staff account for nobody@example.org" in unknown.output
    db.session.rollback()
    member = db.session.get(StaffMember, member.id)
    assert (member.role, member.active) == ("viewer", False)
    assert accounts.authenticate("finance@example.org", "a fresh long passphrase") is None
    member.active = True
    assert accounts.authenticate("finance@example.org", "a fresh long passphrase") is member
    assert accounts.authenticate("finance@example.org", STAFF_PASSWORD) is None
    db.session.rollback()
    assert audit_actions()[-3:] == ["role_changed", "password_changed", "account_closed"]


def test_messages_are_approved_and_rejected_from_the_command_line_too(client, app, runner):
    give(client, amount="other", other_amount="30", message="Go well", display_name="Jo")
    reference = db.session.execute(select(Donation.reference)).scalar_one()
    waiting = runner.invoke(args=["messages", "pending"])
    assert f'{reference}  name: "Jo"  message: "Go well"' in waiting.output
    assert "1 waiting." in waiting.output
    approved = runner.invoke(args=["messages", "approve", reference])
    assert approved.output.strip() == f"{reference}: approved."
    db.session.rollback()
    assert db.session.execute(select(Donation.moderation)).scalar_one() == Moderation.APPROVED
    rejected = runner.invoke(args=["messages", "reject", reference])
    assert rejected.output.strip() == f"{reference}: rejected."
    db.session.rollback()
    assert db.session.execute(select(Donation.moderation)).scalar_one() == Moderation.REJECTED
    nothing = runner.invoke(args=["messages", "approve", "D-NOSUCHGIFT"])
    assert nothing.exit_code != 0
    assert "Nothing to moderate" in nothing.output
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "moderation").order_by(AuditEntry.id)
    ).scalars()
    assert [(e.actor, e.subject, json.loads(e.detail)["decision"]) for e in logged] == [
        ("command line", reference, "approved"),
        ("command line", reference, "rejected"),
    ]


def test_an_admin_changes_a_role_closes_and_reopens_an_account_each_said_and_audited(client, app):
    signed_in(client, "admin")
    member = factories.staff("viewer")
    me = accounts.by_email("admin@example.org")

    def change(member_id: int, to: str):
        response = staff_post(
            client, f"/finance/staff/{member_id}", {"change": to}, "/finance/staff"
        )
        return response.status_code, client.get("/finance/staff").get_data(as_text=True)

    assert change(member.id, "finance")[0] == 303
    _, page = change(member.id, "admin")
    assert "viewer@example.org is now admin." in page
    _, page = change(member.id, "close")
    assert "viewer@example.org can no longer sign in." in page
    _, page = change(member.id, "reopen")
    assert "viewer@example.org can again sign in." in page
    _, page = change(me.id, "close")
    assert "Not changed: you cannot close your own account." in page
    assert change(member.id, "promote")[0] == 400
    assert change(99999, "close")[0] == 404
    db.session.rollback()
    member = db.session.get(StaffMember, member.id)
    assert (member.role, member.active) == ("admin", True)
    assert db.session.get(StaffMember, me.id).active
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.subject == "viewer@example.org").order_by(AuditEntry.id)
    ).scalars()
    assert [(e.action, e.actor, json.loads(e.detail)) for e in entries] == [
        ("staff_created", "command line", {"role": "viewer"}),
        ("role_changed", "admin@example.org", {"before": "viewer", "after": "finance"}),
        ("role_changed", "admin@example.org", {"before": "finance", "after": "admin"}),
        ("account_closed", "admin@example.org", {}),
        ("account_reopened", "admin@example.org", {}),
    ]


@pytest.mark.parametrize(
    ("asked", "shown"), [(None, 30), ("90", 90), ("365", 365), ("7", 30), ("ninety", 30)]
)
def test_the_payouts_page_looks_back_as_far_as_asked_among_its_choices(client, app, asked, shown):
    signed_in(client, "viewer")
    query = {"days": asked} if asked else {}
    page = client.get("/finance/payouts", query_string=query).get_data(as_text=True)
    assert f'<option value="{shown}" selected>' in page
    assert page.count(" selected>") == 1
    assert f"/finance/payouts.csv?days={shown}" in page


def test_the_payouts_page_says_when_stripe_cannot_be_reached(client, app, monkeypatch):
    def unreachable(since):
        assert since < datetime.now(UTC), "it looks back from now"
        raise GatewayError("Stripe is away")

    monkeypatch.setattr(payouts, "reports", unreachable)
    signed_in(client, "viewer")
    response = client.get("/finance/payouts")
    assert response.status_code == 503


def test_the_audit_log_pages_back_a_hundred_at_a_time_newest_first(client, app, monkeypatch):
    for n in range(5):
        audit.record("export", actor="command line", subject=f"batch {n}")
    db.session.commit()
    monkeypatch.setattr("donations.finance.admin.AUDIT_PAGE", 2)
    signed_in(client, "admin")

    def subjects(query: dict) -> list[str]:
        page = client.get("/finance/audit", query_string=query).get_data(as_text=True)
        return re.findall(r"<td>(batch \d)</td>", page), re.search(r"before=(\d+)", page)

    first, older = subjects({"action": "export"})
    assert first == ["batch 4", "batch 3"]
    second, older = subjects({"action": "export", "before": older.group(1)})
    assert second == ["batch 2", "batch 1"]
    last, older = subjects({"action": "export", "before": older.group(1)})
    assert last == ["batch 0"]
    assert older is None, "no link past the oldest"
    everything, _ = subjects({})
    assert everything == [], "unfiltered, the newest two are the admin's account and sign-in"
    assert subjects({"before": "not-a-number", "action": "export"})[0] == ["batch 4", "batch 3"]


def test_forgetting_in_the_audit_log_keeps_what_was_done_and_drops_who_it_was(app):
    mine = audit.record(
        "declaration_corrected",
        actor="finance@example.org",
        subject="declaration 7",
        before={"house": "1 Old Road", "postcode": "M1 1AE"},
        after={"house": "2 New Road", "postcode": "M1 1AE"},
    )
    typed = audit.record("sign_in_failed", actor="ada@example.org")
    named = audit.record("staff_created", actor="command line", subject="ada@example.org")
    mentioned = audit.record("erasure", actor="x@example.org", reason="from ada@example.org")
    other = audit.record(
        "declaration_corrected",
        actor="finance@example.org",
        subject="declaration 8",
        before={"house": "9 Keep Street"},
        after={"house": "10 Keep Street"},
    )
    db.session.commit()
    assert audit.forget("ada@example.org", ["declaration 7"]) == 4
    db.session.commit()
    found = {e.id: e for e in db.session.execute(select(AuditEntry)).scalars()}
    assert json.loads(found[mine.id].detail) == {
        "before": {"house": "(erased)", "postcode": "(erased)"},
        "after": {"house": "(erased)", "postcode": "(erased)"},
    }
    assert (found[mine.id].action, found[mine.id].actor, found[mine.id].subject) == (
        "declaration_corrected",
        "finance@example.org",
        "declaration 7",
    ), "what was done, by whom, to which declaration: all kept"
    assert found[mentioned.id].subject is None
    assert found[typed.id].actor == "(erased)"
    assert found[named.id].subject == "(erased)"
    assert json.loads(found[mentioned.id].detail) == {"reason": "from (erased)"}
    assert json.loads(found[other.id].detail)["before"] == {"house": "9 Keep Street"}
    assert found[other.id].subject == "declaration 8"
