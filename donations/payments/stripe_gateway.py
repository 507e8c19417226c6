"""The gateway to Stripe's API, through stripe-python's StripeClient."""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import stripe

from donations.payments.gateway import API_VERSION, CheckoutSession, GatewayError


def as_sent(obj: stripe.StripeObject) -> dict:
    """An object as Stripe sent it: stripe-python reads Stripe's decimal strings
    (`fx_rate`, `unit_amount_decimal`, …) as Decimal, which are given back as the strings
    they were, so the object can be stored and read again as JSON."""
    return _undecimal(obj.to_dict())


def _undecimal(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _undecimal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_undecimal(item) for item in value]
    return value


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


class StripeGateway:
    checkout_origin = "https://checkout.stripe.com"

    def __init__(self, api_key: str, api_base: str | None = None):
        self.client = stripe.StripeClient(
            api_key,
            stripe_version=API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def create_checkout_session(self, params: dict, idempotency_key: str) -> CheckoutSession:
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return CheckoutSession(id=session.id, url=session.url)

    def retrieve_checkout_session(self, session_id: str) -> dict:
        try:
            return as_sent(self.client.v1.checkout.sessions.retrieve(session_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def create_product(self, params: dict, idempotency_key: str) -> str:
        try:
            return self.client.v1.products.create(
                params=params, options={"idempotency_key": idempotency_key}
            ).id
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def create_customer(self, params: dict, idempotency_key: str) -> str:
        try:
            return self.client.v1.customers.create(
                params=params, options={"idempotency_key": idempotency_key}
            ).id
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def list_refunds(self, charge_id: str) -> Iterator[dict]:
        yield from self._all(self.client.v1.refunds.list, {"charge": charge_id})

    def list_checkout_sessions(self, since: datetime) -> Iterator[dict]:
        yield from self._all(
            self.client.v1.checkout.sessions.list, {"created": {"gte": _unix(since)}}
        )

    def list_payouts(self, since: datetime) -> Iterator[dict]:
        yield from self._all(self.client.v1.payouts.list, {"created": {"gte": _unix(since)}})

    def retrieve_payout(self, payout_id: str) -> dict | None:
        try:
            return as_sent(self.client.v1.payouts.retrieve(payout_id))
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise GatewayError(str(error)) from error
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def _all(self, lister, params: dict) -> Iterator[dict]:
        try:
            for item in lister(params=params).auto_paging_iter():
                yield as_sent(item)
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def create_refund(self, params: dict, idempotency_key: str) -> dict:
        try:
            refund = self.client.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return as_sent(refund)

    def forget_customer(self, email: str) -> None:
        """Stripe's copy is erased through Stripe's dashboard (its privacy tools): deleting the
        Customer through the API would also cancel their monthly gift at once, unasked."""

    def create_portal_session(self, customer_id: str, return_url: str) -> str:
        try:
            session = self.client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return session.url

    def list_events(self, since: datetime) -> Iterator[dict]:
        yield from self._all(self.client.v1.events.list, {"created": {"gte": _unix(since)}})

    def list_balance_transactions(
        self, since: datetime | None = None, payout_id: str | None = None
    ) -> Iterator[dict]:
        params: dict = {"expand": ["data.source"]}
        if since is not None:
            params["created"] = {"gte": _unix(since)}
        if payout_id is not None:
            params["payout"] = payout_id
        yield from self._all(self.client.v1.balance_transactions.list, params)
