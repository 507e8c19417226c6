"""Receipts: written with the payment, sent after commit, never twice; SMTP when configured."""

import smtplib
import socket
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donor
from donations.receipts import outbox
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import Pacer, kind_of, queue, refused_for_good, send_batch
from donations.receipts.outbox import _give_up as give_up
from donations.transaction import commit
from tests import factories
from tests.support import plain_text, session_event, signed_event


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message at a time and keep it."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 test SMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                if self.server.temporary_failures:
                    self.server.temporary_failures -= 1
                    self.reply("451 4.3.0 try again later " + "x" * 600)
                    continue
                self.server.messages.append(b"".join(lines))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.messages = []
    server.temporary_failures = 0  # how many DATA commands to answer 451 first
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_receipt_is_never_sent_twice(app, client, runner):
    factories.payment(amount_pence=2500)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "Sent 0" in result.output
    assert len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))) == 1


def test_a_receipt_without_gift_aid_says_nothing_of_a_declaration(app, client):
    factories.payment(amount_pence=1000)
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    body = plain_text(eml.read_bytes())
    assert "£10.00" in body
    assert "Gift Aid" not in body


def test_smtp_is_used_when_configured_and_a_failure_is_retried(
    make_app, reset_database, smtp_server
):
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False)
    reset_database(down)
    with down.app_context():
        factories.payment(amount_pence=2500)
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.sent_at is None, "the payment stands even though mail is down"
        assert "Connection refused" in message.last_error, "the error's own words"
        assert message.attempts == 1

    up = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.server_address[1],
        MAIL_USE_TLS=False,
        MAIL_FROM="donations@charity.example",
    )
    result = up.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0" in result.output
    [raw] = smtp_server.messages
    email = message_from_bytes(raw, policy=policy.default)
    assert email["To"] == "ada@example.org"
    assert email["Subject"] == "Thank you for your gift to the ACTiMuS trial"
    assert "£25.00" in email.get_body(preferencelist=("plain",)).get_content()
    assert up.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    assert len(smtp_server.messages) == 1


def test_with_stripe_receipts_wait_for_the_outbox_worker_not_the_webhook(make_app, reset_database):
    """A slow mail server must never delay Stripe's answer: the webhook only queues."""
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_local", SANDBOX=False, STRIPE_API_BASE="http://127.0.0.1:9"
    )
    reset_database(app)
    client = app.test_client()
    with app.app_context():
        donation = factories.donation(amount_pence=2500)
        donation.checkout_session_id = "cs_outbox"
        db.session.commit()
        session = {
            "id": "cs_outbox",
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "currency": "gbp",
            "amount_total": 2500,
            "payment_intent": "pi_outbox",
            "metadata": {"donation_reference": donation.reference},
        }
    payload, headers = signed_event(session_event(session))
    assert client.post("/stripe/webhook", data=payload, headers=headers).status_code == 200
    with app.app_context():
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.sent_at is None
    assert not list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    worked = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert worked.exit_code == 0, worked.output
    assert "Sent 1, failed 0." in worked.output
    assert len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))) == 1


def test_erasure_forgets_every_message_to_them_or_about_their_gifts(app):
    gift = factories.payment(email="ada@example.org")  # its receipt is sent at once
    app.config["SEND_RECEIPTS_AFTER_COMMIT"] = False  # the rest wait
    about_her_gift = outbox.queue_message("old@example.org", "Yours", "B", "<p>B</p>", "k-1")
    about_her_gift.donation_id = gift.id
    waiting = outbox.queue_message("ADA@example.org", "Hello", "B", "<p>B</p>", "k-2")
    waiting.last_error = "450 try later"
    waiting.unsubscribe_url = "https://example.org/unsubscribe/x"
    someone_else = outbox.queue_message("ben@example.org", "Hi", "B", None, "k-3")
    given_up_before = outbox.queue_message("ada@example.org", "Old", "B", None, "k-4")
    given_up_before.given_up_at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    commit()
    assert outbox.forget_recipient(" Ada@Example.org ", [gift.id]) == 4
    commit()
    for message in (about_her_gift, waiting):
        db.session.refresh(message)
        assert message.to_address == outbox.ERASED_ADDRESS
        assert (message.subject, message.body, message.html_body) == (None, None, None)
        assert (message.last_error, message.unsubscribe_url) == (None, None)
    assert waiting.given_up_at is not None, "what was waiting is never sent"
    receipt = db.session.execute(
        select(OutboxMessage).where(
            OutboxMessage.donation_id == gift.id, OutboxMessage.sent_at.is_not(None)
        )
    ).scalar_one()
    assert receipt.given_up_at is None, "a sent message was not given up: it was sent"
    assert receipt.to_address == outbox.ERASED_ADDRESS
    assert list(Path(app.config["OUTBOX_DIR"]).glob(f"{receipt.id:08d}.eml")) == []
    db.session.refresh(someone_else)
    assert (someone_else.to_address, someone_else.subject) == ("ben@example.org", "Hi")
    db.session.refresh(given_up_before)
    assert given_up_before.given_up_at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "kept as it was"
    assert outbox.forget_recipient("nobody@example.org", []) == 0


def test_each_round_sends_every_receipt_then_one_paced_batch_of_bulk_mail(
    make_app, reset_database, smtp_server
):
    def settings(port):
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
            "OUTBOX_BATCH_SIZE": 2,
        }

    down = make_app(**settings(closed_port()))
    reset_database(down)
    slept = []
    with down.app_context():
        for n in range(3):
            factories.payment(amount_pence=1000 + n, email=f"r{n}@example.org")
        for n in range(4):
            queue(
                OutboxMessage(
                    dedupe_key=f"bulk:{n}",
                    to_address=f"b{n}@example.org",
                    subject="News",
                    body="News.",
                    bulk=True,
                )
            )
        db.session.commit()
        pacer = Pacer(60, clock=lambda: 0.0, sleep=slept.append)
        assert send_batch(pacer) == (0, 5), "three receipts and two of the bulk failed"
        assert slept == [1.0], "the second bulk message waited its turn"

    up = make_app(**settings(smtp_server.server_address[1]))
    with up.app_context():
        assert send_batch(Pacer(0)) == (5, 0), "the three receipts, then two of the bulk"
        assert send_batch(Pacer(0)) == (2, 0), "the rest of the bulk next time round"


@pytest.mark.parametrize(
    ("error", "for_good"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (500, b"syntax")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (499, b"odd")}), False),
        (
            smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no"), "b@x.org": (451, b"later")}),
            False,
        ),
        (smtplib.SMTPDataError(500, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPAuthenticationError(535, b"our own sign-in"), False),
        (OSError("connection refused"), False),
    ],
)
def test_only_a_5xx_about_the_message_or_its_address_is_for_good(error, for_good):
    assert refused_for_good(error) is for_good


def test_a_message_given_up_keeps_why_in_at_most_500_characters(app):
    message = queue(
        OutboxMessage(dedupe_key="k", to_address="a@example.org", subject="S", body="B")
    )
    give_up(message, "550 " + "x" * 600)
    assert message.given_up_at is not None
    assert message.last_error == ("550 " + "x" * 600)[:500]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("receipt:D-7KQ2MX4P", "Receipt"),
        ("receipt:D-7KQ2MX4P:re_1:2", "Receipt"),
        ("statement:2025-26:4", "Tax-year statement"),
        ("update:3:ada@example.org", "Research update"),
        ("declaration:12", "Gift Aid declaration's written record"),
        ("fundraiser-link:9", "Message"),
    ],
)
def test_each_message_is_named_by_what_its_key_starts_with(key, kind):
    assert kind_of(OutboxMessage(dedupe_key=key)) == kind


def test_a_donors_messages_come_newest_first_and_follow_them_into_a_merged_record(app):
    kept, merged, other = (
        Donor(first_name=name, last_name="Smith", email=f"{name}@example.org")
        for name in ("kept", "merged", "other")
    )
    db.session.add_all([kept, merged, other])
    db.session.flush()

    def message(donor, key):
        return outbox.queue_message(
            donor.email, "A statement", "Words.", None, key, donor_id=donor.id
        )

    older, newer = message(kept, "statement:1"), message(kept, "statement:2")
    theirs, not_theirs = message(merged, "statement:3"), message(other, "statement:4")
    db.session.commit()
    assert [m.id for m in outbox.messages_for(kept.id, [])] == [newer.id, older.id]
    outbox.move_donor(merged.id, kept.id)
    db.session.commit()
    assert [m.id for m in outbox.messages_for(kept.id, [])] == [theirs.id, newer.id, older.id]
    assert [m.id for m in outbox.messages_for(other.id, [])] == [not_theirs.id]


def test_a_round_sends_only_what_no_live_sender_holds_and_nothing_sent_or_given_up(
    app, monkeypatch
):
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(outbox, "utcnow", lambda: now)
    lease = timedelta(seconds=app.config["OUTBOX_CLAIM_SECONDS"])
    states = {
        "waiting": {},
        "sent": {"sent_at": now - lease * 2},
        "given-up": {"given_up_at": now - lease * 2},
        "held-now": {"claimed_at": now - lease + timedelta(seconds=1)},
        "held-to-the-second": {"claimed_at": now - lease},  # its sender may still be at it
        "held-and-lost": {"claimed_at": now - lease - timedelta(seconds=1)},
    }
    for key, fields in states.items():
        queue(
            OutboxMessage(
                dedupe_key=key, to_address=f"{key}@example.org", subject="S", body="B", **fields
            )
        )
    db.session.commit()
    assert outbox.send_queued() == (2, 0)
    sent_now = db.session.execute(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.sent_at == now)
    ).scalars()
    assert sorted(sent_now) == ["held-and-lost", "waiting"]


def test_a_message_one_sender_claims_is_not_claimed_by_another_until_its_lease_runs_out(
    app, monkeypatch
):
    """What keeps two outbox workers from sending the same message twice."""
    message = queue(
        OutboxMessage(dedupe_key="k", to_address="a@example.org", subject="S", body="B")
    )
    db.session.commit()
    claimed_at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    lease = timedelta(seconds=app.config["OUTBOX_CLAIM_SECONDS"])
    for now, taken in [
        (claimed_at, True),
        (claimed_at + timedelta(seconds=1), False),
        (claimed_at + lease, False),
        (claimed_at + lease + timedelta(seconds=1), True),
    ]:
        monkeypatch.setattr(outbox, "utcnow", lambda now=now: now)
        assert outbox._claim(message.id) is taken, now
    db.session.refresh(message)
    assert message.attempts == 2


def test_without_a_mail_server_the_outbox_makes_its_folder_and_any_above_it(
    make_app, reset_database, tmp_path
):
    folder = tmp_path / "not" / "made" / "yet"
    app = make_app(OUTBOX_DIR=str(folder))
    reset_database(app)
    with app.app_context():
        factories.payment(amount_pence=1000, email="one@example.org")
        factories.payment(amount_pence=2000, email="two@example.org")
    assert len(list(folder.glob("*.eml"))) == 2


def test_after_a_failed_send_the_next_message_of_the_round_goes_on_a_new_connection(
    make_app, reset_database, smtp_server
):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False
    )
    reset_database(app)
    with app.app_context():
        for n in range(2):
            queue(
                OutboxMessage(
                    dedupe_key=f"k{n}", to_address=f"a{n}@example.org", subject="S", body="B"
                )
            )
        db.session.commit()
        smtp_server.temporary_failures = 1
        assert outbox.send_queued() == (1, 1)
        first = db.session.execute(select(OutboxMessage).filter_by(dedupe_key="k0")).scalar_one()
        assert (first.sent_at, first.claimed_at) == (None, None), "free for the next round"
        assert first.last_error.startswith("(451, b'4.3.0 try again later xxx")
        assert len(first.last_error) == 500
    [raw] = smtp_server.messages
    assert message_from_bytes(raw, policy=policy.default)["To"] == "a1@example.org"


def test_a_message_another_sender_claims_first_is_left_to_it(app, monkeypatch):
    queue(OutboxMessage(dedupe_key="k", to_address="a@example.org", subject="S", body="B"))
    db.session.commit()
    monkeypatch.setattr(outbox, "_claim", lambda message_id: False)
    assert outbox.send_queued() == (0, 0)
    assert list(Path(app.config["OUTBOX_DIR"]).glob("*.eml")) == []
