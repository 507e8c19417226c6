"""Stripe webhooks: `delivery` verifies and de-duplicates; one module per event family
registers its handlers with `registry.handles` (imported by the payments package, so every
handler is known wherever payments is used); `held` applies events that came too early."""

from donations.payments.webhooks.delivery import Answer, receive

__all__ = ["Answer", "receive"]
