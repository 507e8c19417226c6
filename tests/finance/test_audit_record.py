"""An audit entry says who did it, from where, and what, in JSON a reader can rely on."""

import json
from datetime import date
from decimal import Decimal

from donations.staff import audit
from tests import factories


def test_an_entry_made_in_a_request_names_the_staff_member_and_the_address(app):
    member = factories.staff("finance")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        entry = audit.record(
            audit.Action.EXPORT,
            subject="gifts.csv",
            actor=member,
            rows=3,
            received_on=date(2026, 4, 6),
            amount=Decimal("1.50"),
        )
    assert (entry.actor, entry.staff_id, entry.address) == (member.email, member.id, "203.0.113.9")
    assert (entry.action, entry.subject) == ("export", "gifts.csv")
    # keys in order, values JSON cannot hold written as text
    assert entry.detail == '{"amount": "1.50", "received_on": "2026-04-06", "rows": 3}'


def test_an_entry_made_outside_a_request_names_who_and_has_no_address(app):
    entry = audit.record(audit.Action.SIGN_IN_FAILED, actor="someone@example.org")
    by_command = audit.record(audit.Action.STAFF_CREATED, subject="new@example.org")
    assert (entry.actor, entry.staff_id, entry.address) == ("someone@example.org", None, None)
    assert json.loads(entry.detail) == {}
    assert (by_command.actor, by_command.staff_id) == (audit.COMMAND_LINE, None)
