"""A monthly gift through a supporter's page: every month counts toward the page (and the
appeal it is part of), the first dated when its invoice was paid; a Direct Debit waiting to be
collected counts as pending on the page too."""

from datetime import UTC, datetime

from sqlalchemy import select

from donations.extensions import db
from donations.gifts import lifecycle
from donations.gifts import services as gifts
from donations.ledger.models import AppealTotals, FundraiserTotals, LedgerEntry
from donations.transaction import commit
from tests import factories


def _page():
    winter = factories.appeal("winter", fund_slug="actimus")
    return factories.fundraiser("ada-runs", given_to=winter)


def test_every_month_through_a_page_counts_toward_it_and_its_appeal(app):
    page = _page()
    monthly = gifts.start_donation(
        page.fund, factories.details(amount_pence=1000, frequency="monthly"), page.appeal, page
    )
    commit()
    first_paid = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    lifecycle.record_month(monthly, "in_first", 1000, 0, first_paid)
    lifecycle.record_month(monthly, "in_second", 1000, 0)
    commit()
    months = db.session.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
    assert [(m.source_ref, m.appeal_id, m.fundraiser_id) for m in months] == [
        ("in_first", page.appeal_id, page.id),
        ("in_second", page.appeal_id, page.id),
    ]
    assert months[0].occurred_at == first_paid, "the first month is dated when it was paid"
    assert db.session.get(FundraiserTotals, page.id).raised_pence == 2000
    assert db.session.get(AppealTotals, page.appeal_id).raised_pence == 2000


def test_a_direct_debit_through_a_page_is_pending_on_the_page(app):
    page = _page()
    factories.pending_payment(through=page, amount_pence=3000)
    assert db.session.get(FundraiserTotals, page.id).pending_pence == 3000
    assert db.session.get(AppealTotals, page.appeal_id).pending_pence == 3000
