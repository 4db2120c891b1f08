"""Benchmark: frames of the waveform view on a 1-hour 44.1 kHz stereo recording, from the whole file to samples.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_audio_view [--segments 2000] [--repeat 20]

The peaks pyramid is built here from a synthetic signal (a swelling tone: the pyramid's size and levels are those of
any hour of 44.1 kHz stereo); past the finest level the view draws the samples its reader holds, which are put in
place here (reading them runs on the reader's worker, never in a frame). A frame = WaveformView.render into a
1600 x 600 image: ruler, two channel bands, the tier lanes with their segments, minimap, playhead.
Targets (issue 11): <= 16 ms a frame at every zoom level with 2,000 segments; <= 16 ms with 100,000.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RATE, HOUR = 44100, 3600.0
SPANS = (3600.0, 600.0, 60.0, 10.0, 1.0, 0.1, 0.02)  # seconds across the view


def pyramid():
    from core.audio import PeaksBuilder

    builder = PeaksBuilder(RATE, 2)
    chunk = RATE * 10
    t = np.arange(chunk, dtype=np.float32) / RATE
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    for i in range(int(HOUR / 10)):
        gain = 0.5 + 0.45 * np.sin(i / 7)
        builder.feed(np.stack([tone * gain, tone * gain * 0.7]))
    return builder.finish()


def editor(count: int):
    from core.document import AnnotationDoc
    from core.schema import LabelSchema
    from tools.audio_editor import AudioEditor

    schema = LabelSchema.from_json({"labels": [{"name": "speech", "color": "#4caf50"}],
                                    "tiers": [{"name": "speaker"}, {"name": "words"}]})
    e = AudioEditor(AnnotationDoc(1), schema, duration_s=HOUR)
    from core.annotation import Annotation, new_id
    from core.shapes import Segment

    step = HOUR / count * 2
    for i in range(count):
        tier = ("speaker", "words")[i % 2]
        start = (i // 2) * step
        e.doc.put(Annotation(new_id(), 1, "speech", Segment(start, start + step * 0.8, tier)))
    e.doc.take_changes()
    return e


def frames(count: int, repeat: int) -> dict[float, tuple[float, float]]:
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from widgets.sample_reader import SampleReader
    from widgets.waveform import WaveformView

    QApplication.instance() or QApplication([])
    view = WaveformView()
    view.resize(1600, 600)
    reader = SampleReader(lambda: "", RATE)
    view.set_recording(HOUR, pyramid(), reader)
    view.set_editor(editor(count))
    image = QImage(1600, 600, QImage.Format.Format_ARGB32)
    results = {}
    for span in SPANS:
        view.axis.show(1800.0, 1800.0 + span)
        t = np.arange(int(span * 3 * RATE) + 2) / RATE
        reader.start, reader.samples = 1800.0 - span, np.stack([np.sin(2 * np.pi * 440 * t)] * 2).astype(np.float32)
        times = []
        for _ in range(repeat):
            view.axis.scroll(3)  # a new position each frame, as while scrolling
            start = time.perf_counter()
            view.render(image)
            times.append((time.perf_counter() - start) * 1000)
        results[span] = (statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, nargs="*", default=[2000, 100_000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for count in args.segments:
        print(f"{count:,} segments: frame median / p95 (ms) per span across the view")
        for span, (median, p95) in frames(count, args.repeat).items():
            print(f"  {span:>7g} s  {median:6.2f} / {p95:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
