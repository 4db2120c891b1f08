"""An LRU of decoded frames bounded in bytes (the video cache setting), shared by the UI, a decode worker and the
prefetcher, hence its own lock."""

from __future__ import annotations

import threading
from collections import OrderedDict


class FrameCache[T]:
    """Frames by number; putting one evicts the least recently used until the bytes fit `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self._items: OrderedDict[int, tuple[T, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, n: int) -> T | None:
        with self._lock:
            item = self._items.get(n)
            if item is None:
                return None
            self._items.move_to_end(n)
            return item[0]

    def __contains__(self, n: int) -> bool:
        with self._lock:
            return n in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return self._bytes

    def put(self, n: int, value: T, size: int) -> None:
        """Keep `value` (`size` bytes); one larger than the whole limit is not kept."""
        with self._lock:
            old = self._items.pop(n, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.limit:
                return
            self._items[n] = (value, size)
            self._bytes += size
            while self._bytes > self.limit:
                _, (_, evicted) = self._items.popitem(last=False)
                self._bytes -= evicted

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
