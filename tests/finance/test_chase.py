"""Regular gifts to chase, on the dashboard: a failed payment and each way a plan stops, in
words, newest first, filtered by state and fund; donors named only to those who may see
personal data."""

import pytest

from donations.finance import chase
from donations.gifts import plans
from donations.gifts.models import Plan, PlanStatus
from donations.transaction import commit
from tests import factories
from tests.support import sign_in


def plan(fund: str, email: str, status: PlanStatus | None, note: str = "invoice.payment_failed"):
    donation = factories.payment(fund, frequency="monthly", email=email, first_name="Zed")
    made = plans.begin_plan(donation, f"sub_{email}", "cus_1")
    if status is not None:
        plans.change_plan(made, status, note)
    commit()
    return donation


@pytest.fixture
def plans_to_chase(app):
    return {
        "failed": plan("actimus", "failed@example.org", PlanStatus.PAST_DUE),
        "asked": plan(
            "actimus",
            "asked@example.org",
            PlanStatus.CANCELLED,
            "subscription: cancellation_requested",
        ),
        "lapsed": plan(
            "stem-cell-audit",
            "lapsed@example.org",
            PlanStatus.CANCELLED,
            "subscription: payment_failed",
        ),
        "fine": plan("actimus", "fine@example.org", None),
    }


def rows(page: str) -> list[str]:
    chase = page.split('id="chase-heading"')[1].split('id="weekly-heading"', maxsplit=1)[0]
    return chase.split("<tr>")[2:]  # past the header row


def test_failed_and_stopped_gifts_are_listed_newest_first_with_why(client, plans_to_chase):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    listed = rows(client.get("/finance/").get_data(as_text=True))
    gifts = plans_to_chase
    for name, row in zip(("lapsed", "asked", "failed"), listed, strict=True):
        assert gifts[name].reference in row, name
    assert "stopped after its payments failed" in listed[0]
    assert "stopped at the donor&#39;s request" in listed[1]
    assert "a payment failed: Stripe is trying again" in listed[2]
    assert "failed@example.org" in listed[2], "finance staff see whom to chase"
    assert gifts["fine"].reference not in "".join(listed)


def test_the_list_is_filtered_by_state_and_fund(client, plans_to_chase):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/", query_string={"chase": "cancelled", "chase_fund": "actimus"})
    [row] = rows(page.get_data(as_text=True))
    assert plans_to_chase["asked"].reference in row
    page = client.get("/finance/", query_string={"chase": "past_due"})
    [row] = rows(page.get_data(as_text=True))
    assert plans_to_chase["failed"].reference in row
    unknown = client.get("/finance/", query_string={"chase": "everything", "chase_fund": "nope"})
    assert len(rows(unknown.get_data(as_text=True))) == 3, "an unknown filter shows them all"


def test_a_viewer_sees_which_gifts_but_not_whose(client, plans_to_chase):
    factories.staff("viewer")
    sign_in(client, "viewer@example.org")
    listed = rows(client.get("/finance/").get_data(as_text=True))
    assert len(listed) == 3
    assert "@example.org" not in "".join(listed)
    assert "Zed" not in "".join(listed)


@pytest.mark.parametrize(
    ("status", "note", "said"),
    [
        (PlanStatus.PAST_DUE, "invoice.payment_failed", "a payment failed: Stripe is trying again"),
        (PlanStatus.CANCELLED, "subscription: payment_failed", "stopped after its payments failed"),
        (
            PlanStatus.CANCELLED,
            "subscription: payment_disputed",
            "stopped after a payment was disputed",
        ),
        (PlanStatus.CANCELLED, "subscription: something_new", "stopped at Stripe"),
        (PlanStatus.CANCELLED, "customer.subscription.deleted", "stopped at Stripe"),
    ],
)
def test_why_a_gift_is_to_chase_is_said_in_exactly_these_words(app, status, note, said):
    assert chase.why(Plan(status=status), note) == said
