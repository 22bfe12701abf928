"""A fixed-window rate limiter on the cache, for public forms.

Each (name, key) pair gets a counter per window: the counter for "portal-new-request" and
"203.0.113.9" in the hour starting 10:00 lives in one cache entry that expires with the window.
A fixed window lets a burst of up to twice the limit through around a window boundary; for
"20 requests an hour from one address" that is an acceptable price for one cache round trip.

The client key is REMOTE_ADDR on purpose: X-Forwarded-For is written by the client unless a
trusted proxy overwrites it, so a limiter that believes it can be walked around. Behind a
proxy, set REMOTE_ADDR from the proxy's header in the proxy or the WSGI server, not here.
"""

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

HOUR = 3600


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets

    def __bool__(self) -> bool:
        return self.allowed


def _cache_key(name: str, key: str, window_start: int) -> str:
    # Hash the key: it may be an email address or an IPv6 address, neither of which should
    # end up verbatim in a shared cache, and memcached dislikes some characters.
    digest = hashlib.sha256(f"{name}\0{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{window_start}:{digest}"


def hit(name: str, key: str, *, limit: int, window: int = HOUR, now: float | None = None) -> Verdict:
    """Count one use of `name` by `key`; allowed while the count in this window is within `limit`."""
    moment = time.time() if now is None else now
    window_start = int(moment // window) * window
    retry_after = max(1, window_start + window - int(moment))
    cache_key = _cache_key(name, key, window_start)
    # add() is a no-op when the counter exists, so two first hits cannot both reset it.
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return Verdict(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def client_key(request: Any) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit_request(request: Any, name: str, *, limit: int, window: int = HOUR) -> Verdict:
    """Count one use of the form `name` from the request's client address."""
    return hit(name, client_key(request), limit=limit, window=window)
