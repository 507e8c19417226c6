"""The home page and each fund's campaign page, and the totals behind them."""

import re

import pytest
from sqlalchemy import select, update

from donations.extensions import db
from donations.gifts.models import Donation
from donations.ledger.models import FundTotals
from tests import factories


def test_home_shows_both_funds_with_progress_and_a_donate_button(client):
    factories.payment(amount_pence=5000, gift_aid=True)
    html = client.get("/").get_data(as_text=True)
    assert "UK MS stem cell service audit" in html
    assert "ACTiMuS trial" in html
    assert "£50.00 raised</strong> + £12.50 Gift Aid, of £250,000 (0.02%) from 1 donor" in html
    assert 'href="/donate/actimus"' in html
    assert 'href="/donate/stem-cell-audit"' in html
    assert html.count('role="progressbar"') == 2


def test_the_fund_page_tells_the_story_the_figures_and_how_we_count(client):
    factories.payment(amount_pence=1000, email="a@example.org")
    factories.payment(amount_pence=1000, email="A@Example.org")
    factories.payment(amount_pence=2500, email="b@example.org")
    html = client.get("/funds/actimus").get_data(as_text=True)
    assert "mesenchymal" in html
    assert "£45.00 raised</strong>" in html
    assert "from 2 donors" in html, "donors are counted by lower-cased e-mail"
    assert "How we count" in html
    assert "minus refunds and money lost to disputes" in html
    assert "not part of the gift and is not counted" in html
    assert "beside what was raised, never inside it" in html


def supporters_on(client) -> str:
    html = client.get("/funds/actimus").get_data(as_text=True)
    return html.split("Recent supporters", 1)[1].split("How we count", 1)[0]


def reference_where(condition) -> str:
    return db.session.execute(select(Donation.reference).where(condition)).scalar_one()


def test_names_and_messages_show_only_once_approved_and_never_for_the_anonymous(client, runner):
    factories.payment(display_name="The Smith family", message="Go team <3")
    factories.payment(email="quiet@example.org", message="Hidden until approved")
    factories.payment(email="shy@example.org", display_name="Shy Person", anonymous=True)
    factories.payment(email="scam@example.org", display_name="Visit scam.example now")
    supporters = supporters_on(client)
    assert supporters.count("Anonymous") == 4, "nothing typed is public before staff approve"
    for unshown in ("The Smith family", "Shy Person", "scam.example", "Ada", "Go team"):
        assert unshown not in supporters

    pending = runner.invoke(args=["messages", "pending"])
    assert "Go team" in pending.output
    assert "Visit scam.example now" in pending.output
    smith = reference_where(Donation.display_name == "The Smith family")
    quiet = reference_where(Donation.message == "Hidden until approved")
    shy = reference_where(Donation.display_name == "Shy Person")
    scam = reference_where(Donation.display_name == "Visit scam.example now")
    for approved in (smith, shy):
        assert runner.invoke(args=["messages", "approve", approved]).exit_code == 0
    for rejected in (quiet, scam):
        assert runner.invoke(args=["messages", "reject", rejected]).exit_code == 0
    assert runner.invoke(args=["messages", "approve", "D-NOPE"]).exit_code != 0
    supporters = supporters_on(client)
    assert "The Smith family" in supporters
    assert "Go team &lt;3" in supporters
    assert "Shy Person" not in supporters, "an anonymous gift never shows a name"
    assert "Hidden until approved" not in supporters
    assert "scam.example" not in supporters
    assert supporters.count("Anonymous") == 3


def test_totals_check_passes_when_the_ledger_agrees(client, runner):
    factories.payment(amount_pence=2500)
    result = runner.invoke(args=["totals", "check"])
    assert result.exit_code == 0
    assert "agree" in result.output


def test_totals_check_names_the_fund_that_drifted(client, runner):
    factories.payment(amount_pence=2500)
    db.session.execute(
        update(FundTotals)
        .values(raised_pence=FundTotals.raised_pence + 1)
        .where(FundTotals.fund_id == select(Donation.fund_id).scalar_subquery())
    )
    db.session.commit()
    result = runner.invoke(args=["totals", "check"])
    assert result.exit_code == 1
    assert re.search(r"DRIFT actimus: raised_pence kept 2501, ledger says 2500", result.output)
    assert "stem-cell-audit" not in result.output


@pytest.mark.parametrize("slug", ["stem-cell-audit", "actimus"])
def test_each_fund_page_tells_donors_what_they_need_to_trust_it(client, slug):
    html = client.get(f"/funds/{slug}").get_data(as_text=True)
    for heading in (
        "What your gift pays for",
        "Who does the work",
        "When",
        "If we pass the goal, or the work cannot go ahead",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "restricted fund" in html
    assert "refund it if you ask" in html
    assert (
        "Source: MS Trust, “Could stem cell therapy work for progressive MS?”, 20 January 2016."
        in html
    )
    assert '<details class="how-we-count"' in html, "how we count folds away"
