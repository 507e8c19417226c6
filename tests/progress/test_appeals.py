"""Appeals: a gift through one counts toward the appeal and its fund; closed and hidden funds
and appeals; the appeal's embed family, exactly as a fund's."""

import csv
import io
from datetime import timedelta

import pytest

from donations.extensions import db
from donations.funds import services as funds
from donations.gifts import lifecycle
from donations.gifts import services as gifts
from donations.gifts.models import Donation
from donations.ledger.models import AppealTotals
from donations.ledger.totals import drift
from donations.transaction import commit
from donations.uk_time import uk_today
from tests import factories
from tests.support import count, form_tokens, sandbox_pay, sign_in, submit_gift


def _json(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.json


def test_a_gift_through_an_appeal_counts_toward_the_appeal_and_its_fund(client):
    appeal = factories.appeal()
    factories.payment(amount_pence=2500)  # straight to the fund
    factories.payment(through=appeal, amount_pence=4000, gift_aid=True, email="bo@example.org")

    fund = _json(client, "/api/funds/actimus")
    given = _json(client, "/api/appeals/winter-appeal")
    assert (fund["raised_pence"], fund["donor_count"], fund["donation_count"]) == (6500, 2, 2)
    assert given["raised_pence"] == 4000
    assert given["gift_aid_pence"] == 1000
    assert (given["donor_count"], given["donation_count"]) == (1, 1)
    assert given["kind"] == "appeal"
    assert given["fund"] == "actimus"
    assert given["status"] == "open"
    assert given["percent"] == 0.4
    assert given["url"] == "http://localhost/appeals/winter-appeal"
    assert given["donate_url"] == "http://localhost/donate?appeal=winter-appeal"
    assert drift() == []


def test_a_refund_and_a_pending_direct_debit_move_the_appeal_as_they_move_the_fund(client):
    appeal = factories.appeal()
    paid = factories.payment(through=appeal, amount_pence=4000)
    factories.refund(paid, 1500)
    factories.pending_payment(through=appeal, amount_pence=1000, email="dd@example.org")

    given = _json(client, "/api/appeals/winter-appeal")
    fund = _json(client, "/api/funds/actimus")
    assert (given["raised_pence"], given["pending_pence"]) == (2500, 1000)
    assert (fund["raised_pence"], fund["pending_pence"]) == (2500, 1000)
    assert drift() == []


def test_totals_check_sees_an_appeal_total_moved_without_a_ledger_row(app):
    appeal = factories.appeal()
    factories.payment(through=appeal, amount_pence=4000)
    kept = db.session.get(AppealTotals, appeal.id)
    kept.raised_pence += 1
    commit()
    assert drift() == [("winter-appeal", "raised_pence", 4001, 4000)]


def test_the_appeal_page_has_its_story_progress_fund_and_supporters(client):
    appeal = factories.appeal(story="## Why winter\n\nThe **trial** needs *you*.")
    factories.payment(through=appeal, display_name="Bo", email="bo@example.org")
    page = client.get("/appeals/winter-appeal").get_data(as_text=True)
    assert "<h1>Winter appeal</h1>" in page
    assert "<h2>Why winter</h2>" in page
    assert "<strong>trial</strong>" in page
    assert 'href="/funds/actimus"' in page
    assert "£25.00 raised" in page
    assert 'href="http://localhost/donate?appeal=winter-appeal"' in page
    assert "Give to Winter appeal" in page


def test_the_home_page_and_the_fund_page_list_open_appeals_only(client):
    factories.appeal()
    factories.appeal("spring-appeal", name="Spring appeal", closes_on=uk_today() - timedelta(1))
    home = client.get("/").get_data(as_text=True)
    fund_page = client.get("/funds/actimus").get_data(as_text=True)
    other_fund = client.get("/funds/stem-cell-audit").get_data(as_text=True)
    for page in (home, fund_page):
        assert "Winter appeal" in page
        assert "Spring appeal" not in page
    assert "Winter appeal" not in other_fund


def test_the_appeal_embed_family_is_the_funds(client):
    factories.appeal()
    svg = client.get("/appeals/winter-appeal/progress.svg")
    frame = client.get("/embed/appeals/winter-appeal")
    api = client.get("/api/appeals/winter-appeal")
    for response in (svg, frame, api):
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["ETag"]
        assert "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", "")
    assert svg.mimetype == "image/svg+xml"
    assert "Winter appeal" in svg.get_data(as_text=True)
    assert 'data-api="/api/appeals/winter-appeal"' in frame.get_data(as_text=True)
    builder = client.get("/appeals/winter-appeal/embed").get_data(as_text=True)
    assert '&lt;donation-progress appeal="winter-appeal"&gt;' in builder
    assert "http://localhost/embed/appeals/winter-appeal" in builder
    assert client.get("/api/appeals/nope").json["error"] == "not_found"
    assert client.get("/appeals/nope").status_code == 404


def test_the_web_component_reads_an_appeal_attribute(client):
    script = client.get("/embed.js").get_data(as_text=True)
    assert '"appeal"' in script
    assert '"appeals/"' in script


def test_the_form_through_an_appeal_says_so_and_records_it(client):
    factories.appeal()
    form = client.get("/donate?appeal=winter-appeal").get_data(as_text=True)
    assert "Your gift to <strong>Winter appeal</strong> goes to the" in form
    assert 'name="appeal" type="hidden" value="winter-appeal"' in form
    tokens = form_tokens(client, "/donate?appeal=winter-appeal")
    # a fund sent beside the appeal is not the appeal's: the fund follows from the appeal
    response = submit_gift(client, tokens, appeal="winter-appeal", fund="stem-cell-audit")
    assert response.status_code == 303
    sandbox_pay(client, response.headers["Location"])
    donation = db.session.query(Donation).one()
    assert donation.appeal.slug == "winter-appeal"
    assert donation.fund.slug == "actimus"
    assert _json(client, "/api/appeals/winter-appeal")["raised_pence"] == 2500


@pytest.mark.parametrize(
    "sent",
    [
        {"fund": "\x00"},
        {"appeal": "\x00"},
        {"fundraiser": "a\x00b"},
        {"appeal": "\uff21\uff22\uff23"},
    ],
)
def test_a_name_no_page_could_have_is_never_looked_up(client, sent):
    """Found by the form's fuzz test on PostgreSQL, which refuses a NUL in text: a 500."""
    response = submit_gift(client, form_tokens(client), **sent)
    assert response.status_code in (400, 404)
    assert count(Donation) == 0


def test_an_unknown_appeal_in_the_form_is_a_404_and_records_nothing(client):
    tokens = form_tokens(client)
    response = submit_gift(client, tokens, appeal="no-such-appeal")
    assert response.status_code == 404
    assert count(Donation) == 0


@pytest.mark.parametrize("kind", ["fund", "appeal"])
def test_a_closed_fund_or_appeal_refuses_a_gift_with_a_clear_page(client, kind):
    appeal = factories.appeal()
    closed = appeal if kind == "appeal" else factories.fund("actimus")
    tokens = form_tokens(client, "/donate?appeal=winter-appeal")
    funds.close(closed)
    commit()

    link = "/donate?appeal=winter-appeal" if kind == "appeal" else "/donate/actimus"
    for response in (
        client.get(link),
        submit_gift(client, tokens, appeal="winter-appeal" if kind == "appeal" else None),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "has closed" in page
        assert "nothing has been taken" in page
        assert 'href="/donate/stem-cell-audit"' in page  # an open fund to give to instead
    assert count(Donation) == 0
    assert _json(client, f"/api/{kind}s/{closed.slug}")["status"] == "closed"
    assert "has closed" in client.get(f"/{kind}s/{closed.slug}").get_data(as_text=True)


def test_an_appeal_closes_itself_when_its_last_uk_day_ends(client):
    appeal = factories.appeal(closes_on=uk_today())
    assert funds.status_of(appeal) is funds.Status.OPEN
    assert funds.status_of(appeal, uk_today() + timedelta(days=1)) is funds.Status.CLOSED
    funds.change(appeal, closes_on=uk_today() - timedelta(days=1))
    commit()
    assert client.get("/donate?appeal=winter-appeal").status_code == 410


def test_an_appeal_not_yet_open_says_when_it_opens_and_takes_nothing(client):
    factories.appeal(opens_on=uk_today() + timedelta(days=3))
    response = client.get("/donate?appeal=winter-appeal")
    assert response.status_code == 403
    assert "is not open yet" in response.get_data(as_text=True)
    assert _json(client, "/api/appeals/winter-appeal")["status"] == "upcoming"


def test_a_gift_already_at_checkout_is_recorded_when_its_appeal_closes_before_payment(client):
    appeal = factories.appeal()
    response = submit_gift(client, form_tokens(client), appeal="winter-appeal")
    assert response.status_code == 303
    funds.close(appeal)
    commit()
    paid = sandbox_pay(client, response.headers["Location"])
    assert paid.status_code == 303
    given = _json(client, "/api/appeals/winter-appeal")
    assert (given["status"], given["raised_pence"]) == ("closed", 2500)
    assert _json(client, "/api/funds/actimus")["raised_pence"] == 2500


def test_a_paid_gift_for_a_closed_appeal_is_recorded_by_the_domain(app):
    appeal = factories.appeal()
    donation = gifts.start_donation(appeal.fund, factories.details(), appeal)
    commit()
    funds.close(appeal)
    commit()
    assert lifecycle.mark_paid(donation, "pi_after_closing") is not None
    commit()
    assert db.session.get(Donation, donation.id).status == "paid"


def test_a_hidden_fund_or_appeal_is_nowhere_public_but_its_gifts_still_count(client):
    appeal = factories.appeal()
    factories.payment(through=appeal, amount_pence=4000)
    funds.set_hidden(appeal, True)
    commit()
    for path in (
        "/appeals/winter-appeal",
        "/api/appeals/winter-appeal",
        "/embed/appeals/winter-appeal",
        "/appeals/winter-appeal/progress.svg",
        "/donate?appeal=winter-appeal",
    ):
        assert client.get(path).status_code == 404, path
    assert "Winter appeal" not in client.get("/").get_data(as_text=True)
    assert _json(client, "/api/funds/actimus")["raised_pence"] == 4000
    audit = factories.fund("stem-cell-audit")
    funds.set_hidden(audit, True)
    commit()
    assert client.get("/funds/stem-cell-audit").status_code == 404
    listed = [f["slug"] for f in _json(client, "/api/funds")["funds"]]
    assert listed == ["stem-cell-audit", "actimus"][1:]


def test_records_and_exports_carry_the_appeal_and_filter_by_it(client):
    appeal = factories.appeal()
    factories.payment(through=appeal, amount_pence=4000, email="bo@example.org")
    factories.payment(amount_pence=2500)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    exported = client.get("/finance/donations/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sorted(row["appeal"] for row in rows) == ["", "winter-appeal"]
    assert list(rows[0])[-2:] == ["appeal", "fundraiser"]
    filtered = client.get("/finance/donations/export.csv?appeal=winter-appeal")
    only = list(csv.DictReader(io.StringIO(filtered.get_data(as_text=True))))
    assert [row["amount"] for row in only] == ["40.00"]
    refused = client.get("/finance/donations?appeal=nope")
    assert "Choose an appeal from the list." in refused.get_data(as_text=True)


def test_the_dashboard_shows_each_open_appeal_against_its_goal(client):
    appeal = factories.appeal(goal_pence=10_000)
    factories.payment(through=appeal, amount_pence=2500)
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/").get_data(as_text=True)
    assert "Open appeals" in page
    assert "Winter appeal" in page
    assert "25%" in page
