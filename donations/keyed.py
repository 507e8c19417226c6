"""Keyed digests: a value the platform must recognise again (an erased donor's ledger rows,
a Stripe Customer made for an address) without keeping the value itself."""

import hashlib

from flask import current_app


def digest(value: str, size: int = 12) -> str:
    """The same hex string for the same value under this site's secret key, and nothing a
    reader without the key can turn back into the value."""
    secret = current_app.config["SECRET_KEY"].encode()[:64]
    return hashlib.blake2b(value.encode(), key=secret, digest_size=size).hexdigest()
