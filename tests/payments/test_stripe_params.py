"""Every kind of request the gateway sends to Stripe, checked against stripe-python's own
parameter types (the TypedDicts in its `params` modules): no unknown name, no wrong type,
nothing required missing."""

import types
import typing
from datetime import UTC, datetime
from typing import NotRequired, Required

import pytest
from stripe import _request_options as request_options_module
from stripe._balance_transaction_service import BalanceTransactionService
from stripe._customer_service import CustomerService
from stripe._event_service import EventService
from stripe._payout_service import PayoutService
from stripe._product_service import ProductService
from stripe._refund_service import RefundService
from stripe._stripe_context import StripeContext
from stripe._stripe_object import UntypedStripeObject
from stripe.billing_portal._session_service import SessionService as PortalSessionService
from stripe.checkout._session_service import SessionService as CheckoutSessionService
from stripe.params import (
    BalanceTransactionListParams,
    CustomerCreateParams,
    EventListParams,
    PayoutListParams,
    ProductCreateParams,
    RefundCreateParams,
    RefundListParams,
)
from stripe.params.billing_portal import SessionCreateParams as PortalSessionCreateParams
from stripe.params.checkout import SessionCreateParams as CheckoutSessionCreateParams
from stripe.params.checkout import SessionListParams as CheckoutSessionListParams
from typing_extensions import is_typeddict

from donations.payments.gateway import gateway
from tests import factories

#: the names RequestOptions (every params type's base) annotates with, from its own module
OPTION_NAMES = {**vars(request_options_module), "StripeContext": StripeContext}

#: (service method) -> the TypedDict its params must satisfy
EXPECTED = {
    (CheckoutSessionService, "create"): CheckoutSessionCreateParams,
    (CheckoutSessionService, "list"): CheckoutSessionListParams,
    (ProductService, "create"): ProductCreateParams,
    (CustomerService, "create"): CustomerCreateParams,
    (RefundService, "create"): RefundCreateParams,
    (RefundService, "list"): RefundListParams,
    (PortalSessionService, "create"): PortalSessionCreateParams,
    (EventService, "list"): EventListParams,
    (BalanceTransactionService, "list"): BalanceTransactionListParams,
    (PayoutService, "list"): PayoutListParams,
}


def problems(value, hint, path="params") -> list[str]:  # noqa: PLR0911  (one answer per kind of type)
    """Where value does not fit the type hint (an empty list when it fits)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (NotRequired, Required):
        return problems(value, args[0], path)
    if origin in (typing.Union, types.UnionType):
        found = [problems(value, option, path) for option in args]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if is_typeddict(hint):
        return typeddict_problems(value, hint, path)
    if origin in (list, typing.List):  # noqa: UP006  (stripe-python's own spelling)
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [p for i, item in enumerate(value) for p in problems(item, args[0], f"{path}[{i}]")]
    if origin in (dict, typing.Dict) or origin is UntypedStripeObject:  # noqa: UP006
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        value_type = args[-1]
        return [p for k, v in value.items() for p in problems(v, value_type, f"{path}.{k}")]
    if hint is typing.Any:
        return []
    if hint is bool:
        return [] if isinstance(value, bool) else [f"{path}: {value!r} is not a boolean"]
    if hint in (int, str):
        ok = isinstance(value, hint) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r} is not {hint.__name__}"]
    return [] if isinstance(value, hint) else [f"{path}: {value!r} is not {hint}"]


def typeddict_problems(value, shape, path) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: not an object"]
    hints = typing.get_type_hints(shape, localns=OPTION_NAMES, include_extras=True)
    found = [f"{path}.{key}: Stripe has no such parameter" for key in value if key not in hints]
    found += [f"{path}.{key}: required, missing" for key in shape.__required_keys__ - set(value)]
    for key, item in value.items():
        if key in hints:
            found += problems(item, hints[key], f"{path}.{key}")
    return found


def test_the_checker_refuses_what_stripe_would(app):
    shape = CheckoutSessionCreateParams
    assert typeddict_problems({"mode": "payment", "payment_method_types": ["card"]}, shape, "p")
    assert typeddict_problems({"line_items": [{"quantity": "1"}]}, shape, "p")
    bad_currency = {"line_items": [{"price_data": {"unit_amount": 100}}]}
    assert any("currency: required" in p for p in typeddict_problems(bad_currency, shape, "p"))
    assert typeddict_problems({"mode": "payment", "submit_type": "donate"}, shape, "p") == []


@pytest.fixture
def sent(monkeypatch):
    """Every params dict the gateway hands to stripe-python, by service method."""
    calls = []
    for service, method in EXPECTED:
        real = getattr(service, method)

        def spy(self, *args, _real=real, _key=(service, method), **kwargs):
            params = kwargs.get("params", args[0] if args else None)
            calls.append((_key, params or {}))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(service, method, spy)
    return calls


@pytest.fixture
def app(stripe_app):
    return stripe_app


def test_every_request_the_gateway_sends_fits_stripes_types(app, sent, fake_stripe):
    one_off = factories.checkout(amount_pence=2500, fee_cover_pence=59, gift_aid=True)
    factories.checkout(amount_pence=1000, fee_cover_pence=36, frequency="monthly", email="m@x.org")
    stripe = gateway()
    since = datetime(2026, 11, 1, tzinfo=UTC)
    stripe.create_refund(
        {
            "payment_intent": "pi_1",
            "amount": 500,
            "reason": "requested_by_customer",
            "metadata": {"donation_reference": one_off.reference},
        },
        idempotency_key="refund-1",
    )
    stripe.create_portal_session("cus_1", "https://give.example/funds/actimus")
    for listing in (
        stripe.list_events(since),
        stripe.list_balance_transactions(since=since),
        stripe.list_balance_transactions(payout_id="po_1"),
        stripe.list_refunds("ch_1"),
        stripe.list_payouts(since),
        stripe.list_checkout_sessions(since),
    ):
        list(listing)

    seen = {key for key, _ in sent}
    assert seen == set(EXPECTED), f"not exercised: {set(EXPECTED) - seen}"
    for key, params in sent:
        assert typeddict_problems(params, EXPECTED[key], f"{key[0].__name__}.{key[1]}") == []
