"""Supporters' own pages: started without a password, kept through signed links, public once
confirmed and approved; gifts through them count toward the page, its appeal and its fund;
the supporter hears of each gift; and what an attacker might try with the links."""

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from donations.extensions import db
from donations.funds import fundraisers
from donations.funds import services as funds
from donations.funds.models import Fundraiser
from donations.gifts.models import Donation
from donations.images.models import StoredImage
from donations.ledger.totals import drift
from donations.receipts.models import OutboxMessage
from donations.staff.models import AuditEntry
from donations.transaction import commit
from donations.uk_time import uk_today
from tests import factories
from tests.support import count, csrf_token, form_tokens, sandbox_pay, sign_in, submit_gift

START = {
    "given_to": "fund:actimus",
    "first_name": "Ada",
    "last_name": "Runner",
    "email": "Ada.Runner@example.org",
    "slug": "ada-runs-london",
    "title": "Ada runs the London Marathon",
    "story": "I run for my mum, who has **progressive MS**.",
    "target": "500",
}


def start(client, **fields):
    token = csrf_token(client, "/fundraising/start")
    return client.post("/fundraising/start", data={"csrf_token": token, **START, **fields})


def messages_to(address: str) -> list[OutboxMessage]:
    db.session.rollback()  # a fresh read, after the request's own transaction
    statement = select(OutboxMessage).where(OutboxMessage.to_address == address)
    return list(db.session.execute(statement.order_by(OutboxMessage.id)).scalars())


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/fundraising/\S+/manage/\S+)", message.body).group(1)


def page(slug="ada-runs-london") -> Fundraiser:
    db.session.rollback()
    return funds.fundraiser_by_slug(slug)


def test_a_page_is_public_once_its_owner_confirmed_and_staff_approved(client):
    response = start(client)
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert client.get("/fundraising/ada-runs-london").status_code == 404

    [message] = messages_to("ada.runner@example.org")
    assert message.subject == "Confirm your fundraising page"
    opened = client.get(link_in(message))
    assert opened.status_code == 200
    assert opened.headers["Cache-Control"] == "no-store"
    assert "waiting for the charity&#39;s approval" in opened.get_data(as_text=True)
    assert page().email_confirmed_at is not None
    assert client.get("/fundraising/ada-runs-london").status_code == 404

    fundraisers.approve(page())
    commit()
    shown = client.get("/fundraising/ada-runs-london").get_data(as_text=True)
    assert "Ada runs the London Marathon" in shown
    assert "<strong>progressive MS</strong>" in shown
    assert "Ada Runner is raising money for the" in shown
    assert "Give to Ada&#39;s page" in shown
    assert [m.subject for m in messages_to("ada.runner@example.org")][-1] == (
        "Your fundraising page is live"
    )


def test_pages_may_go_live_once_confirmed_when_the_charity_says_so(make_app, reset_database):
    app = make_app(FUNDRAISING_LIVE_AT_ONCE=True)
    reset_database(app)
    with app.app_context():
        client = app.test_client()
        start(client)
        client.get(link_in(messages_to("ada.runner@example.org")[0]))
        assert client.get("/fundraising/ada-runs-london").status_code == 200
        assert page().approved_at is None, "staff review it after"


def test_a_gift_through_a_page_counts_toward_the_page_its_appeal_and_its_fund(client):
    appeal = factories.appeal()
    supporter = factories.fundraiser(given_to=appeal)
    factories.payment(through=supporter, amount_pence=4000, gift_aid=True)
    factories.payment(through=appeal, amount_pence=1000, email="b@example.org")
    factories.payment(amount_pence=500, email="c@example.org")

    page_json = client.get("/api/fundraising/ada-runs").json
    assert (page_json["raised_pence"], page_json["gift_aid_pence"]) == (4000, 1000)
    assert (page_json["kind"], page_json["fund"], page_json["appeal"]) == (
        "fundraiser",
        "actimus",
        "winter-appeal",
    )
    assert page_json["goal_pence"] == 50_000
    assert page_json["donate_url"] == "http://localhost/donate?fundraiser=ada-runs"
    assert client.get("/api/appeals/winter-appeal").json["raised_pence"] == 5000
    assert client.get("/api/funds/actimus").json["raised_pence"] == 5500
    gift = db.session.execute(select(Donation).where(Donation.amount_pence == 4000)).scalar_one()
    assert gift.sponsored, "HMRC's schedule marks sponsorship"
    assert drift() == []


def test_the_form_says_whose_page_and_which_fund_and_records_it(client):
    factories.fundraiser()
    form = client.get("/donate?fundraiser=ada-runs").get_data(as_text=True)
    assert "Your gift to <strong>Ada Runner's page</strong>" in form
    assert "goes to the <strong>ACTiMuS trial</strong>" in form
    assert "Sponsoring Ada?" in form
    tokens = form_tokens(client, "/donate?fundraiser=ada-runs")
    response = submit_gift(client, tokens, fundraiser="ada-runs", fund="stem-cell-audit")
    assert response.status_code == 303
    sandbox_pay(client, response.headers["Location"])
    given = db.session.execute(select(Donation)).scalar_one()
    assert (given.fundraiser.slug, given.fund.slug) == ("ada-runs", "actimus")
    assert client.get("/api/fundraising/ada-runs").json["raised_pence"] == 2500


def test_the_supporter_hears_of_each_gift_naming_only_donors_who_chose_to_be_named(client):
    supporter = factories.fundraiser(goal_pence=5000)
    factories.payment(through=supporter, amount_pence=1000, display_name="Uncle Bob")
    factories.payment(
        through=supporter, amount_pence=1000, display_name="Secret", anonymous=True,
        email="s@example.org",
    )  # fmt: skip
    factories.payment(through=supporter, amount_pence=3000, email="t@example.org")
    told = messages_to("runner@example.org")
    gifts = [m for m in told if m.subject.startswith("A gift of")]
    assert [m.subject for m in gifts] == [
        "A gift of £10.00 to your page",
        "A gift of £10.00 to your page",
        "A gift of £30.00 to your page",
    ]
    assert "Uncle Bob has given £10.00" in gifts[0].body
    assert "Someone has given £10.00" in gifts[1].body
    assert "Secret" not in gifts[1].body
    reached = [m for m in told if m.subject == "You have reached your target"]
    assert len(reached) == 1
    factories.payment(through=supporter, amount_pence=1000, email="u@example.org")
    assert len([m for m in messages_to("runner@example.org") if "target" in m.subject]) == 1


def test_a_supporter_may_stop_the_gift_e_mails(client):
    supporter = factories.fundraiser()
    token = fundraisers.edit_token(supporter)
    link = f"/fundraising/ada-runs/manage/{token}"
    data = {
        "csrf_token": csrf_token(client, link),
        "title": "Ada runs London",
        "story": "For my mum.",
        "target": "500",
    }  # notify_gifts unticked
    assert client.post(link, data=data).status_code == 303
    factories.payment(through=page("ada-runs"), amount_pence=1000)
    assert not [m for m in messages_to("runner@example.org") if "gift" in m.subject]


# --- what an attacker might try -------------------------------------------------------------


def test_another_persons_link_or_a_tampered_slug_opens_nothing(client):
    mine = factories.fundraiser()
    factories.fundraiser("bo-bakes", email="bo@example.org", name="Bo bakes")
    my_token = fundraisers.edit_token(mine)
    # one character of the signature changed (not the last, whose spare bits may not count)
    changed = "A" if my_token[-6] != "A" else "B"
    tampered = f"{my_token[:-6]}{changed}{my_token[-5:]}"
    for path in (
        f"/fundraising/bo-bakes/manage/{my_token}",  # my link, their page
        f"/fundraising/ada-runs/manage/{tampered}",
        "/fundraising/ada-runs/manage/not-a-token",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "does not open a page" in response.get_data(as_text=True)
    post = client.post(
        f"/fundraising/bo-bakes/manage/{my_token}",
        data={
            "csrf_token": csrf_token(client, "/fundraising/start"),
            "title": "Pwned",
            "story": "x",
            "target": "10",
        },
    )
    assert post.status_code == 403
    assert page("bo-bakes").name == "Bo bakes"


def test_an_expired_link_opens_nothing(client, monkeypatch):
    supporter = factories.fundraiser()
    token = fundraisers.edit_token(supporter)
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.get(f"/fundraising/ada-runs/manage/{token}")
    assert response.status_code == 403
    assert "This link has expired." in response.get_data(as_text=True)


def test_a_fresh_link_ends_the_older_ones_and_says_nothing_of_who_has_a_page(client):
    factories.fundraiser()
    old = fundraisers.edit_token(page("ada-runs"))
    for address in ("runner@example.org", "nobody@example.org"):
        token = csrf_token(client, "/fundraising/link")
        sent = client.post("/fundraising/link", data={"csrf_token": token, "email": address})
        assert "If you have a page with us under that address" in sent.get_data(as_text=True)
    [fresh] = [m for m in messages_to("runner@example.org") if "link" in m.subject]
    assert not messages_to("nobody@example.org")
    replayed = client.get(f"/fundraising/ada-runs/manage/{old}")
    assert replayed.status_code == 403
    assert "A newer link has been sent" in replayed.get_data(as_text=True)
    assert client.get(link_in(fresh)).status_code == 200


def test_a_hidden_page_cannot_be_edited_or_seen(client):
    supporter = factories.fundraiser()
    token = fundraisers.edit_token(supporter)
    funds.set_hidden(supporter, True)
    commit()
    assert client.get("/fundraising/ada-runs").status_code == 404
    assert client.get("/api/fundraising/ada-runs").status_code == 404
    response = client.get(f"/fundraising/ada-runs/manage/{token}")
    assert response.status_code == 403
    assert "taken this page down" in response.get_data(as_text=True)


def test_html_in_a_title_is_refused_and_in_a_story_shown_as_words(client):
    refused = start(client, title="<script>alert(1)</script>")
    assert refused.status_code == 400
    assert "cannot contain HTML" in refused.get_data(as_text=True)
    assert count(Fundraiser) == 0
    story = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
    assert start(client, story=story).status_code == 200
    supporter = page()
    fundraisers.confirm(supporter)
    fundraisers.approve(supporter)
    commit()
    shown = client.get("/fundraising/ada-runs-london").get_data(as_text=True)
    assert "<script>alert(1)" not in shown
    assert "<img src=x" not in shown
    assert 'href="javascript:' not in shown


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        ("start", "own words: choose another"),
        ("admin", "own words: choose another"),
        ("\u0430da-runs", "lower-case letters a to z"),  # Cyrillic a
        ("ADA-RUNS", "lower-case letters a to z"),
        ("ada_runs", "lower-case letters a to z"),
        ("ada-runs", "taken"),
    ],
)
def test_a_reserved_look_alike_or_taken_address_is_refused(client, slug, words):
    factories.fundraiser()
    response = start(client, slug=slug)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert count(Fundraiser) == 1


def test_starting_pages_in_bulk_from_one_address_is_paused(make_app, reset_database):
    app = make_app(FUNDRAISING_RATE_LIMIT="3 per hour")
    reset_database(app)
    with app.app_context():
        client = app.test_client()
        statuses = [start(client, slug=f"page-number-{n}").status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert count(Fundraiser) == 3


def test_a_photo_needs_words_for_people_who_cannot_see_it(client):
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 90, 160)).save(picture, "PNG")
    token = csrf_token(client, "/fundraising/start")
    data = {"csrf_token": token, **START, "photo": (io.BytesIO(picture.getvalue()), "me.png")}
    response = client.post("/fundraising/start", data=data, content_type="multipart/form-data")
    page_html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="image_alt-error"' in page_html
    assert "Say what the image shows" in page_html
    assert count(Fundraiser) == count(StoredImage) == 0


def test_a_target_must_be_between_ten_pounds_and_a_million(client):
    for target in ("5", "1000001", "lots"):
        assert start(client, target=target).status_code == 400, target
    assert count(Fundraiser) == 0


# --- staff, money paid in, and the pages around it ----------------------------------------


def test_staff_approve_edit_and_hide_and_each_is_audited(client):
    supporter = factories.fundraiser(public=False)
    fundraisers.confirm(supporter)
    commit()
    factories.staff("editor")
    sign_in(client, "editor@example.org")
    listed = client.get("/finance/fundraising").get_data(as_text=True)
    assert "waiting for the charity&#39;s approval" in listed
    assert "runner@example.org" not in listed, "an editor sees no one's address"
    token = csrf_token(client, "/finance/fundraising")
    for change in ("approve", "hide"):
        response = client.post(
            "/finance/fundraising/ada-runs/state", data={"csrf_token": token, "change": change}
        )
        assert response.status_code == 303
    edited = client.post(
        "/finance/fundraising/ada-runs",
        data={"csrf_token": token, "name": "Ada runs", "story": "Edited.", "goal": "600"},
    )
    assert edited.status_code == 303
    actions = db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars()
    assert [a for a in actions if a.startswith("fundraiser")] == [
        "fundraiser_started",
        "fundraiser_changed",  # approved
        "fundraiser_changed",  # hidden
        "fundraiser_changed",  # edited
    ]
    assert page("ada-runs").hidden
    assert page("ada-runs").goal_pence == 60_000


def test_money_paid_in_offline_counts_toward_the_page(client):
    factories.fundraiser()
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    data = {
        "csrf_token": csrf_token(client, "/finance/offline"),
        "fund": "actimus",
        "amount": "42.50",
        "received_on": uk_today().isoformat(),
        "method": "cash",
        "receipt_reference": "BAKE-1",
        "first_name": "Bake",
        "last_name": "Sale",
        "fundraiser": "ada-runs",
    }
    response = client.post("/finance/offline", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.get("/api/fundraising/ada-runs").json["raised_pence"] == 4250
    wrong = client.post(
        "/finance/offline",
        data={
            **data,
            "csrf_token": csrf_token(client, "/finance/offline"),
            "receipt_reference": "BAKE-2",
            "fund": "stem-cell-audit",
        },
    )
    assert "That page raises money for the ACTiMuS trial" in wrong.get_data(as_text=True)


def test_the_fund_and_appeal_pages_list_their_top_pages(client):
    appeal = factories.appeal()
    first = factories.fundraiser("top-page", given_to=appeal, name="Top page")
    second = factories.fundraiser("next-page", name="Next page", email="n@example.org")
    factories.fundraiser("quiet-page", name="Quiet page", email="q@example.org")
    factories.payment(through=first, amount_pence=9000)
    factories.payment(through=second, amount_pence=3000, email="x@example.org")
    fund_page = client.get("/funds/actimus").get_data(as_text=True)
    assert fund_page.index("Top page") < fund_page.index("Next page")
    assert "Quiet page" not in fund_page, "nothing raised yet"
    appeal_page = client.get("/appeals/winter-appeal").get_data(as_text=True)
    assert "Top page" in appeal_page
    assert "Next page" not in appeal_page


def test_records_and_exports_carry_the_page(client):
    supporter = factories.fundraiser()
    factories.payment(through=supporter, amount_pence=4000)
    factories.payment(amount_pence=1000, email="b@example.org")
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/finance/donations/export.csv?fundraiser=ada-runs").get_data(
                    as_text=True
                )
            )
        )
    )
    assert [(row["fundraiser"], row["amount"]) for row in rows] == [("ada-runs", "40.00")]
    refused = client.get("/finance/donations?fundraiser=nope").get_data(as_text=True)
    assert "Enter the web address of a fundraising page." in refused


def test_a_page_closes_some_days_after_its_event_and_keeps_its_figures(client):
    event = uk_today() - timedelta(days=29)
    supporter = factories.fundraiser(event_on=event)
    assert supporter.closes_on == event + timedelta(days=28)
    assert client.get("/api/fundraising/ada-runs").json["status"] == "closed"
    refused = client.get("/donate?fundraiser=ada-runs")
    assert refused.status_code == 410
    assert "has closed" in client.get("/fundraising/ada-runs").get_data(as_text=True)


def test_the_embed_family_works_for_a_page(client):
    factories.fundraiser()
    for path in (
        "/api/fundraising/ada-runs",
        "/fundraising/ada-runs/progress.svg",
        "/embed/fundraising/ada-runs",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    builder = client.get("/fundraising/ada-runs/embed").get_data(as_text=True)
    assert '&lt;donation-progress fundraiser="ada-runs"&gt;' in builder
