"""What staff's refund asks of Stripe, and every refusal in the words staff read."""

import json

import pytest
from sqlalchemy import select

from donations.extensions import db
from donations.payments import provider_payments
from donations.payments import refunds as refund_requests
from donations.payments.gateway import GatewayError
from donations.staff.models import AuditEntry
from tests import factories


class Recorder:
    """Stands in for the gateway: keeps what it was asked, answers as Stripe would."""

    def __init__(self, fail: bool = False):
        self.asked, self.fail = [], fail

    def create_refund(self, params: dict, idempotency_key: str) -> dict:
        if self.fail:
            raise GatewayError("the card network is down")
        self.asked.append((params, idempotency_key))
        return {"id": f"re_{len(self.asked)}", "object": "refund", "status": "pending"}


@pytest.fixture
def gift(app):
    donation = factories.payment(amount_pence=5000, source_ref="pi_refund_me")
    return donation, factories.payment_entry(donation)


@pytest.fixture
def staff(app):
    return factories.staff("finance")


def asking(monkeypatch, fail: bool = False) -> Recorder:
    recorder = Recorder(fail)
    monkeypatch.setattr(refund_requests, "gateway", lambda: recorder)
    return recorder


def test_a_refund_asks_stripe_for_that_amount_of_that_payment_once_per_request(
    gift, staff, monkeypatch
):
    donation, entry = gift
    provider_payments.note_payment(entry.source_ref, payment_intent_id="pi_refund_me")
    recorder = asking(monkeypatch)
    said = refund_requests.refund(donation, entry, 1500, "Asked by phone", staff)
    assert said == (
        "The refund is on its way to the donor; this page shows it once Stripe confirms it."
    )
    refund_requests.refund(donation, entry, 1500, "Asked by phone", staff)  # a double click
    [(params, key), (_, again)] = recorder.asked
    assert params == {
        "amount": 1500,
        "reason": "requested_by_customer",
        "metadata": {
            "reference": donation.reference,
            "requested_by": "finance@example.org",
            "note": "Asked by phone",
        },
        "payment_intent": "pi_refund_me",
    }
    assert key == again == f"refund:{entry.id}:5000:1500", "Stripe refunds a retried key once"
    logged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "refund").order_by(AuditEntry.id)
    ).scalars()
    assert [json.loads(e.detail) for e in logged][:1] == [
        {
            "amount_pence": 1500,
            "reason": "Asked by phone",
            "refund": "re_1",
        }
    ]


def test_a_payment_known_only_by_its_charge_is_refunded_by_the_charge(gift, staff, monkeypatch):
    donation, entry = gift
    provider_payments.note_payment(entry.source_ref, charge_id="ch_only")
    recorder = asking(monkeypatch)
    refund_requests.refund(donation, entry, 100, "Duplicate", staff)
    [(params, _)] = recorder.asked
    assert params["charge"] == "ch_only"
    assert "payment_intent" not in params


@pytest.mark.parametrize(
    ("pence", "words"),
    [
        (0, "Enter an amount of at least £0.01."),
        (-5, "Enter an amount of at least £0.01."),
        (5001, "That is more than remains of this gift to refund (£50.00)."),
    ],
)
def test_an_amount_that_cannot_be_refunded_is_refused_in_words(
    gift, staff, monkeypatch, pence, words
):
    donation, entry = gift
    recorder = asking(monkeypatch)
    with pytest.raises(refund_requests.RefundRefused) as refused:
        refund_requests.refund(donation, entry, pence, "x", staff)
    assert str(refused.value) == words
    assert recorder.asked == []


def test_a_payment_stripe_has_not_told_us_of_or_a_stripe_away_is_refused(gift, staff, monkeypatch):
    donation, entry = gift
    asking(monkeypatch)
    with pytest.raises(refund_requests.RefundRefused) as unknown:
        refund_requests.refund(donation, entry, 100, "x", staff)
    assert str(unknown.value) == "This payment is not yet known to Stripe; try again in a minute."
    provider_payments.note_payment(entry.source_ref, payment_intent_id="pi_refund_me")
    asking(monkeypatch, fail=True)
    with pytest.raises(refund_requests.RefundRefused) as away:
        refund_requests.refund(donation, entry, 100, "x", staff)
    assert str(away.value) == "Stripe did not take the refund: the card network is down"
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "refund")).all() == []
