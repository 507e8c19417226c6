"""Stripe's webhook signature scheme: HMAC-SHA256 of "timestamp.payload", as the sandbox signs."""

import hmac
import time
from hashlib import sha256


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    signed_at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{signed_at}.".encode() + payload, sha256).hexdigest()
    return f"t={signed_at},v1={mac}"
