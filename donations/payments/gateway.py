"""The payment gateway: one interface, two implementations chosen by configuration.

`StripeGateway` (payments.stripe_gateway) talks to Stripe; the sandbox package provides one
that stands in for Stripe's servers. The composition root (create_app) puts the chosen one in
`app.extensions`; everything else asks `gateway()` and never knows which it has. Objects come
back as plain dicts shaped as Stripe's API documents them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import stripe
from flask import current_app

#: pinned: the version this stripe-python release ships; set the webhook endpoint to match
API_VERSION = stripe.api_version


class GatewayError(RuntimeError):
    """The payment provider could not be reached or refused the request."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class PaymentGateway(Protocol):
    #: where the donor's browser goes to pay, beyond this site (for the form's CSP)
    checkout_origin: str | None

    def create_checkout_session(self, params: dict, idempotency_key: str) -> CheckoutSession:
        """Create a Checkout Session; the same key returns the same session."""
        ...

    def retrieve_checkout_session(self, session_id: str) -> dict: ...

    def create_product(self, params: dict, idempotency_key: str) -> str:
        """A Product (a fund, or the fee cover); returns its id."""
        ...

    def create_customer(self, params: dict, idempotency_key: str) -> str:
        """A Customer (a donor); returns its id."""
        ...

    def list_refunds(self, charge_id: str) -> Iterator[dict]:
        """Every refund of a charge."""
        ...

    def list_checkout_sessions(self, since: datetime) -> Iterator[dict]:
        """Checkout Sessions created since a moment."""
        ...

    def list_payouts(self, since: datetime) -> Iterator[dict]:
        """Payouts created since a moment."""
        ...

    def retrieve_payout(self, payout_id: str) -> dict | None:
        """One payout, or None when there is no such payout."""
        ...

    def create_refund(self, params: dict, idempotency_key: str) -> dict:
        """Refund all or part of a payment (params as Stripe's POST /v1/refunds)."""
        ...

    def forget_customer(self, email: str) -> None:
        """A donor asked to be forgotten: whatever the gateway itself holds of them goes."""
        ...

    def create_portal_session(self, customer_id: str, return_url: str) -> str:
        """A short-lived page where a donor manages their monthly gift; returns its URL."""
        ...

    def list_events(self, since: datetime) -> Iterator[dict]:
        """Events created since a moment (Stripe keeps 30 days), newest first."""
        ...

    def list_balance_transactions(
        self, since: datetime | None = None, payout_id: str | None = None
    ) -> Iterator[dict]:
        """Balance transactions created since a moment, or those paid out in one payout."""
        ...


def gateway() -> PaymentGateway:
    return current_app.extensions["payment_gateway"]
