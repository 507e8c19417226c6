"""What the sandbox's Stripe does with money: payments by card and Bacs (once, monthly or yearly),
renewals, refunds, disputes, payouts and expiry, each kept as Stripe's objects and told as
Stripe's events."""

from flask import current_app

from donations.gifts import services as gifts
from donations.sandbox import store
from donations.sandbox.events import emit
from donations.sandbox.models import SandboxSession
from donations.sandbox.store import update_session

#: a dispute costs the charity this, as it does on Stripe in the UK
DISPUTE_FEE_PENCE = 2000
CARD, BACS = "card", "bacs_debit"
#: Stripe holds card money this long before it may be paid out
SETTLEMENT_SECONDS = 2 * 24 * 3600


class SandboxError(ValueError):
    pass


def _fee(amount_pence: int, method: str = CARD) -> int:
    """Stripe's fee on a UK payment at the charity's configured standard price: a card's rate,
    or Bacs Direct Debit's (1% + 20p, capped at £4, as Stripe publishes)."""
    config = current_app.config
    if method == BACS:
        rate, fixed = config["BACS_FEE_RATE_BASIS_POINTS"], config["BACS_FEE_FIXED_PENCE"]
        fee = -(-amount_pence * rate // 10_000) + fixed
        return min(fee, config["BACS_FEE_CAP_PENCE"])
    return -(-amount_pence * config["FEE_RATE_BASIS_POINTS"] // 10_000) + config["FEE_FIXED_PENCE"]


def _transaction(kind: str, source: str, amount: int, fee: int = 0) -> dict:
    return store.put(
        "balance_transaction",
        {
            "amount": amount,
            "currency": "gbp",
            "fee": fee,
            "net": amount - fee,
            "type": kind,
            "reporting_category": kind,
            "source": source,
            "status": "pending",
            "available_on": store.now() + SETTLEMENT_SECONDS,
            "payout": None,
        },
    )


def _intent(amount: int, customer: str | None, metadata: dict, status: str) -> dict:
    return store.put(
        "payment_intent",
        {
            "amount": amount,
            "currency": "gbp",
            "status": status,
            "customer": customer,
            "metadata": metadata,
        },
    )


def _charge(payment_intent: dict, method: str = CARD) -> tuple[dict, dict]:
    """The PaymentIntent succeeds: its Charge, and the balance transaction Stripe keeps."""
    amount, customer, metadata = (
        payment_intent["amount"],
        payment_intent["customer"],
        payment_intent["metadata"],
    )
    charge = store.put(
        "charge",
        {
            "amount": amount,
            "amount_refunded": 0,
            "currency": "gbp",
            "customer": customer,
            "payment_intent": payment_intent["id"],
            "metadata": metadata,
            "paid": True,
            "status": "succeeded",
            "refunded": False,
            "disputed": False,
            "refunds": {"object": "list", "data": [], "has_more": False},
            "payment_method_details": {"type": method},
        },
    )
    transaction = _transaction("charge", charge["id"], amount, _fee(amount, method))
    charge = store.update(charge["id"], balance_transaction=transaction["id"])
    payment_intent = store.update(
        payment_intent["id"], status="succeeded", latest_charge=charge["id"]
    )
    return payment_intent, charge


def _lines(row: SandboxSession) -> list[dict]:
    return [
        {
            "amount": item["price_data"]["unit_amount"] * item["quantity"],
            "currency": "gbp",
            "pricing": {
                "type": "price_details",
                "price_details": {"product": item["price_data"]["product"]},
            },
        }
        for item in row.data["line_items"]
    ]


def _subscription(row: SandboxSession, customer: str | None) -> dict:
    metadata = (row.data.get("subscription_data") or {}).get("metadata") or {}
    items = [
        {
            "price": {
                "product": item["price_data"]["product"],
                "unit_amount": item["price_data"]["unit_amount"],
                "recurring": item["price_data"].get("recurring") or {"interval": "month"},
            },
            "quantity": item["quantity"],
        }
        for item in row.data["line_items"]
    ]
    return store.put(
        "subscription",
        {
            "customer": customer,
            "status": "incomplete",
            "metadata": metadata,
            "items": {"object": "list", "data": items},
            "sandbox_lines": _lines(row),
        },
    )


def _invoice(subscription: dict, reason: str) -> dict:
    lines = subscription["sandbox_lines"]
    total = sum(line["amount"] for line in lines)
    return store.put(
        "invoice",
        {
            "customer": subscription["customer"],
            "currency": "gbp",
            "amount_due": total,
            "amount_paid": 0,
            "status": "open",
            "billing_reason": reason,
            "lines": {"object": "list", "data": lines},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription["id"],
                    "metadata": subscription["metadata"],
                },
            },
            "payments": {"object": "list", "data": []},
        },
    )


def _method_of(subscription: dict) -> str:
    """How a plan is paid: by Direct Debit when it was set up with one, as Stripe's
    payment_settings say."""
    types = (subscription.get("payment_settings") or {}).get("payment_method_types") or [CARD]
    return types[0]


def _pay_invoice(invoice: dict, subscription: dict) -> dict:
    payment_intent, _ = _charge(
        _intent(invoice["amount_due"], invoice["customer"], subscription["metadata"], "processing"),
        _method_of(subscription),
    )
    store.update(subscription["id"], status="active", latest_invoice=invoice["id"])
    return store.update(
        invoice["id"],
        status="paid",
        amount_paid=invoice["amount_due"],
        status_transitions={"paid_at": store.now()},
        payments={
            "object": "list",
            "data": [
                {
                    "object": "invoice_payment",
                    "status": "paid",
                    "payment": {"type": "payment_intent", "payment_intent": payment_intent["id"]},
                }
            ],
        },
    )


# --- a donor pays on the practice checkout --------------------------------------------------


def complete(row: SandboxSession, paid: bool) -> None:
    """The donor finished the checkout: by card (paid) or by Direct Debit (not yet)."""
    if row.data["status"] != "open":
        raise SandboxError("This checkout is no longer open.")
    customer = row.data.get("customer") or store.put("customer", {})["id"]
    changes = {
        "status": "complete",
        "payment_status": "paid" if paid else "unpaid",
        "customer": customer,
    }
    invoice = None
    if row.data["mode"] == "subscription":
        subscription = _subscription(row, customer)
        if not paid:
            subscription = store.update(
                subscription["id"], payment_settings={"payment_method_types": [BACS]}
            )
        invoice = _invoice(subscription, "subscription_create")
        if paid:
            invoice = _pay_invoice(invoice, subscription)
        changes.update(subscription=subscription["id"], invoice=invoice["id"])
    else:
        metadata = (row.data.get("payment_intent_data") or {}).get("metadata") or {}
        payment_intent = _intent(row.data["amount_total"], customer, metadata, "processing")
        if paid:
            payment_intent, _ = _charge(payment_intent)
        changes["payment_intent"] = payment_intent["id"]
    emit("checkout.session.completed", update_session(row, **changes))
    if invoice is not None and invoice["status"] == "paid":
        emit("invoice.paid", invoice)


def _waiting_direct_debit(reference: str) -> SandboxSession:
    donation = gifts.by_reference(reference)
    row = store.session(donation.checkout_session_id) if donation else None
    if row is None:
        raise SandboxError(f"No sandbox payment for donation {reference}.")
    if (
        row.data["status"] != "complete"
        or row.data["payment_status"] != "unpaid"
        or row.data.get("sandbox_collection")
    ):
        raise SandboxError(f"Donation {reference} has no Direct Debit waiting to settle.")
    return row


def settle(reference: str) -> None:
    """A Bacs Direct Debit is collected, as Stripe reports a few working days later."""
    row = _waiting_direct_debit(reference)
    invoice = None
    if row.data["mode"] == "subscription":
        subscription = store.get(row.data["subscription"])
        invoice = _pay_invoice(store.get(row.data["invoice"]), subscription)
    else:
        _charge(store.get(row.data["payment_intent"]), BACS)
    session = update_session(row, payment_status="paid", sandbox_collection="settled")
    emit("checkout.session.async_payment_succeeded", session)
    if invoice is not None:
        emit("invoice.paid", invoice)


def fail(reference: str) -> None:
    row = _waiting_direct_debit(reference)
    emit("checkout.session.async_payment_failed", update_session(row, sandbox_collection="failed"))


def expire(reference: str) -> None:
    donation = gifts.by_reference(reference)
    row = store.session(donation.checkout_session_id) if donation else None
    if row is None or row.data["status"] != "open":
        raise SandboxError(f"Donation {reference} has no open checkout to expire.")
    emit("checkout.session.expired", update_session(row, status="expired"))


# --- later in a payment's life ------------------------------------------------------------


def _subscription_of(reference: str) -> dict:
    donation = gifts.by_reference(reference)
    subscription = store.get(donation.subscription_id) if donation else None
    if subscription is None:
        raise SandboxError(f"Donation {reference} is not a monthly or yearly gift in the sandbox.")
    return subscription


def renew(reference: str, *, failing: bool = False) -> None:
    """The next payment of a recurring gift (a month or a year on, as its price says): its
    invoice is paid, or its payment fails."""
    subscription = _subscription_of(reference)
    if subscription["status"] == "canceled":
        raise SandboxError(f"The regular gift {reference} has been stopped.")
    invoice = _invoice(subscription, "subscription_cycle")
    if failing:
        store.update(invoice["id"], attempt_count=1)
        emit("invoice.payment_failed", store.get(invoice["id"]))
        emit("customer.subscription.updated", store.update(subscription["id"], status="past_due"))
        return
    emit("invoice.paid", _pay_invoice(invoice, subscription))


def _latest_charge(reference: str) -> dict:
    """The donation's last payment: its own charge, or its latest month's."""
    donation = gifts.by_reference(reference)
    if donation is None:
        raise SandboxError(f"No donation {reference}.")
    payment_intent = store.get(donation.payment_intent_id)
    if donation.subscription_id:
        invoice = store.get((store.get(donation.subscription_id) or {}).get("latest_invoice"))
        payments = (invoice or {}).get("payments", {}).get("data") or [{}]
        payment_intent = store.get(payments[-1].get("payment", {}).get("payment_intent"))
    charge = store.get((payment_intent or {}).get("latest_charge"))
    if charge is None:
        raise SandboxError(f"Donation {reference} has no payment to refund or dispute.")
    return charge


def refund(params: dict, idempotency_key: str | None = None) -> dict:
    """A refund of a payment (all of what remains, or params["amount"])."""
    payment_intent = store.get(params.get("payment_intent"))
    charge = store.get((payment_intent or {}).get("latest_charge") or params.get("charge"))
    if charge is None:
        raise SandboxError("No such payment to refund.")
    remaining = charge["amount"] - charge["amount_refunded"]
    amount = params.get("amount", remaining)
    if not 0 < amount <= remaining:
        raise SandboxError(f"Refund amount {amount} is more than the {remaining} that remains.")
    made = store.put(
        "refund",
        {
            "amount": amount,
            "currency": "gbp",
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "status": "succeeded",
            "reason": params.get("reason"),
            "metadata": params.get("metadata") or {},
        },
        idempotency_key,
    )
    transaction = _transaction("refund", made["id"], -amount)
    made = store.update(made["id"], balance_transaction=transaction["id"])
    refunds = [*charge["refunds"]["data"], made]
    charge = store.update(
        charge["id"],
        amount_refunded=charge["amount_refunded"] + amount,
        refunded=charge["amount_refunded"] + amount == charge["amount"],
        refunds={"object": "list", "data": refunds, "has_more": False},
    )
    emit("charge.refunded", charge)
    emit("refund.created", made)
    return made


def refund_donation(reference: str, amount_pence: int | None = None) -> dict:
    charge = _latest_charge(reference)
    params = {"charge": charge["id"]}
    if amount_pence is not None:
        params["amount"] = amount_pence
    return refund(params)


def dispute(reference: str, *, won: bool) -> dict:
    """The donor's bank disputes the payment: funds withdrawn, then the dispute lost or won."""
    charge = _latest_charge(reference)
    amount = charge["amount"] - charge["amount_refunded"]
    made = store.put(
        "dispute",
        {
            "amount": amount,
            "currency": "gbp",
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "status": "needs_response",
            "reason": "fraudulent",
            "balance_transactions": [],
        },
    )
    store.update(charge["id"], disputed=True)
    emit("charge.dispute.created", made)
    withdrawal = _transaction("adjustment", made["id"], -amount, DISPUTE_FEE_PENCE)
    made = store.update(made["id"], balance_transactions=[withdrawal])
    emit("charge.dispute.funds_withdrawn", made)
    if won:
        back = _transaction("adjustment", made["id"], amount)
        made = store.update(made["id"], balance_transactions=[withdrawal, back])
        emit("charge.dispute.funds_reinstated", made)
    made = store.update(made["id"], status="won" if won else "lost")
    emit("charge.dispute.closed", made)
    return made


def payout() -> dict | None:
    """Pay out everything in the balance not yet paid out (the sandbox does not wait)."""
    waiting = [t for t in store.every("balance_transaction", payout=None) if t["type"] != "payout"]
    if not waiting:
        return None
    amount = sum(t["net"] for t in waiting)
    made = store.put(
        "payout",
        {
            "amount": amount,
            "currency": "gbp",
            "status": "paid",
            "arrival_date": store.now(),
            "method": "standard",
            "type": "bank_account",
        },
    )
    for transaction in waiting:
        store.update(transaction["id"], payout=made["id"], status="available")
    own = _transaction("payout", made["id"], -amount)
    store.update(own["id"], payout=made["id"], status="available")
    made = store.update(made["id"], balance_transaction=own["id"])
    emit("payout.paid", made)
    return made


def change_subscription(subscription_id: str, *, cancel: bool, gift_pence: int | None = None):
    """What the donor does on the portal: stop the monthly gift, or change its amount."""
    subscription = store.get(subscription_id)
    if subscription is None or subscription["status"] == "canceled":
        raise SandboxError("This monthly gift has already stopped.")
    if cancel:
        stopped = store.update(
            subscription_id, status="canceled", canceled_at=store.now(), ended_at=store.now()
        )
        emit("customer.subscription.deleted", stopped)
        return stopped
    items = subscription["items"]["data"]
    lines = subscription["sandbox_lines"]
    items[0]["price"]["unit_amount"] = gift_pence
    lines[0]["amount"] = gift_pence
    changed = store.update(
        subscription_id, items={"object": "list", "data": items}, sandbox_lines=lines
    )
    emit("customer.subscription.updated", changed)
    return changed
