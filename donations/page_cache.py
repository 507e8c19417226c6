"""A per-worker cache of rendered responses, refreshed at most once a second.

Every worker keeps its own copy; none needs another's. A progress read or a public page
therefore costs one small query per key per second per worker, however many donations there
are and however many requests arrive, and a newly paid gift shows within `ttl` seconds.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    mimetype: str
    status: int = 200

    @classmethod
    def of(cls, body: bytes, mimetype: str, status: int = 200) -> "Rendered":
        return cls(body, hashlib.sha256(body).hexdigest()[:40], mimetype, status)


class RenderedCache:
    MAX_ENTRIES = 2048

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[tuple, tuple[float, Rendered]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple, render: Callable[[], Rendered]) -> Rendered:
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        rendered = render()
        if rendered.status != 200:  # never keep an error: unknown slugs must not fill the cache
            return rendered
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now, rendered)
        return rendered
