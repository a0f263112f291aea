"""Counters in Django's default cache that limit how often something may happen.

Production's default cache is shared by every server and process (the database
cache, or Redis: CACHE_URL), so a limit holds however many there are; `incr` is
atomic in both and keeps the window (core/cache.py). Only locmemcache://
(development and the tests) counts per process.
"""

import hashlib

from django.core.cache import cache

HOUR = 60 * 60


def _key(kind, value) -> str:
    digest = hashlib.sha256(str(value).encode()).hexdigest()
    return f"throttle:{kind}:{digest}"


def throttle_count(kind, value) -> int:
    """How often `kind` happened for `value` in the current window."""
    return cache.get(_key(kind, value), 0)


def throttle_hit(kind, value, *, window=HOUR) -> int:
    """Counts one more `kind` for `value`; the window starts at the first one."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def throttle_allows(kind, value, limit, *, window=HOUR) -> bool:
    """Counts one more `kind` for `value` and says whether it is within the limit."""
    return throttle_hit(kind, value, window=window) <= limit


def throttle_clear(kind, value) -> None:
    cache.delete(_key(kind, value))
