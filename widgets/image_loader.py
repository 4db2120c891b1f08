"""Builds a huge image's pyramid on a worker thread and hands the results to the GUI thread by Qt signals.

The overview (when the format allows one) arrives first, then the complete pyramid; a failure arrives as a message.
Each request carries a number, so results of an image the user has already left are ignored by the receiver.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.media import MediaError
from core.pyramid import Pyramid, PyramidError
from core.pyramid_cache import PyramidCache
from widgets.messages import translated


class PyramidLoader(QObject):
    overview = Signal(int, object)  # request number, Pyramid with the coarse levels only
    ready = Signal(int, object)  # request number, the complete Pyramid
    failed = Signal(int, str)  # request number, what went wrong (names the file)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: PyramidCache | None = None
        self._threads: list[threading.Thread] = []

    @property
    def cache(self) -> PyramidCache:
        """Created on first use, so $ANNODESK_CACHE_DIR set after start-up (tests) still counts."""
        if self._cache is None:
            self._cache = PyramidCache()
        return self._cache

    def start(self, request: int, path: str | Path, content_hash: str | None = None) -> None:
        """Build (or read back) the pyramid of `path` in the background; signals carry `request`."""
        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(
            target=self._run, args=(request, Path(path), content_hash), name="pyramid-build", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the builds in flight (tests, and a clean shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def _run(self, request: int, path: Path, content_hash: str | None) -> None:
        def on_overview(pyramid: Pyramid) -> None:
            self.overview.emit(request, pyramid)

        try:
            pyramid = self.cache.build(path, content_hash, on_overview)
        except (OSError, MediaError, PyramidError) as exc:
            self.failed.emit(request, translated(exc) if str(path) in str(exc) else f"{path}: {translated(exc)}")
            return
        self.ready.emit(request, pyramid)
