"""Research updates: written by staff, on the fund's page and feed, and e-mailed through a
real SMTP server to exactly the donors who asked (RFC 8058 one-click unsubscribe included)."""

import re
from email.utils import parseaddr
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser
import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donor
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import send_queued
from donations.transaction import commit
from donations.updates import consent, services
from donations.updates.models import ConsentRecord, ConsentSource, Subscription, SuppressedAddress
from tests import factories
from tests.support import sign_in, staff_post

ATTACKS = (
    "Good news.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3)) and <iframe src=https://evil.example></iframe>"
)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        ours = tag == "script" and (dict(attrs).get("src") or "").startswith("/static/")
        if tag in ("script", "iframe", "object", "embed", "style") and not ours:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}")


def live_markup(html: str) -> list[str]:
    """Script, frames, handlers and javascript: links that a browser would act on."""
    parser = Tags()
    parser.feed(html)
    return parser.found


def client_for(app):
    return app.test_client()


def signed_in(app, role: str):
    """A client signed in to the finance area as a new member of staff with this role."""
    client = client_for(app)
    factories.staff(role, f"{role}@charity.example")
    sign_in(client, f"{role}@charity.example")
    return client


def donors(fund_slug: str, consenting: int, not_consenting: int, prefix: str) -> list[str]:
    """Paid donors of a fund, the first `consenting` having ticked the box; their addresses."""
    addresses = []
    for n in range(consenting + not_consenting):
        address = f"{prefix}{n}@example.org"
        factories.payment(fund_slug, email=address, marketing_consent=n < consenting)
        addresses.append(address)
    return addresses


def published(fund_slug: str, title: str, body: str = "The first results.", send=True):
    update = services.save(None, fund_id=factories.fund(fund_slug).id, title=title, body=body)
    services.publish(update, send=send)
    commit()
    return update


def one_reader_sent(smtp, title: str, body: str = "The first results."):
    """One consenting donor of the ACTiMuS trial, sent one update: (their address, the
    e-mail as the server took it)."""
    mailbox, _ = smtp
    [address] = donors("actimus", 1, 0, title.lower()[:3])
    published("actimus", title, body=body)
    send_all()
    [message] = mailbox.titled(title)
    return address, message


def send_all() -> None:
    send_queued(limit=10_000)
    send_queued(limit=10_000, bulk=True)


def test_an_update_reaches_exactly_the_donors_who_asked_and_one_click_stops_them(mail_app, smtp):
    mailbox, _ = smtp
    actimus = donors("actimus", consenting=3, not_consenting=2, prefix="a")
    [audit_donor] = donors("stem-cell-audit", consenting=1, not_consenting=0, prefix="s")
    client = signed_in(mail_app, "editor")
    response = staff_post(
        client,
        "/finance/updates/new",
        {"fund": "actimus", "title": "The trial's first patients", "body": "They are **well**."},
        page="/finance/updates/new",
    )
    assert response.status_code == 303
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/finance/updates/{update_id}").get_data(as_text=True)
    assert "3 donors of the ACTiMuS" in page or "3 donors" in page
    response = staff_post(
        client,
        f"/finance/updates/{update_id}/publish",
        {"send": "y"},
        page=f"/finance/updates/{update_id}",
    )
    assert response.status_code == 303
    send_all()

    for address in actimus:
        receipts = [m for m in mailbox.to(address) if m["Subject"].startswith("Thank you")]
        assert len(receipts) == 1, "every donor's receipt, consent or not: it is not marketing"
    got = mailbox.titled("The trial's first patients")
    assert sorted(parseaddr(m["To"])[1] for m in got) == actimus[:3], "the 3 who asked, once each"
    assert not mailbox.to(audit_donor) or all(
        m["Subject"] != got[0]["Subject"] for m in mailbox.to(audit_donor)
    )
    for message in got:
        header = message["List-Unsubscribe"]
        assert header.startswith(f"<{mail_app.config['PUBLIC_URL']}/unsubscribe/")
        assert header.endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_body(("plain",)).get_content().count("They are **well**.") == 1
        html = message.get_body(("html",)).get_content()
        assert "<strong>well</strong>" in html
        assert "registered charity" in html

    leaving = got[0]
    url = leaving["List-Unsubscribe"].strip("<>")
    answer = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert "no more research updates" in answer.get_data(as_text=True)

    mailbox.messages.clear()
    published("actimus", "Six months on")
    send_all()
    again = sorted(parseaddr(m["To"])[1] for m in mailbox.titled("Six months on"))
    assert again == sorted(set(actimus[:3]) - {parseaddr(leaving["To"])[1]})
    assert not mailbox.to(audit_donor), "a donor of the other fund hears nothing of this one"


def test_the_unsubscribe_page_asks_first_and_a_stranger_link_opens_nothing(mail_app, smtp):
    address, message = one_reader_sent(smtp, "News")
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    client = client_for(mail_app)
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop all research updates" in page.get_data(as_text=True)
    assert address not in page.get_data(as_text=True), "the address is only hinted at"
    donor_id = message_donor(address)
    assert consent.consenting(donor_id), "opening the page (or a scanner fetching it) stops nothing"
    for forged in (path + "x", "/unsubscribe/example", "/unsubscribe/" + "A" * 40):
        assert client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert consent.consenting(donor_id)
    assert client.post(path).status_code == 200, "the page's own button needs no token"
    assert not consent.consenting(donor_id)
    [last] = consent.evidence_of(donor_id)[:1]
    assert (last.given, last.source) == (False, "unsubscribe page")


def message_donor(address: str) -> int:
    return (
        db.session.execute(
            select(OutboxMessage.donor_id).where(
                OutboxMessage.to_address == address, OutboxMessage.donor_id.is_not(None)
            )
        )
        .scalars()
        .first()
    )


def test_a_permanent_refusal_marks_the_address_and_it_is_skipped_next_time(mail_app, smtp):
    mailbox, _ = smtp
    addresses = donors("actimus", 2, 0, "r")
    mailbox.refuse.add(addresses[0])
    first = published("actimus", "First")
    send_all()
    assert [m["To"] for m in mailbox.titled("First")] == [addresses[1]]
    assert services.progress(first) == {"sent": 1, "failed": 1, "queued": 0}
    published("actimus", "Second")
    assert services.recipient_count(factories.fund("actimus").id) == 1
    send_all()
    assert [m["To"] for m in mailbox.titled("Second")] == [addresses[1]]


def test_an_update_is_queued_once_whoever_presses_publish(mail_app, smtp):
    donors("actimus", 2, 0, "q")
    update = published("actimus", "Once")
    assert update.recipients == 2
    try:
        services.queue_emails(update)
    except services.UpdateError:
        db.session.rollback()
    else:
        raise AssertionError("a second queueing was allowed")
    assert db.session.query(OutboxMessage).filter_by(writer="research-update").count() == 2


def test_someone_who_stops_before_their_turn_is_not_sent_it(mail_app, smtp):
    mailbox, _ = smtp
    first, second = donors("actimus", 2, 0, "t")
    published("actimus", "Queued")
    donor = db.session.get(Subscription, message_donor(second))
    consent.withdraw(db.session.get(Donor, donor.donor_id), ConsentSource.PREFERENCES)
    commit()
    send_all()
    assert [m["To"] for m in mailbox.titled("Queued")] == [first]


def test_preferences_choose_funds_and_consent_again_is_evidence(mail_app, smtp):
    address, message = one_reader_sent(smtp, "Hello")
    html = message.get_body(("html",)).get_content()
    path = re.search(r'href="http://localhost(/updates/preferences/[^"]+)"', html).group(1)
    client = client_for(mail_app)
    page = client.get(path).get_data(as_text=True)
    funds = {f.slug: f.id for f in [factories.fund("actimus"), factories.fund("stem-cell-audit")]}
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(
        path, data={"csrf_token": token, "receive": "yes", "funds": [funds["stem-cell-audit"]]}
    )
    assert answer.status_code == 200
    assert "Saved." in answer.get_data(as_text=True)
    assert services.recipient_count(funds["actimus"]) == 0, "turned off the fund they gave to"
    assert services.recipient_count(funds["stem-cell-audit"]) == 1, "chose one they never gave to"
    answer = client.post(path, data={"csrf_token": token, "receive": "no"})
    donor_id = message_donor(address)
    assert not consent.consenting(donor_id)
    client.post(path, data={"csrf_token": token, "receive": "yes", "funds": [funds["actimus"]]})
    records = consent.evidence_of(donor_id)
    assert [(r.given, r.source, r.wording_version) for r in records[:2]] == [
        (True, "preferences page", "preferences-1"),
        (False, "preferences page", None),
    ]
    assert records[-1].source == "donation form"
    assert records[-1].wording_version == "form-1"
    assert client.post(path, data={"receive": "yes"}).status_code == 400, "no CSRF token, no change"


def test_the_feed_and_pages_show_published_updates_newest_first_and_no_markup_runs(mail_app, smtp):
    client = client_for(mail_app)
    published("actimus", "Older", send=False)
    published("actimus", "Newer <b>bold</b>", body=ATTACKS, send=False)
    draft = services.save(None, fund_id=factories.fund("actimus").id, title="Draft", body="x")
    commit()
    feed = client.get("/funds/actimus/updates.atom")
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    parsed = feedparser.parse(feed.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == ["Newer <b>bold</b>", "Older"]
    content = parsed.entries[0].content[0].value
    pages = [
        client.get(p).get_data(as_text=True) for p in ("/funds/actimus/updates", "/funds/actimus")
    ]
    for html in (content, *pages):
        assert live_markup(html) == [], "every attack shows as words, none runs"
        assert "Good news." in html
    for html in pages:
        assert draft.title not in html.split("<main", 1)[1], "a draft is seen by no one"
    page = client.get("/funds/actimus/updates").get_data(as_text=True)
    assert page.count('<h2 class="update__title">') == 2, "each update heads its own part"
    assert '<h3 class="update__title">' in pages[1], "under 'Research updates' on the fund page"
    assert page.index("Newer &lt;b&gt;bold&lt;/b&gt;") < page.index("Older")
    assert client.get("/funds/no-such-fund/updates.atom").status_code == 404


def test_erasure_forgets_consent_but_an_unsubscribed_address_stays_suppressed(mail_app, smtp):
    [address] = donors("actimus", 1, 0, "e")
    donor_id = db.session.execute(select(Donor.id).where(Donor.email == address)).scalar_one()
    consent.withdraw(db.session.get(Donor, donor_id), ConsentSource.ONE_CLICK)
    commit()
    client = signed_in(mail_app, "admin")
    response = staff_post(
        client,
        "/finance/erasure",
        {"email": address, "reason": "Asked by e-mail", "confirm": "y"},
        page="/finance/erasure",
    )
    assert response.status_code == 303
    assert db.session.query(ConsentRecord).count() == 0
    assert db.session.query(Subscription).count() == 0
    assert db.session.query(SuppressedAddress).count() == 1
    again = factories.payment("actimus", email=address).donor
    consent.record(again, True, ConsentSource.OFFLINE)
    commit()
    assert services.recipient_count(factories.fund("actimus").id) == 0, "staff's record: still no"
    factories.payment("actimus", email=address, marketing_consent=True)
    assert services.recipient_count(factories.fund("actimus").id) == 1, "their own new tick: yes"
    assert db.session.query(SuppressedAddress).count() == 0


def test_published_first_e_mailed_later_and_never_twice_from_the_staff_page(mail_app, smtp):
    donors("actimus", 2, 0, "l")
    update = published("actimus", "Later", send=False)
    client = signed_in(mail_app, "editor")
    page = client.get(f"/finance/updates/{update.id}").get_data(as_text=True)
    assert "E-mail it to the 2 donors who asked" in page
    path = f"/finance/updates/{update.id}/publish"
    assert staff_post(client, path, {"send": "y"}, page="/finance/updates").status_code == 303
    again = staff_post(client, path, {"send": "y"}, page="/finance/updates")
    assert again.status_code == 400
    assert "queued already" in again.get_data(as_text=True)
    assert services.progress(update) == {"sent": 0, "failed": 0, "queued": 2}
    page = client.get(f"/finance/updates/{update.id}").get_data(as_text=True)
    assert "E-mail it to" not in page
    assert "Queued for 2 donors" in page


@pytest.mark.parametrize("role", ["finance", "viewer"])
def test_only_admins_and_editors_write_updates(mail_app, smtp, role):
    client = signed_in(mail_app, role)
    for path in ("/finance/updates", "/finance/updates/new"):
        assert client.get(path).status_code == 403, path


def test_markdown_attacks_reach_the_email_only_as_words(mail_app, smtp):
    _, message = one_reader_sent(smtp, "Careful", body=ATTACKS)
    html = message.get_body(("html",)).get_content()
    assert live_markup(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in message.get_body(("plain",)).get_content(), (
        "plain text shows what was written, and no mail program runs text"
    )
