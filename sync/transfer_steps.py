"""What makes an import or an export all or nothing, and lets it say how far it is: progress steps with a cancel
check between them, and one transaction around every write an import makes.

The progress callback takes (done, total) like `Workspace.add_media`'s, so the app's `JobState.set_progress` and the
CLI's terminal line plug in as they are; `cancelled()` is polled between steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sync.workspace import Workspace

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The user cancelled: the import's transaction was rolled back, the export's staging folder removed."""


class Steps:
    """(done, total) over the steps of one run; `advance` checks for a cancel after each step."""

    def __init__(self, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self.done = 0
        self.total = 0

    def add(self, count: int) -> None:
        """More steps to go (the count of some is only known once the file is read)."""
        self.total += count
        self._report()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._report()
        self.check()

    def finish(self) -> None:
        """All done (after the commit: no cancel check any more)."""
        self.done = self.total
        self._report()

    def is_cancelled(self) -> bool:
        return self._cancelled is not None and self._cancelled()

    def check(self) -> None:
        if self.is_cancelled():
            raise Cancelled("cancelled")

    def nested(self) -> Progress:
        """A (done, total) callback for a part that counts its own steps, shown as steps of this run."""
        start = self.done

        def show(done: int, _total: int) -> None:
            self.done = start + done
            self._report()

        return show

    def _report(self) -> None:
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


@contextmanager
def one_transaction(ws: Workspace) -> Iterator[None]:
    """Every write `ws` makes on this thread inside the block joins ONE transaction (Workspace.transaction is
    reentrant): committed when the block ends, rolled back (the in-memory schema too) when it raises, so a cancel,
    an error or a crash midway leaves the workspace exactly as it was. Other threads' writes wait for the block."""
    schema = ws.schema
    with ws.transaction() as conn:
        try:
            yield
        except BaseException:
            if ws.schema is not schema:
                ws.store_schema(conn, schema)  # the in-memory copy back; the row itself is rolled back with the rest
            raise
