"""A real SMTP server (aiosmtpd) for the research updates' tests, and an app that sends to it."""

import asyncio
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

#: the test client asks for http://localhost/, and PUBLIC_URL refuses any other host
PUBLIC_URL = "http://localhost"


class Mailbox:
    """What the server accepted, as parsed messages; addresses it refuses for good; and,
    when asked, a stall at one message's RCPT (so a sender can be killed mid-message)."""

    def __init__(self) -> None:
        self.messages = []
        self.refuse: set[str] = set()
        self.stall_at: int | None = None
        self.stalled = threading.Event()
        self.rcpts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts == self.stall_at:
            self.stalled.set()
            await asyncio.sleep(5)
            return "451 4.3.0 Try again later"
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def titled(self, subject: str) -> list:
        return [m for m in self.messages if m["Subject"] == subject]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def mail_app(make_app, reset_database, smtp):
    """The site, sending to the real SMTP server, updates as fast as it takes them."""
    _, port = smtp
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        OUTBOX_BULK_PER_MINUTE=0,
        PUBLIC_URL=PUBLIC_URL,
    )
    reset_database(app)
    with app.app_context():
        yield app
