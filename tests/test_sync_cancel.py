"""sync/client/cancel.py: an Http made inside `cancellable` stops between requests once its check is true: before a
request, after an answer (so a cancelled sign-in stores nothing), and during the backoff before a retry, which it
does not wait out. An Http made outside is not affected."""

import threading
import time

import pytest

from sync.client.cancel import POLL, cancellable, never, slices
from sync.client.http import Cancelled, Http, OfflineError
from tests.server_fixtures import free_port


def test_a_cancelled_http_stops_during_the_backoff_instead_of_waiting_it_out():
    gone = f"http://127.0.0.1:{free_port()}"  # refused at once: every attempt is followed by a backoff wait
    stop = threading.Event()
    with cancellable(stop.is_set):
        http = Http(gone, attempts=6, base_delay=30.0, max_delay=30.0)  # about two minutes of waits in all
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        http.request("GET", "/health")
    assert time.monotonic() - started < 0.3 + 5 * POLL
    timer.join()
    http.close()


def test_the_check_is_taken_when_the_http_is_made_and_only_inside_the_block(server_factory):
    live = server_factory()
    free, gone = Http(live.url, attempts=1), Http(f"http://127.0.0.1:{free_port()}", attempts=1)
    with cancellable(lambda: True):
        cancelled = Http(live.url, attempts=1)
        with pytest.raises(OfflineError):  # made before the block: not cancelled by it
            gone.request("GET", "/health")
    with pytest.raises(Cancelled):  # made inside: cancelled wherever it is used
        cancelled.request("GET", "/health")
    assert free.request("GET", "/health").status_code == 200
    assert free.cancelled is never and slices(1.0, never) == [1.0] and len(slices(1.0, lambda: False)) == 10
    for http in (free, gone, cancelled):
        http.close()


def test_an_answer_that_comes_after_cancel_is_dropped(server_factory):
    live = server_factory()
    asked = threading.Event()

    def check():  # false before the request goes out, true once it has: Cancel pressed while it was in flight
        was = asked.is_set()
        asked.set()
        return was

    with cancellable(check):
        http = Http(live.url, attempts=1)
    with pytest.raises(Cancelled):
        http.request("GET", "/health")
    http.close()
