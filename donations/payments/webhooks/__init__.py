"""Stripe webhooks: `delivery` verifies and de-duplicates; one module per event family
registers its handlers with `registry.handles`."""

from donations.payments.webhooks import checkout  # noqa: F401  (registers its handlers)
from donations.payments.webhooks.delivery import Answer, receive

__all__ = ["Answer", "receive"]
