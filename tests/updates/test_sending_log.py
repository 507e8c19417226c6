"""Each message the outbox sends or is refused is logged once, by its id, kind and outcome (a
warning unless it was sent); a message no longer wanted is given up, saying so."""

import logging

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.models import Donor
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import send_queued
from donations.transaction import commit
from donations.updates import consent, services
from donations.updates.models import ConsentSource
from tests import factories


def test_sent_refused_and_no_longer_wanted_are_each_logged_and_kept_as_what_they_were(
    mail_app, smtp, caplog
):
    mailbox, _ = smtp
    sent, refused, stopped = "sent@example.org", "refused@example.org", "stopped@example.org"
    for address in (sent, refused, stopped):
        factories.payment("actimus", email=address, marketing_consent=True)
    mailbox.refuse.add(refused)
    update = services.save(None, fund_id=factories.fund("actimus").id, title="News", body="Hi.")
    services.publish(update, send=True)
    commit()
    leaving = db.session.execute(select(Donor).where(Donor.email == stopped)).scalar_one()
    consent.withdraw(leaving, ConsentSource.PREFERENCES)
    commit()

    with caplog.at_level(logging.INFO, logger="donations.receipts.outbox"):
        counted = send_queued(limit=100, bulk=True)
    assert counted == (1, 1), "sent, and refused counted as failed; one dropped, not counted"

    messages = {
        m.to_address: m
        for m in db.session.execute(
            select(OutboxMessage).where(OutboxMessage.writer == "research-update")
        ).scalars()
    }
    logged = [
        (r.levelname, r.getMessage(), r.message_id, r.kind, r.outcome)
        for r in caplog.records
        if r.name == "donations.receipts.outbox"
    ]
    expected = {
        sent: ("INFO", "e-mail sent", "sent"),
        refused: ("WARNING", "e-mail refused", "refused"),
    }
    assert sorted(logged, key=lambda line: line[2]) == sorted(
        (level, said, messages[address].id, "Research update", outcome)
        for address, (level, said, outcome) in expected.items()
    )
    assert messages[sent].sent_at is not None
    assert messages[refused].given_up_at is not None
    assert messages[refused].last_error.startswith("{'refused@example.org': (550")
    assert messages[stopped].given_up_at is not None
    assert messages[stopped].last_error == "No longer wanted: the reader stopped asking for it."
