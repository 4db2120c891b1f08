"""Cancel for the sync client's HTTP, without a parameter through every call: inside `cancellable(check)`, each
`Http` made takes `check` and stops with `Cancelled` at its next step once `check()` is true (before a request,
after its answer, while waiting to retry). The app's Cancel of a sign-in or a clone (desktop/connect.py) uses it;
what the server did with an answered request is redone or deduplicated by the next round, as after a lost answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Check = Callable[[], bool]
POLL = 0.1  # seconds between two looks at the check while waiting to retry
_CHECK: ContextVar[Check | None] = ContextVar("annodesk_http_cancel", default=None)


def never() -> bool:
    return False


@contextmanager
def cancellable(check: Check) -> Iterator[None]:
    """Every Http made inside this block (on this thread; the threads it starts then share its Http) stops once
    `check()` is true. A request in flight ends by its timeout."""
    token = _CHECK.set(check)
    try:
        yield
    finally:
        _CHECK.reset(token)


def current_check() -> Check:
    """The check of the innermost `cancellable` block, else one that never cancels."""
    return _CHECK.get() or never


def slices(seconds: float, check: Check) -> list[float]:
    """A wait of `seconds` cut in pieces of at most POLL when `check` can cancel (one piece when it cannot)."""
    steps = 1 if check is never else max(1, math.ceil(seconds / POLL))
    return [seconds / steps] * steps
