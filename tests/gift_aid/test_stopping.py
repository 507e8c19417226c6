"""Stopping Gift Aid: from the link in every receipt that claims it, and from the finance
area. Later gifts carry none, earlier ones keep it, and the fund's Gift Aid total follows."""

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.links import GIFT_AID_MAX_AGE_SECONDS, GIFT_AID_SALT
from donations.ledger.totals import drift
from donations.staff.models import AuditEntry
from tests import factories
from tests.support import csrf_token, fund_totals, sign_in, staff_post


def stop_link(app) -> str:
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    email = message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    [link] = re.findall(r"https?://\S+/gift-aid/stop/\S+", text)
    assert link in html
    return link.split("://", 1)[1].split("/", 1)[1]


def test_a_donor_stops_gift_aid_from_the_link_in_their_receipt(app, client):
    first = factories.payment(amount_pence=2000, gift_aid=True)
    path = "/" + stop_link(app)
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop Gift Aid from today" in page.get_data(as_text=True)
    assert "Lovelace" not in page.get_data(as_text=True)  # a stranger with the link learns little
    refused = client.post(path, data={})
    assert refused.status_code == 400
    assert first.declaration.cancelled_at is None
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 200
    assert "Gift Aid stopped" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(GiftAidDeclaration, first.declaration_id).cancelled_at is not None
    assert fund_totals("actimus").gift_aid_pence == 500  # the earlier gift keeps its Gift Aid
    later = factories.payment(amount_pence=2000, gift_aid=False)
    assert later.declaration is None
    assert fund_totals("actimus").gift_aid_pence == 500
    again = client.get(path).get_data(as_text=True)
    assert "nothing to stop" in again
    assert drift() == []


def test_a_forged_or_old_link_stops_nothing(app, client):
    factories.payment(amount_pence=2000, gift_aid=True)
    path = "/" + stop_link(app)
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.get("/gift-aid/stop/not-a-token").status_code == 404
    with app.app_context():
        signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=GIFT_AID_SALT)
        old = signer.dumps("D-NOSUCHGIFT")
    assert client.get(f"/gift-aid/stop/{old}").status_code == 404


def test_finance_cancels_a_donors_declarations_from_a_day_never_an_earlier_one(app, client):
    monthly = factories.payment(amount_pence=1000, gift_aid=True, frequency="monthly")
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = f"/finance/donations/{monthly.reference}"
    assert "may be claimed on £10.00 (Gift Aid £2.50)" in client.get(page).get_data(as_text=True)
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    path = f"/finance/gift-aid/declarations/{monthly.declaration_id}/cancel"
    refused = staff_post(client, path, {"effective": yesterday, "back": page}, page=page)
    assert refused.status_code == 303
    db.session.expire_all()
    assert db.session.get(GiftAidDeclaration, monthly.declaration_id).cancelled_at is None
    follow = client.get(page).get_data(as_text=True)
    assert "never an earlier one" in follow
    done = staff_post(client, path, {"effective": "", "back": page}, page=page)
    assert done.headers["Location"].endswith(page)
    db.session.expire_all()
    assert db.session.get(GiftAidDeclaration, monthly.declaration_id).cancelled_at is not None
    assert db.session.query(AuditEntry).filter_by(action="declaration_cancelled").count() == 1


class MadeLongAgo(TimestampSigner):
    """Signs as if it were this many seconds ago (itsdangerous dates each signature)."""

    age_seconds = 0

    def get_timestamp(self) -> int:
        return int(datetime.now(UTC).timestamp()) - MadeLongAgo.age_seconds


def test_a_gift_aid_link_older_than_two_years_is_refused_and_a_newer_one_is_not(app, client):
    donation = factories.payment(amount_pence=2000, gift_aid=True)
    signer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=GIFT_AID_SALT, signer=MadeLongAgo
    )
    MadeLongAgo.age_seconds = GIFT_AID_MAX_AGE_SECONDS - 3600
    recent = signer.dumps(donation.reference)
    assert client.get(f"/gift-aid/stop/{recent}").status_code == 200
    MadeLongAgo.age_seconds = GIFT_AID_MAX_AGE_SECONDS + 3600
    old = signer.dumps(donation.reference)
    expired = client.get(f"/gift-aid/stop/{old}")
    assert expired.status_code == 410
    token = csrf_token(client, f"/gift-aid/stop/{recent}")
    assert client.post(f"/gift-aid/stop/{old}", data={"csrf_token": token}).status_code == 410
    db.session.expire_all()
    assert db.session.get(GiftAidDeclaration, donation.declaration_id).cancelled_at is None
