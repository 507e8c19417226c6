"""The outbox signs in to the charity's mail server with its username and password, and
sends nothing when the server refuses them."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from donations.extensions import db
from donations.receipts.models import OutboxMessage
from tests import factories


class Mailbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 2.0.0 Accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server(accepted: tuple[str, str]):
    """An SMTP server that takes one username and password, and notes each it is given."""
    mailbox, seen = Mailbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        seen.append(given)
        return AuthResult(success=given == accepted)

    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    return controller, mailbox, seen


def signing_in(make_app, reset_database, port: int, password: str):
    """The app, its outbox signing in to the server at this port as "donations"."""
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME="donations",
        MAIL_PASSWORD=password,
    )
    reset_database(app)
    return app


def test_the_outbox_signs_in_with_its_username_and_password(make_app, reset_database):
    controller, mailbox, seen = server(("donations", "s3cret word"))
    try:
        app = signing_in(make_app, reset_database, controller.port, "s3cret word")
        with app.app_context():
            factories.payment(amount_pence=2500)
    finally:
        controller.stop()
    assert seen == [("donations", "s3cret word")]
    assert [m["To"] for m in mailbox.messages] == ["ada@example.org"]


def test_a_refused_sign_in_sends_nothing_and_the_receipt_waits(make_app, reset_database):
    controller, mailbox, seen = server(("donations", "the right one"))
    try:
        app = signing_in(make_app, reset_database, controller.port, "a wrong one")
        with app.app_context():
            factories.payment(amount_pence=2500)
            message = db.session.execute(select(OutboxMessage)).scalar_one()
            assert message.sent_at is None
            assert message.given_up_at is None, "our own sign-in is not the donor's address"
            assert message.last_error
    finally:
        controller.stop()
    assert seen == [("donations", "a wrong one")]
    assert mailbox.messages == []
