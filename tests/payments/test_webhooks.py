"""POST /stripe/webhook: signatures, idempotency, order, and what each event changes."""

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from donations.config import DEV_WEBHOOK_SECRET
from donations.extensions import db
from donations.gifts import lifecycle, reversals
from donations.gifts import services as gifts
from donations.gifts.models import Donation
from donations.gifts.outcome import processed
from donations.ledger.models import LedgerEntry
from donations.ledger.totals import drift
from donations.payments.gateway import gateway
from donations.payments.models import StripeEvent
from donations.payments.objects import id_of
from donations.payments.provider_payments import lock_keys
from donations.payments.webhooks.registry import HANDLERS, handles
from donations.receipts.models import OutboxMessage
from donations.sandbox.signing import signature_header
from tests import factories
from tests.payments import stripe_history
from tests.support import (
    WEBHOOK_SECRET,
    count,
    fund_totals,
    session_event,
    signed_event,
)


@pytest.fixture
def app(stripe_app):
    """Webhooks arrive over HTTP only in Stripe mode (the sandbox delivers in-process)."""
    return stripe_app


@pytest.fixture
def open_session(app):
    """A submitted donation whose Checkout Session is open (nothing paid yet)."""
    donation = factories.checkout(amount_pence=5000)
    return gateway().retrieve_checkout_session(donation.checkout_session_id)


def paid(session, payment_intent="pi_paid_1"):
    """The session as Stripe sends it once paid by card."""
    return {
        **session,
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": payment_intent,
    }


def deliver(client, event, **signing):
    payload, headers = signed_event(event, **signing)
    return client.post("/stripe/webhook", data=payload, headers=headers)


def state():
    """Everything a webhook could change, to show that a refused one changed nothing."""
    db.session.expire_all()
    totals = fund_totals("actimus")
    return (
        db.session.execute(select(Donation.status)).scalars().all(),
        count(LedgerEntry),
        count(OutboxMessage),
        count(StripeEvent),
        totals.raised_pence,
        totals.pending_pence,
    )


def test_the_same_completed_event_five_times_records_one_payment(client, open_session):
    event = session_event(paid(open_session), event_id="evt_same")
    answers = [deliver(client, event) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json.get("duplicate", False) for a in answers] == [False] + [True] * 4
    assert count(LedgerEntry) == 1
    assert count(OutboxMessage) == 1
    assert fund_totals("actimus").raised_pence == 5000
    assert drift() == []


def test_different_events_for_one_payment_record_it_once(client, open_session):
    deliver(client, session_event(paid(open_session), event_id="evt_a"))
    deliver(
        client,
        session_event(
            paid(open_session), "checkout.session.async_payment_succeeded", event_id="evt_b"
        ),
    )
    thanks = client.get(f"/donate/thanks?session_id={open_session['id']}")
    assert thanks.status_code == 200
    assert count(LedgerEntry) == 1
    assert fund_totals("actimus").donation_count == 1


@pytest.mark.postgres_only
def test_eight_deliveries_at_once_record_one_payment(app, open_session):
    event = session_event(paid(open_session), event_id="evt_race")
    payload, headers = signed_event(event)
    db.session.commit()
    start = threading.Barrier(8)
    statuses = []

    def post():
        with app.test_client() as own_client:
            start.wait()
            statuses.append(
                own_client.post("/stripe/webhook", data=payload, headers=headers).status_code
            )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    db.session.expire_all()
    assert count(LedgerEntry) == 1
    assert count(StripeEvent) == 1
    assert count(OutboxMessage) == 1
    assert fund_totals("actimus").raised_pence == 5000
    assert drift() == []


@pytest.mark.postgres_only
def test_a_payment_replaying_a_held_refund_and_a_new_refund_never_wait_on_each_other(app):
    """The payment holds its PaymentIntent's lock and learns the Charge's from a held refund;
    a refund for it arriving then asks for both. Locked in alphabetical order (the Charge
    first), each waited for the other and PostgreSQL ended one as a deadlock."""

    failed = []
    payment_has_its_key, refund_waits = threading.Event(), threading.Event()

    def in_own_transaction(steps):
        with app.app_context():
            try:
                steps()
                db.session.commit()
            except Exception as error:  # recorded for the assertion below
                failed.append(error)
                db.session.rollback()

    def payment():
        lock_keys("pi_replay")
        payment_has_its_key.set()
        refund_waits.wait(5)
        time.sleep(0.3)  # the refund is at its locks by now
        lock_keys("pi_replay", "ch_replay")  # replaying the held refund

    def refund():
        payment_has_its_key.wait(5)
        refund_waits.set()
        lock_keys("pi_replay", "ch_replay")

    threads = [
        threading.Thread(target=in_own_transaction, args=(steps,)) for steps in (payment, refund)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert failed == []


@pytest.mark.postgres_only
def test_a_month_that_waited_for_the_first_payment_sees_the_donor_it_made(app):
    """A later month's invoice waits for its donation while the first payment, holding it,
    makes the donor. Locked with the donor joined in, the waiting month read its donation as
    the first payment left it but the donor as before it (none), and failed with a 500."""
    donation = factories.checkout(frequency="monthly", email="months@example.org")
    reference, month = donation.reference, stripe_history.invoice(donation, "sub_wait", 2)
    answers, first_holds_the_lock = [], threading.Event()

    def first_payment():
        with app.app_context():
            lifecycle.mark_paid(gifts.by_reference(reference, for_update=True), "in_sub_wait_1")
            first_holds_the_lock.set()
            time.sleep(0.5)  # the later month is waiting for the donation by now
            db.session.commit()

    def later_month():
        first_holds_the_lock.wait(5)
        with app.test_client() as own_client:
            event = session_event(month, "invoice.paid", "evt_month_2")
            answers.append(deliver(own_client, event).status_code)

    threads = [threading.Thread(target=steps) for steps in (first_payment, later_month)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert answers == [200]
    db.session.expire_all()
    months = db.session.execute(select(LedgerEntry.donor_key)).scalars().all()
    assert months == ["months@example.org", "months@example.org"]


@pytest.mark.postgres_only
def test_eight_different_events_for_one_payment_at_once_record_it_once(app, open_session):
    db.session.commit()
    bodies = [
        signed_event(session_event(paid(open_session), event_id=f"evt_{n}")) for n in range(8)
    ]
    start = threading.Barrier(8)

    def post(payload, headers):
        with app.test_client() as own_client:
            start.wait()
            own_client.post("/stripe/webhook", data=payload, headers=headers)

    threads = [threading.Thread(target=post, args=body) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert count(LedgerEntry) == 1
    assert count(StripeEvent) == 8
    assert fund_totals("actimus").raised_pence == 5000
    assert drift() == []


def test_a_bad_signature_is_400_and_changes_nothing(client, open_session):
    before = state()
    answer = deliver(client, session_event(paid(open_session)), secret="whsec_wrong")
    assert answer.status_code == 400
    assert answer.json["error"] == "bad_signature"
    no_header = client.post("/stripe/webhook", data=b"{}")
    assert no_header.status_code == 400
    assert state() == before


def test_while_the_secret_is_rolled_deliveries_signed_with_either_are_taken(
    app, client, open_session
):
    """Stripe's roll: for a while it signs with the new secret and the old, one v1 each."""
    old, new = WEBHOOK_SECRET, "whsec_the_new_one"
    app.config.update(STRIPE_WEBHOOK_SECRET=new, STRIPE_WEBHOOK_SECRET_PREVIOUS=old)
    both = session_event(paid(open_session), event_id="evt_both")
    payload, headers = signed_event(both, secret=new)
    headers["Stripe-Signature"] += "," + signature_header(payload, old).split(",")[1]
    answers = [
        deliver(client, session_event(paid(open_session), event_id="evt_old"), secret=old),
        deliver(client, session_event(paid(open_session), event_id="evt_new"), secret=new),
        client.post("/stripe/webhook", data=payload, headers=headers),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    ahead = int(time.time()) + 301
    late = deliver(client, session_event({}, event_id="evt_ahead"), secret=old, timestamp=ahead)
    assert late.json["error"] == "bad_signature", "a date ahead is refused under either"

    app.config.update(STRIPE_WEBHOOK_SECRET_PREVIOUS=None)  # the roll is over
    before = state()
    answer = deliver(client, session_event(paid(open_session), event_id="evt_late"), secret=old)
    assert answer.json["error"] == "bad_signature"
    assert state() == before
    assert fund_totals("actimus").raised_pence == 5000, "the gift was recorded once"


def test_a_stale_timestamp_is_400_and_changes_nothing(client, open_session):
    before = state()
    answer = deliver(client, session_event(paid(open_session)), timestamp=int(time.time()) - 301)
    assert answer.status_code == 400
    assert state() == before


def test_a_tampered_body_is_400(client, open_session):
    payload, headers = signed_event(session_event(paid(open_session)))
    tampered = payload.replace(b'"amount_total": 5000', b'"amount_total": 9000')
    assert tampered != payload
    before = state()
    assert client.post("/stripe/webhook", data=tampered, headers=headers).status_code == 400
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id": "evt_1"}',
        b'{"id": "evt_1", "type": "x", "data": {}}',
        b'{"id": "evt_1", "type": "' + b"x" * 101 + b'", "data": {"object": {}}}',
        b'{"id": "' + b"e" * 256 + b'", "type": "x", "data": {"object": {}}}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_but_signed_body_is_400_and_changes_nothing(client, open_session, body):
    before = state()
    answer = client.post(
        "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
    )
    assert answer.status_code == 400
    assert answer.json["error"] in {"malformed", "bad_signature"}
    assert state() == before


def test_an_unknown_event_type_is_acknowledged_and_ignored(client, open_session):
    before = state()
    event = {
        "id": "evt_other",
        "object": "event",
        "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    answer = deliver(client, event)
    assert answer.status_code == 200
    assert answer.json["outcome"] == "ignored"
    statuses, entries, receipts, events, raised, pending = state()
    assert (statuses, entries, receipts, raised, pending) == before[:3] + before[4:]
    assert events == before[3] + 1


def test_an_event_for_an_unknown_session_is_acknowledged_and_changes_nothing(client, open_session):
    before = state()
    stranger = {
        **paid(open_session),
        "id": "cs_someone_else",
        "metadata": {},
        "client_reference_id": None,
    }
    answer = deliver(client, session_event(stranger, event_id="evt_stranger"))
    assert answer.status_code == 200
    assert answer.json["outcome"] == "ignored"
    assert state()[:3] == before[:3]
    assert state()[4:] == before[4:]


def test_a_session_whose_amount_differs_is_held_not_counted(client, open_session):
    event = session_event({**paid(open_session), "amount_total": 1}, event_id="evt_odd")
    answer = deliver(client, event)
    assert answer.status_code == 200
    assert answer.json["outcome"] == "held"
    assert db.session.get(StripeEvent, "evt_odd").note == (
        "amount or currency differs from the donation"
    )
    assert count(LedgerEntry) == 0


def test_async_success_before_the_unpaid_completion_ends_paid(client, open_session):
    bacs = {
        **open_session,
        "status": "complete",
        "payment_status": "unpaid",
        "payment_intent": "pi_bacs",
    }
    deliver(
        client,
        session_event(
            {**bacs, "payment_status": "paid"},
            "checkout.session.async_payment_succeeded",
            event_id="evt_2",
        ),
    )
    deliver(client, session_event(bacs, event_id="evt_1"))
    db.session.expire_all()
    assert db.session.execute(select(Donation.status)).scalar_one() == "paid"
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.pending_pence) == (5000, 0)
    assert drift() == []


def test_async_failure_after_pending_clears_pending(client, open_session):
    bacs = {
        **open_session,
        "status": "complete",
        "payment_status": "unpaid",
        "payment_intent": "pi_bacs",
    }
    deliver(client, session_event(bacs, event_id="evt_1"))
    assert fund_totals("actimus").pending_pence == 5000
    deliver(client, session_event(bacs, "checkout.session.async_payment_failed", event_id="evt_2"))
    db.session.expire_all()
    assert db.session.execute(select(Donation.status)).scalar_one() == "failed"
    assert fund_totals("actimus").pending_pence == 0
    assert drift() == []


def test_an_expired_session_expires_the_donation_and_a_late_one_is_held(client, open_session):
    deliver(
        client,
        session_event(
            {**open_session, "status": "expired"}, "checkout.session.expired", event_id="evt_1"
        ),
    )
    db.session.expire_all()
    assert db.session.execute(select(Donation.status)).scalar_one() == "expired"
    answer = deliver(client, session_event(paid(open_session), event_id="evt_2"))
    assert answer.json["outcome"] == "held"
    assert count(LedgerEntry) == 0


def test_event_payload_is_kept_for_the_record(client, open_session):
    event = session_event(paid(open_session), event_id="evt_kept")
    deliver(client, event)
    stored = db.session.get(StripeEvent, "evt_kept")
    assert json.loads(stored.payload)["id"] == "evt_kept"
    assert stored.outcome == "processed"
    assert db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one() == 1


# --- what an attacker tried (issue 7) -----------------------------------------------------


def test_in_sandbox_mode_there_is_no_webhook_endpoint(make_app, reset_database):
    """Attack 4: an event signed with the sandbox's published secret raised a fund's total."""
    sandbox = make_app(STRIPE_WEBHOOK_SECRET=None)  # the sandbox falls back to its own secret
    reset_database(sandbox)
    with sandbox.app_context():
        donation = factories.checkout(amount_pence=2_500_000)
        session = gateway().retrieve_checkout_session(donation.checkout_session_id)
        forged = session_event(paid(session), event_id="evt_forged")
        payload, headers = signed_event(forged, secret=DEV_WEBHOOK_SECRET)
        answer = sandbox.test_client().post("/stripe/webhook", data=payload, headers=headers)
        assert answer.status_code == 404
        assert fund_totals("actimus").raised_pence == 0
        assert count(LedgerEntry) == 0


def test_a_timestamp_from_the_future_is_400_and_changes_nothing(client, open_session):
    """Attack 10: a signature dated an hour ahead was accepted."""
    before = state()
    for ahead in (301, 3600):
        event = session_event(paid(open_session), event_id=f"evt_ahead_{ahead}")
        answer = deliver(client, event, timestamp=int(time.time()) + ahead)
        assert answer.status_code == 400
    assert state() == before
    slightly_ahead = deliver(
        client, session_event(paid(open_session)), timestamp=int(time.time()) + 60
    )
    assert slightly_ahead.status_code == 200, "clocks may differ by less than the tolerance"


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "evt_\\ud800", "type": "x", "data": {"object": {}}}',
        b'{"id": "evt_1", "type": "checkout.session.completed",'
        b' "data": {"object": {"metadata": {"donation_reference": "\\udfff"}}}}',
    ],
)
def test_a_lone_surrogate_in_a_signed_event_is_400(client, open_session, body):
    """Attack 7c: a signed webhook whose id held half a surrogate pair raised a 500."""
    before = state()
    answer = client.post(
        "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
    )
    assert answer.status_code == 400
    assert answer.json["error"] == "malformed"
    assert state() == before


def test_a_paid_session_in_another_currency_is_held_not_counted(client, open_session):
    event = session_event({**paid(open_session), "currency": "usd"}, event_id="evt_usd")
    answer = deliver(client, event)
    assert answer.json["outcome"] == "held"
    assert count(LedgerEntry) == 0
    assert fund_totals("actimus").raised_pence == 0
    assert db.session.execute(select(Donation.status)).scalar_one() == "created"


def test_webhook_answers_carry_nothing_about_the_donor(client, open_session):
    answers = [
        deliver(client, session_event(paid(open_session), event_id="evt_p")),
        deliver(client, session_event(paid(open_session), event_id="evt_p")),
        deliver(client, session_event(paid(open_session)), secret="whsec_wrong"),
    ]
    for answer in answers:
        assert set(answer.json) <= {"received", "duplicate", "outcome", "error", "message"}
        assert "ada" not in answer.get_data(as_text=True).lower()
        assert answer.headers["Cache-Control"] == "no-store"


# --- how an event finds its donation, and what it leaves on it ----------------------------


@pytest.mark.parametrize("only", ["metadata", "client_reference_id", "id"])
def test_a_session_is_ours_by_any_one_of_its_references(client, open_session, only):
    session = paid(open_session)
    if only != "metadata":
        session["metadata"] = {}
    if only != "client_reference_id":
        session["client_reference_id"] = None
    if only != "id":
        session["id"] = "cs_not_known_here"
    answer = deliver(client, session_event(session, event_id=f"evt_by_{only}"))
    assert answer.json["outcome"] == "processed"
    assert fund_totals("actimus").raised_pence == 5000


def test_a_donation_whose_checkout_answer_was_lost_learns_its_session_id(client, open_session):
    """Stripe made the session but its answer never reached us: the event tells us its id."""
    donation = factories.donation(amount_pence=5000, email="lost@example.org")
    session = {
        **paid(open_session, payment_intent="pi_lost"),
        "id": "cs_answer_lost",
        "metadata": {"donation_reference": donation.reference},
        "client_reference_id": donation.reference,
    }
    assert deliver(client, session_event(session)).json["outcome"] == "processed"
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).checkout_session_id == "cs_answer_lost"


def test_a_reference_that_names_no_donation_is_not_ours(client, open_session):
    session = {
        **paid(open_session),
        "metadata": {"donation_reference": "D-NOBODY"},
        "client_reference_id": 12345,
        "id": "cs_not_known_here",
    }
    assert deliver(client, session_event(session)).json["outcome"] == "ignored"


def test_the_providers_ids_are_kept_whether_sent_as_ids_or_objects(client, open_session):
    session = {
        **paid(open_session, payment_intent={"id": "pi_expanded", "object": "payment_intent"}),
        "customer": "cus_42",
    }
    deliver(client, session_event(session))
    donation = db.session.execute(select(Donation)).scalar_one()
    assert (donation.payment_intent_id, donation.customer_id) == ("pi_expanded", "cus_42")
    assert factories.payment_entry(donation).source_ref == "pi_expanded"


def test_a_monthly_session_keeps_its_subscription_and_is_keyed_by_its_invoice(client, open_session):
    session = {
        **paid(open_session, payment_intent=None),
        "mode": "subscription",
        "subscription": "sub_7",
        "invoice": {"id": "in_7", "object": "invoice"},
    }
    deliver(client, session_event(session))
    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.subscription_id == "sub_7"
    assert db.session.execute(select(LedgerEntry.source_ref)).scalar_one() == "in_7"


def test_a_paid_session_without_a_payment_id_is_keyed_by_the_session(client, open_session):
    deliver(client, session_event(paid(open_session, payment_intent=None)))
    source_ref = db.session.execute(select(LedgerEntry.source_ref)).scalar_one()
    assert source_ref == f"checkout:{open_session['id']}"


@pytest.mark.parametrize("amount", ["5000", 5000.0, None])
def test_an_amount_that_is_not_whole_pence_is_held(client, open_session, amount):
    answer = deliver(client, session_event({**paid(open_session), "amount_total": amount}))
    assert answer.json["outcome"] == "held"
    assert count(LedgerEntry) == 0


@pytest.mark.parametrize("status", ["no_payment_required", "unpaid", None])
def test_only_a_paid_session_records_a_payment(client, open_session, status):
    session = {**paid(open_session), "payment_status": status, "status": "open"}
    deliver(client, session_event(session))
    assert count(LedgerEntry) == 0


def test_answers_are_exact(client, open_session):
    event = session_event(paid(open_session), event_id="evt_exact")
    assert deliver(client, event).json == {"received": True, "outcome": "processed"}
    assert deliver(client, event).json == {"received": True, "duplicate": True}
    other = {"id": "evt_other_type", "type": "customer.created", "data": {"object": {}}}
    assert deliver(client, other).json == {"received": True, "outcome": "ignored"}
    assert db.session.get(StripeEvent, "evt_other_type").note == "event type not handled"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "The body is not JSON in UTF-8."),
        (b"[]", "The body is not an event object."),
        (b'{"id": "", "type": "x", "data": {"object": {}}}', "The event lacks an id"),
        (b'{"id": 7, "type": "x", "data": {"object": {}}}', "The event lacks an id"),
    ],
)
def test_a_malformed_event_is_told_why(client, open_session, body, says):
    answer = client.post(
        "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
    )
    assert answer.status_code == 400
    assert answer.json["error"] == "malformed"
    assert answer.json["message"].startswith(says)


def test_the_longest_ids_and_types_stripe_could_send_are_taken(client, open_session):
    event = {"id": "e" * 255, "type": "t" * 100, "data": {"object": {}}}
    assert deliver(client, event).status_code == 200


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("pi_1", "pi_1"),
        ("x", "x"),
        ({"id": "pi_2", "object": "payment_intent"}, "pi_2"),
        ("x" * 255, "x" * 255),
        ("x" * 256, None),
        ("", None),
        (None, None),
        (42, None),
        ({"object": "payment_intent"}, None),
    ],
)
def test_an_id_is_a_short_string_or_an_object_holding_one(value, found):
    assert id_of(value) == found


def test_each_event_type_has_one_handler():
    name = "test.only.event"
    try:

        @handles(name)
        def first(obj):
            return processed("first")

        assert HANDLERS[name] is first
        with pytest.raises(ValueError, match=f"^{name} already has a handler$"):

            @handles(name)
            def second(obj):
                return processed("second")

        assert HANDLERS[name] is first
    finally:
        HANDLERS.pop(name, None)


# --- refunds that fail ---------------------------------------------------------------------


def refund_of(open_session, status: str, refund_id: str = "re_f1") -> dict:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": 2000,
        "currency": "gbp",
        "status": status,
        "charge": "ch_paid_1",
        "payment_intent": "pi_paid_1",
    }


def test_a_refund_that_fails_gives_the_money_back_to_the_fund(client, open_session):
    deliver(client, session_event(paid(open_session), event_id="evt_pay"))
    deliver(client, session_event(refund_of(open_session, "pending"), "refund.created", "evt_r1"))
    assert fund_totals("actimus").raised_pence == 3000
    deliver(client, session_event(refund_of(open_session, "failed"), "refund.failed", "evt_r2"))
    assert fund_totals("actimus").raised_pence == 5000
    kinds = db.session.execute(select(LedgerEntry.kind).order_by(LedgerEntry.id)).scalars()
    assert list(kinds) == ["payment", "refund", "refund_failed"]
    assert drift() == []
    deliver(client, session_event(refund_of(open_session, "failed"), "refund.failed", "evt_r3"))
    notes = dict(db.session.execute(select(StripeEvent.id, StripeEvent.note)).all())
    assert notes["evt_r2"] == "refund failed: money returned to the fund"
    assert notes["evt_r3"] == "failure already recorded", "told twice, given back once"
    assert fund_totals("actimus").raised_pence == 5000
    assert reversals.refund_failed("re_never_recorded") == processed(
        "no refund recorded to reverse"
    )


def test_a_failure_reported_before_the_refund_still_ends_with_the_money_in_the_fund(
    client, open_session
):
    deliver(client, session_event(paid(open_session), event_id="evt_pay"))
    deliver(client, session_event(refund_of(open_session, "failed"), "refund.failed", "evt_r2"))
    deliver(client, session_event(refund_of(open_session, "pending"), "refund.created", "evt_r1"))
    assert fund_totals("actimus").raised_pence == 5000
    assert drift() == []
