"""Benchmark: a 1-hour 44.1 kHz stereo MP3 with 2,000 segments opened in the app, as an annotator opens it.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_audio_app [--minutes 60] [--repeat 5]

The recording is made by tests/benchmarks/bench_audio.py's ffmpeg graph and added to a workspace (its pyramid is
decoded there, once). Then, in this process: the main window opens the workspace on that task and the time until
the waveform's first paint is taken; the task is opened again (another task in between) `--repeat` times for the
reopen figure; resident memory is read before the window exists and after the recording is on screen.
Targets (issue 11): first waveform on screen <= 0.5 s; reopen <= 100 ms; <= 300 MB over the idle app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_audio import _rss_mb, make_mp3  # noqa: E402


def workspace(folder: Path, minutes: int) -> tuple[Path, int, int]:
    import cv2

    from core.annotation import Annotation, new_id
    from core.schema import LabelSchema
    from core.shapes import Segment
    from sync.workspace import Workspace

    mp3 = folder / "hour.mp3"
    make_mp3(mp3, minutes)
    cv2.imwrite(str(folder / "other.png"), np.full((64, 64, 3), 90, np.uint8))
    schema = LabelSchema.from_json({"labels": [{"name": "speech", "color": "#4caf50"}],
                                    "tiers": [{"name": "speaker"}, {"name": "words"}]})
    ws = Workspace.create(folder / "ws", schema)
    started = time.perf_counter()
    ws.add_media([mp3, folder / "other.png"])
    print(f"add (decode into the pyramid): {time.perf_counter() - started:.2f} s")
    task = next(t for t in ws.tasks() if t.kind == "audio")
    other = next(t for t in ws.tasks() if t.kind == "image")
    step = minutes * 60 / 1000
    ws.insert_annotations([Annotation(new_id(), task.id, "speech", Segment(i * step, i * step + step * 0.8, tier))
                           for i in range(1000) for tier in ("speaker", "words")])
    ws.close()
    return folder / "ws", task.id, other.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from widgets.waveform import WaveformView

    with tempfile.TemporaryDirectory() as tmp:
        path, task_id, other_id = workspace(Path(tmp), args.minutes)
        app = QApplication.instance() or QApplication([])
        idle = _rss_mb()
        painted: list[float] = []
        paint = WaveformView.paintEvent

        def timed_paint(view: WaveformView, event: object) -> None:
            paint(view, event)  # type: ignore[arg-type]
            if view.pyramid is not None:
                painted.append(time.perf_counter())

        WaveformView.paintEvent = timed_paint  # type: ignore[method-assign]
        window = MainWindow(Settings())
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        started = time.perf_counter()
        window.open_workspace(path, task_id)
        while not painted:
            app.processEvents()
        print(f"first waveform on screen: {(painted[0] - started) * 1000:.0f} ms")
        reopen = []
        for _ in range(args.repeat):
            window.show_task(other_id)
            app.processEvents()
            painted.clear()
            started = time.perf_counter()
            window.show_task(task_id)
            while not painted:
                app.processEvents()
            reopen.append((painted[0] - started) * 1000)
        print(f"reopen (from another task): median {statistics.median(reopen):.0f} ms, max {max(reopen):.0f} ms")
        print(f"resident memory over the idle app: {_rss_mb() - idle:.0f} MB")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
