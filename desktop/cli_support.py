"""What the command line's commands share: the error a user can fix, and progress lines on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class CliError(Exception):
    """A user mistake: printed as one line, exit status 2."""


def progress_printer(what: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr when it is a terminal, silence otherwise."""
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty() and total:
            width = 30
            filled = width * done // total
            print(f"\r{what} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)
    return show


@contextmanager
def progress_line(what: str) -> Iterator[Callable[[int, int], None]]:
    """`progress_printer`'s line for a long import or export: redrawn at most ten times a second, and ended when the
    block ends however it ends (an error, Ctrl+C), so what is printed next starts a line of its own."""
    show = progress_printer(what)
    shown_at, open_line = 0.0, False

    def progress(done: int, total: int) -> None:
        nonlocal shown_at, open_line
        now = time.monotonic()
        if done < total and now - shown_at < 0.1:
            return
        shown_at = now
        show(done, total)
        open_line = sys.stderr.isatty() and total > 0 and done < total

    try:
        yield progress
    finally:
        if open_line:
            print(file=sys.stderr)
