"""Donors as people: finding one, their whole record, and merging two records of one person
without changing a single figure."""

import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from donations.claims import services as claims
from donations.extensions import db
from donations.finance import dashboard
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts import donor_records, lifecycle, plans
from donations.gifts.models import Donation, Donor, Plan, PlanStatus
from donations.ledger.totals import drift
from donations.staff.models import AuditEntry
from donations.uk_time import uk_date, uk_today
from donations.updates import consent
from donations.updates.models import ConsentSource
from tests import factories
from tests.support import give, says, sign_in, staff_post

receipts = itertools.count(1)


def cheque(first: str, last: str, amount_pence: int = 2500, **changes) -> Donation:
    """A cheque with Gift Aid declared on paper."""
    declared = {"gift_aid": True, "house": "14", "postcode": "SW1A 1AA"}
    declared["declared_on"] = date(2026, 11, 1)
    values = {**declared, "amount_pence": amount_pence, **changes}
    return factories.offline_gift(first_name=first, last_name=last, **values)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)[1]


@pytest.fixture
def two_alices(app):
    """One person, two records: a cheque signed "Alice Smith", another "alice smith"."""
    first = cheque("Alice", "Smith", 2500)
    second = cheque("alice", "smith", 4000, fund="stem-cell-audit", postcode="N1 9GU")
    ids = first.donor_id, second.donor_id
    db.session.rollback()  # SQLite: no read left open while the requests write
    return ids


def signed_in(client, role: str = "finance"):
    factories.staff(role)
    sign_in(client, f"{role}@example.org")
    return client


def test_a_donor_is_found_by_name_email_postcode_number_or_gift_reference(app, client):
    alice = cheque("Alice", "Smith", postcode="N1 9GU")
    give(client, amount="25", email="bob.jones@example.org", first_name="Bob", last_name="Jones")
    bob = db.session.execute(select(Donor).where(Donor.email == "bob.jones@example.org")).scalar()
    signed_in(client)
    for q, who in [
        ("smith", alice.donor_id),
        ("alice smith", alice.donor_id),
        ("n1 9", alice.donor_id),
        ("N19GU", alice.donor_id),
        (alice.reference.lower(), alice.donor_id),
        (str(bob.id), bob.id),
        (f"#{bob.id}", bob.id),
        ("bob.jones@", bob.id),
    ]:
        page = client.get("/finance/donors", query_string={"q": q}).get_data(as_text=True)
        found = set(map(int, re.findall(r'href="/finance/donors/(\d+)"', page)))
        assert found == {who}, q
    page = client.get("/finance/donors", query_string={"q": "%"}).get_data(as_text=True)
    assert "No donor matches" in page, "a wildcard is a character, not everyone"


def test_a_search_takes_underscores_and_backslashes_as_themselves(app, client):
    underscored = cheque("Ann_Lee", "Hall")
    cheque("AnnXLee", "Hall")
    slashed = cheque("Back\\slash", "Hall")
    surname = cheque("Ruth", "Lee_Hall")
    cheque("Ruth", "LeeXHall")
    mailed = cheque("Sam", "Hill", email="s_m@example.org")
    cheque("Sam", "Hill", email="sxm@example.org")
    signed_in(client)
    for q, who in [
        ("n_l", {underscored.donor_id}),
        ("k\\s", {slashed.donor_id}),
        ("e_h", {surname.donor_id}),
        ("s_m@", {mailed.donor_id}),
    ]:
        page = client.get("/finance/donors", query_string={"q": q}).get_data(as_text=True)
        assert set(map(int, re.findall(r'href="/finance/donors/(\d+)"', page))) == who, q


def test_donors_found_are_listed_by_surname_then_first_name_and_the_rest_newest_first(app, client):
    made = [cheque(*name) for name in (("zoë", "brontë"), ("Ada", "Byron"), ("Anne", "brontë"))]
    signed_in(client)

    def listed(**query) -> list[int]:
        page = client.get("/finance/donors", query_string=query).get_data(as_text=True)
        return [int(n) for n in re.findall(r'href="/finance/donors/(\d+)"', page)]

    zoe, ada, anne = (gift.donor_id for gift in made)
    assert listed(q="b") == [anne, zoe, ada], "brontë before Byron; Anne before zoë"
    assert listed() == [anne, ada, zoe], "without a search, the newest first"


def test_a_viewer_finds_donors_by_reference_only_and_sees_no_personal_data(app, client):
    alice = cheque("Alice", "Smith")
    signed_in(client, "viewer")
    page = client.get("/finance/donors", query_string={"q": "Smith"}).get_data(as_text=True)
    assert "No donor matches" in page
    found = client.get("/finance/donors", query_string={"q": alice.reference})
    assert f'href="/finance/donors/{alice.donor_id}"' in found.get_data(as_text=True)
    record = client.get(f"/finance/donors/{alice.donor_id}").get_data(as_text=True)
    listing = client.get("/finance/donors").get_data(as_text=True)
    for html in (found.get_data(as_text=True), record, listing):
        assert "Alice" not in html
        assert "SW1A" not in html
    assert alice.reference in record
    assert "Merge another record" not in record


def test_a_donors_page_holds_every_gift_declaration_plan_and_message(app, client):
    give(client, amount="25", email="ada@example.org", gift_aid="y", house="1", postcode="SW1A 1AA")
    give(client, frequency="monthly", amount="10", email="ada@example.org")
    donor = db.session.execute(select(Donor).where(Donor.email == "ada@example.org")).scalar()
    references = db.session.execute(
        select(Donation.reference).where(Donation.donor_id == donor.id)
    ).scalars()
    signed_in(client)
    page = client.get(f"/finance/donors/{donor.id}").get_data(as_text=True)
    for reference in references:
        assert reference in page
    assert "£10.00 a month to ACTiMuS trial: active" in page
    assert "in force" in page, "the declaration"
    assert page.count("<td>Receipt</td>") == 2
    assert "ada@example.org" in page


def everything_staff_see(client, runner) -> dict:
    """Every figure of the finance area and the public API: what a merge must not change."""
    db.session.rollback()
    today = uk_today()
    check = runner.invoke(args=["totals", "check"])
    return {
        "dashboard": [
            (f.fund.slug, f.month, f.year, f.pending_pence, f.active_plans)
            for f in dashboard.figures(today)
        ],
        "page": re.sub(
            r'name="csrf_token"[^>]*>',
            "",
            client.get("/finance/").get_data(as_text=True),
        ),
        "csv": client.get("/finance/donations/export.csv").get_data(as_text=True),
        "xlsx rows": client.get("/finance/donations/export.xlsx").status_code,
        "api": json.dumps(client.get("/api/funds").get_json(), sort_keys=True),
        "totals check": (check.exit_code, check.output),
        "drift": drift(),
        "claimable": [
            (g.donation.reference, g.assessment.claimable_pence)
            for g in claims.preview(date(2026, 4, 6), today)
        ],
    }


def test_merging_two_records_of_one_person_keeps_every_figure(two_alices, client, runner):
    keep, merged = two_alices
    give(client, amount="50", email="someone@example.org")
    signed_in(client)
    before = everything_staff_see(client, runner)
    assert before["totals check"][0] == 0

    shown = client.get(f"/finance/donors/{keep}/merge", query_string={"other": str(merged)})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "What will happen" in html
    assert "1 gift and 1 Gift Aid declaration move to donor" in html
    assert "No amount changes" in html
    assert db.session.get(Donor, merged) is not None, "looking changes nothing"

    unconfirmed = client.post(
        f"/finance/donors/{keep}/merge", data={"csrf_token": csrf(html), "other": str(merged)}
    )
    assert unconfirmed.status_code == 400
    assert "Tick to confirm these two records are the same person." in unconfirmed.get_data(
        as_text=True
    )
    db.session.rollback()
    assert db.session.get(Donor, merged) is not None

    done = client.post(
        f"/finance/donors/{keep}/merge",
        data={"csrf_token": csrf(html), "other": str(merged), "confirm": "y"},
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/finance/donors/{keep}")

    told = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Donor {merged} is now part of this donor's record." in unescape(told)

    assert everything_staff_see(client, runner) == before
    db.session.rollback()
    assert db.session.get(Donor, merged) is None
    owners = db.session.execute(select(Donation.donor_id).where(Donation.channel == "cheque"))
    assert set(owners.scalars()) == {keep}
    declared = db.session.execute(select(GiftAidDeclaration.donor_id)).scalars()
    assert set(declared) == {keep}
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "donors_merged")
    ).scalar_one()
    assert entry.subject == f"donor {keep}"
    assert json.loads(entry.detail) == {"declarations": 1, "gifts": 1, "merged": merged}
    assert "£65.00" in told, "both gifts, one person"


NUMBER_ASKED = "Enter the other donor's number (as shown on their page, e.g. 1234)."


@pytest.mark.parametrize(
    ("other", "said"),
    [
        ("", NUMBER_ASKED),
        ("abc", NUMBER_ASKED),
        ("#", NUMBER_ASKED),
        ("2147483648", NUMBER_ASKED),
        ("99999999999999999999", NUMBER_ASKED),
        ("424242", "There is no donor number 424242."),
        ("2147483647", "There is no donor number 2147483647."),
        ("self", "Choose two different donors: a donor cannot be merged into itself."),
    ],
)
def test_a_merge_that_cannot_be_is_refused_in_words_and_changes_nothing(
    two_alices, client, other, said
):
    keep, merged = two_alices
    other = str(keep) if other == "self" else other
    signed_in(client)
    shown = client.get(f"/finance/donors/{keep}/merge", query_string={"other": other})
    assert shown.status_code == 400
    html = shown.get_data(as_text=True)
    assert says(html, said)
    posted = client.post(
        f"/finance/donors/{keep}/merge",
        data={"csrf_token": csrf(html), "other": other, "confirm": "y"},
    )
    assert posted.status_code == 400
    db.session.rollback()
    assert db.session.get(Donor, merged) is not None
    assert db.session.get(Donor, keep) is not None


def test_the_other_donors_number_may_be_typed_as_shown_with_its_hash(two_alices, client):
    keep, merged = two_alices
    signed_in(client)
    shown = client.get(f"/finance/donors/{keep}/merge", query_string={"other": f" #{merged} "})
    assert shown.status_code == 200
    assert f"Donor {merged}" in shown.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kept_email", "merged_email", "said"),
    [
        (None, "b@example.org", "takes the e-mail address b@example.org."),
        ("a@example.org", "b@example.org", "keeps its own e-mail address. b@example.org stays"),
    ],
)
def test_merging_says_what_becomes_of_each_address_and_counts_only_the_others(
    app, client, kept_email, merged_email, said
):
    keep = cheque("Alice", "Smith", email=kept_email).donor_id
    merged = cheque("Alice", "Smith", email=merged_email).donor_id
    cheque("Someone", "Else")  # a declaration of a third donor moves nowhere
    db.session.rollback()
    signed_in(client)
    page = client.get(f"/finance/donors/{keep}/merge", query_string={"other": str(merged)})
    html = " ".join(unescape(page.get_data(as_text=True)).split())
    assert "1 gift and 1 Gift Aid declaration move to donor" in html
    assert said in html
    assert ("takes the e-mail address" in html) is (kept_email is None)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_finance_staff_and_admins_merge(two_alices, client, role):
    keep, merged = two_alices
    signed_in(client, role)
    assert client.get(f"/finance/donors/{keep}/merge?other={merged}").status_code == 403
    assert client.post(f"/finance/donors/{keep}/merge", data={"other": merged}).status_code in (
        400,
        403,
    )
    db.session.rollback()
    assert db.session.get(Donor, merged) is not None


def test_a_donor_number_past_any_database_integer_is_not_found(app, client):
    signed_in(client)
    assert client.get("/finance/donors/99999999999999999999").status_code == 404
    assert client.get("/finance/donors/424242").status_code == 404
    too_long = client.get("/finance/donors", query_string={"q": "9999999999"})
    assert too_long.status_code == 200, "ten digits are past PostgreSQL's integer"
    assert client.get("/finance/donors?q=a%00b").status_code == 400


def test_a_merged_record_takes_the_later_choice_and_the_address_it_lacked(app, client):
    kept = cheque("Alice", "Smith")
    give(client, amount="25", email="alice@example.org", first_name="Alice", last_name="Smith")
    online = db.session.execute(select(Donor).where(Donor.email == "alice@example.org")).scalar()
    earlier = datetime(2026, 11, 1, tzinfo=UTC)
    alice = db.session.get(Donor, kept.donor_id)
    consent.record(alice, True, ConsentSource.OFFLINE, at=earlier, wording_version="offline-1")
    consent.record(online, False, ConsentSource.PREFERENCES, at=earlier + timedelta(days=3))
    db.session.commit()
    signed_in(client)
    html = client.get(f"/finance/donors/{kept.donor_id}/merge?other={online.id}").get_data(
        as_text=True
    )
    assert f"Donor {kept.donor_id} takes the e-mail address alice@example.org." in html
    assert "keeps its own e-mail address" not in html, "no address is let go: it is taken"
    posted = client.post(
        f"/finance/donors/{kept.donor_id}/merge",
        data={"csrf_token": csrf(html), "other": online.id, "confirm": "y"},
    )
    assert posted.status_code == 303
    db.session.rollback()
    donor = db.session.get(Donor, kept.donor_id)
    assert donor.email == "alice@example.org"
    assert not consent.consenting(donor.id), "the later choice (stopped) stands"
    assert len(consent.evidence_of(donor.id)) == 2, "both choices kept as evidence"


def test_a_donors_figures_are_their_gifts_what_stands_of_them_and_their_first_and_last_day(app):
    """Recorded out of order (the later cheque first), refunded in part, beside another
    donor: each record's own count, net and days; their gifts and declarations newest first
    by the day they were given and made, not the order they were typed in."""
    later = cheque(
        "Mary",
        "Seacole",
        4000,
        received_on=date(2026, 11, 2),
        email="mary@example.org",
        declared_on=date(2026, 11, 2),
    )
    earlier = cheque(
        "Mary",
        "Seacole",
        2500,
        received_on=date(2026, 10, 1),
        email="mary@example.org",
        declared_on=date(2026, 10, 1),
    )
    cheque("Zed", "Zebra", 1000, received_on=date(2026, 11, 3), email="zed@example.org")
    factories.refund(later, 500)
    assert later.donor_id == earlier.donor_id
    (mary,) = donor_records.search("Seacole", personal=True)
    assert (mary.gifts, mary.given_pence) == (2, 6000)
    assert (uk_date(mary.first_gift_at), uk_date(mary.last_gift_at)) == (
        date(2026, 10, 1),
        date(2026, 11, 2),
    )
    listed = {
        row.donor.last_name: (row.gifts, row.given_pence)
        for row in donor_records.search(None, personal=True)
    }
    assert listed == {"Seacole": (2, 6000), "Zebra": (1, 1000)}
    summary = donor_records.row(mary.donor)
    assert (summary.gifts, summary.given_pence) == (2, 6000)
    assert [gift.id for gift in donor_records.gifts_of(mary.donor.id)] == [later.id, earlier.id]
    declared = [d.declared_at for d in donor_records.declarations_of(mary.donor.id)]
    assert [uk_date(at) for at in declared] == [date(2026, 11, 2), date(2026, 10, 1)]


def test_a_donors_page_says_since_when_a_plan_was_cancelled_and_nothing_of_a_pause(app, client):
    """A cancelled plan says the day it ended; a plan only past due has no such day; news of
    a cancelled plan that comes later changes nothing."""
    give(client, frequency="monthly", amount="10", email="ada@example.org")
    give(client, frequency="monthly", amount="20", email="ada@example.org")
    first, second = db.session.execute(select(Plan).order_by(Plan.id)).scalars()
    assert plans.change_plan(first, PlanStatus.CANCELLED, "customer.subscription.deleted")
    assert plans.change_plan(second, PlanStatus.PAST_DUE, "invoice.payment_failed")
    assert not plans.change_plan(first, PlanStatus.ACTIVE, "a late invoice.paid")
    assert not plans.change_plan(second, PlanStatus.PAST_DUE, "invoice.payment_failed again")
    db.session.commit()
    signed_in(client)
    page = client.get(f"/finance/donors/{first.donation.donor_id}").get_data(as_text=True)
    today = uk_today().strftime("%-d %b %Y")
    assert f"£10.00 a month to ACTiMuS trial: cancelled since {today}" in page
    assert "£20.00 a month to ACTiMuS trial: past due (" in page


def test_a_postcode_finds_a_donor_by_their_gifts_or_by_their_declaration(app, client):
    by_gift = cheque("Gina", "Gift", postcode="E1 6AN")
    by_gift.declaration.postcode = "W1A 1AA"  # the declaration corrected since: they moved
    by_declaration = cheque("Dora", "Declared", postcode="N1 9GU")
    by_declaration.postcode = None  # the address given with the declaration only
    db.session.commit()
    signed_in(client)
    for q, who in [("e1 6", by_gift.donor_id), ("N19GU", by_declaration.donor_id)]:
        page = client.get("/finance/donors", query_string={"q": q}).get_data(as_text=True)
        assert set(map(int, re.findall(r'href="/finance/donors/(\d+)"', page))) == {who}, q


def test_a_percent_sign_is_searched_for_as_itself(app, client):
    club = cheque("100%", "Club")
    cheque("1000", "Club")
    signed_in(client)
    page = client.get("/finance/donors", query_string={"q": "0% c"}).get_data(as_text=True)
    assert set(map(int, re.findall(r'href="/finance/donors/(\d+)"', page))) == {club.donor_id}


def test_a_search_lists_fifty_donors_at_most(app, client):
    for n in range(51):
        cheque(f"Pat{n:02d}", "Many")
    signed_in(client)
    page = client.get("/finance/donors", query_string={"q": "many"}).get_data(as_text=True)
    assert len(re.findall(r'href="/finance/donors/(\d+)"', page)) == 50


def test_a_donors_plans_are_their_own_newest_first(app):
    first = factories.payment(frequency="monthly", email="plans@example.org")
    someone = factories.payment(frequency="monthly", email="someone@example.org")
    second = factories.payment(frequency="monthly", email="plans@example.org")
    plans.begin_plan(someone, "sub_someone_elses", None)
    older = plans.begin_plan(first, "sub_older", None)
    older.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    plans.begin_plan(second, "sub_newer", None)
    db.session.commit()
    mine = [plan.subscription_id for plan in donor_records.plans_of(first.donor_id)]
    assert mine == ["sub_newer", "sub_older"]


def test_a_donor_whose_only_payment_the_ledger_already_held_has_no_gifts_and_nothing_given(app):
    """A payment brought twice under two donations (the same PaymentIntent): the ledger keeps
    the first; the second's donor is listed with nothing counted."""
    factories.payment(source_ref="pi_brought_twice", email="first@example.org")
    second = factories.donation(email="second@example.org")
    assert lifecycle.mark_paid(second, "pi_brought_twice") is None
    db.session.commit()
    (row,) = donor_records.search("second@example.org", personal=True)
    assert (row.donor.email, row.gifts, row.given_pence, row.first_gift_at, row.last_gift_at) == (
        "second@example.org",
        0,
        0,
        None,
        None,
    )


def test_a_donors_page_shows_their_research_updates_choice_only_to_those_who_see_people(
    app, client
):
    kept = cheque("Ada", "Lovelace", email="ada@example.org")
    ada = db.session.get(Donor, kept.donor_id)
    consent.record(ada, True, ConsentSource.OFFLINE, wording_version="offline-1")
    factories.staff("viewer")
    db.session.commit()
    signed_in(client)
    shown = client.get(f"/finance/donors/{ada.id}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "<h2>Research updates</h2>" in html
    assert "Today: <strong>receiving them</strong>" in html
    declaring = re.search(r'action="[^"]*/declarations"[^>]*>(.*?)</form>', html, re.S)
    assert declaring is not None
    assert 'name="csrf_token"' in declaring[1], "ready to send"
    staff_post(client, "/finance/logout")
    sign_in(client, "viewer@example.org")
    viewed = client.get(f"/finance/donors/{ada.id}").get_data(as_text=True)
    assert "Research updates" not in viewed, "a viewer sees no personal choices"
    assert "Record a Gift Aid declaration" not in viewed


def test_the_declaration_form_starts_with_the_address_of_the_donors_last_declaration(app, client):
    kept = cheque("Ada", "Lovelace", house="14", postcode="SW1A 1AA")
    signed_in(client)
    html = client.get(f"/finance/donors/{kept.donor_id}").get_data(as_text=True)

    def value(name: str) -> str:
        return re.search(rf'id="declare-{name}" name="{name}" type="text" value="([^"]*)"', html)[1]

    assert (value("house"), value("address"), value("postcode")) == ("14", "", "SW1A 1AA")
    assert 'value="yes" checked' not in html, "a UK address is not marked as abroad"
