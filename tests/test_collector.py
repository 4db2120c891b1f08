"""core/collector.py: the app's and the server's garbage collector settings, put back after the test (pytest's own
process keeps Python's defaults)."""

import gc

from core.collector import THRESHOLDS, collect_less


def test_collect_less_freezes_start_up_and_waits_for_more_containers():
    before = gc.get_threshold()
    try:
        collect_less()
        assert gc.get_threshold() == THRESHOLDS and THRESHOLDS[0] >= 10_000
        assert gc.get_freeze_count() > 0
        young = gc.get_count()[0]
        made = [[] for _ in range(1000)]  # more than Python's default 700: no collection ran meanwhile
        assert gc.get_count()[0] >= young + 1000 and made
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
