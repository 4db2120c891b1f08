"""How Annodesk's long-running processes (the app, the server) run Python's cyclic garbage collector.

By default the collector runs every 700 new containers. A video frame's shapes (1,000 polygons: ~10,000 tuples), a
push's batch (~10^5 containers) are made and dropped again within milliseconds, so it ran many times a frame or a
batch, scanned and promoted what was still alive, and re-scanned it in the older generations: a third of the time of
a frame's shapes, and pauses of 20 ms or more every few frames (docs/benchmarks.md, "Tracks"). Waiting for 50,000
new containers lets most of them die by reference counting first.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)  # gc.set_threshold: young generation, then how often the older two are collected


def collect_less() -> None:
    """Collect once, freeze what start-up made (it lives as long as the process: no collection need scan it
    again), and set THRESHOLDS."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
