"""Stripe webhooks: `delivery` verifies and de-duplicates; one module per event family
registers its handlers with `registry.handles`; `held` applies events that came too early."""

from donations.payments.webhooks import (  # noqa: F401  (each registers its handlers)
    checkout,
    disputes,
    invoices,
    refunds,
)
from donations.payments.webhooks.delivery import Answer, receive

__all__ = ["Answer", "receive"]
