"""Active time from input events: the rule that decides which seconds of a session count as work.

The accumulator is fed the times of a person's input events (key presses, mouse presses, moves, wheel turns). The gap
between two consecutive events counts only when it is at most `idle_after` seconds: a longer pause is idle and counts
nothing. A stretch is one run of counted time on one thing (a task, named by `key`); it ends at an idle gap, when the
key changes (another task is shown) and when the caller ends it (the window lost focus, the workspace closes). A
stretch is handed out in pieces of about `flush_after` counted seconds, so a crash loses at most that much.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import cast

IDLE_AFTER = 60.0  # seconds: the default of the `idle_after` setting
FLUSH_AFTER = 30.0  # counted seconds between stored pieces of one stretch


@dataclass(frozen=True, slots=True)
class Stretch[K: Hashable]:
    """Counted seconds of `key` between the events at `started` and `ended` (seconds <= ended - started)."""

    key: K
    seconds: float
    started: float
    ended: float


class ActiveTime[K: Hashable]:
    """Counts active seconds per key from event times; `feed`, `end` and `take` return the pieces ready to store."""

    def __init__(self, idle_after: float = IDLE_AFTER, flush_after: float = FLUSH_AFTER) -> None:
        if not idle_after > 0 or not flush_after > 0:
            raise ValueError("idle_after and flush_after must be positive")
        self.idle_after = idle_after
        self.flush_after = flush_after
        self._key: K | None = None
        self._last: float | None = None  # the latest event of the current stretch, None between stretches
        self._started = 0.0  # where the piece not yet handed out begins
        self._seconds = 0.0  # counted in that piece

    @property
    def key(self) -> K | None:
        """What the current stretch counts for (None between stretches)."""
        return self._key if self._last is not None else None

    @property
    def last(self) -> float | None:
        """The time of the current stretch's latest event (None between stretches)."""
        return self._last

    @property
    def pending(self) -> float:
        """Seconds counted and not yet handed out."""
        return self._seconds

    def feed(self, key: K, t: float) -> list[Stretch[K]]:
        """One input event at `t` (seconds) on `key`; returns the pieces it finishes (an idle gap, another key, a
        clock that went back, or `flush_after` seconds counted)."""
        done: list[Stretch[K]] = []
        last = self._last
        if last is not None and (key != self._key or t < last or t - last > self.idle_after):
            done += self.end()
            last = None
        if last is None:
            self._key, self._last, self._started, self._seconds = key, t, t, 0.0
            return done
        self._seconds += t - last
        self._last = t
        if self._seconds >= self.flush_after:
            done += self.take()
        return done

    def take(self) -> list[Stretch[K]]:
        """The piece counted so far (empty when nothing was); the stretch goes on from its last event."""
        if self._last is None or self._seconds <= 0:
            return []
        piece = Stretch(cast("K", self._key), self._seconds, self._started, self._last)
        self._started, self._seconds = self._last, 0.0
        return [piece]

    def end(self) -> list[Stretch[K]]:
        """End the current stretch: the next event starts a new one, and the gap before it counts nothing."""
        done = self.take()
        self._last, self._key, self._seconds = None, None, 0.0
        return done
