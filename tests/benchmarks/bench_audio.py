"""Benchmark: the peaks pyramid of a 1-hour 44.1 kHz stereo MP3, against pydub decoding the whole file into numpy.

Run: .venv/bin/python -m tests.benchmarks.bench_audio [--minutes 60] [--repeat 3]

The recording is made here (ffmpeg: a tone whose loudness swells every few seconds, with pink noise, 128 kb/s CBR).
Each measurement runs in a fresh process, so its peak resident memory is its own:
- ours: core.audio.preview_peaks (the whole file sketched from 1,600 sparse seeks: the first view), then
  core.audio.stream_peaks: the time to its first snapshot, the complete pyramid, peak memory;
- reopen: the pyramid stored in a workspace, read back and the whole-file level windowed (what a reopen draws from);
- baseline: pydub.AudioSegment.from_file + numpy.array(get_array_of_samples()), the usual way, in the same run.
- segments: 100,000 segments on that recording stored, loaded back (Workspace.annotations) and tier-checked.
Targets (issue 11): first view <= 0.5 s, complete <= 5 s, reopen <= 100 ms, memory <= 300 MB over the idle process;
100,000 segments load <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_mp3(path: Path, minutes: int) -> None:
    seconds = minutes * 60
    graph = "[0][1]amerge=inputs=2,volume='0.5+0.5*sin(t/3)':eval=frame[a]"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate=44100:duration={seconds}", "-f", "lavfi", "-i",
                    f"anoisesrc=color=pink:sample_rate=44100:duration={seconds}:amplitude=0.3",
                    "-filter_complex", graph, "-map", "[a]", "-c:a", "libmp3lame", "-b:a", "128k", str(path)],
                   check=True)


def child_ours(path: str) -> dict[str, float]:
    from core.audio import preview_peaks, stream_peaks

    idle = _rss_mb()
    start = time.perf_counter()
    preview = preview_peaks(path, points=1600)  # one probe per pixel of a 1600-pixel view of the whole file
    preview_s, probes = time.perf_counter() - start, len(preview.times)
    start = time.perf_counter()
    first = None
    for snapshot in stream_peaks(path, every_s=0.25):
        if first is None:
            first = time.perf_counter() - start
        peaks = snapshot
    total = time.perf_counter() - start
    Path(path + ".peaks").write_bytes(peaks.to_bytes())
    return {"preview_s": preview_s, "probes": probes, "first_s": first or total, "total_s": total,
            "peak_mb": _peak_mb(), "idle_mb": idle,
            "samples": peaks.samples, "bytes": len(peaks.to_bytes())}


def child_reopen(path: str) -> dict[str, float]:
    from core.audio import PeaksPyramid
    from sync.workspace import Workspace

    folder = Path(path).parent / "ws"
    if not folder.exists():
        ws = Workspace.create(folder)
        data = Path(path + ".peaks").read_bytes()
        p = PeaksPyramid.from_bytes(data)
        ws.store_audio_peaks("hash", p.sample_rate, p.channels, p.samples, data)
        ws.close()
    idle = _rss_mb()
    start = time.perf_counter()
    with Workspace.open(folder, readonly=True) as ws:
        peaks = PeaksPyramid.from_bytes(ws.audio_peaks("hash") or b"")
        level = peaks.level_for(peaks.samples / 1600)  # the whole hour across 1600 pixels
        view = peaks.window(level or 0, 0, peaks.duration_s)
        view.min(), view.max()
    return {"reopen_s": time.perf_counter() - start, "peak_mb": _peak_mb(), "idle_mb": idle}


def child_segments(path: str) -> dict[str, float]:
    """100,000 segments on one recording: stored, loaded back, and checked against their tiers' rules."""
    from core.annotation import Annotation, new_id
    from core.audio.tiers import tier_problems
    from core.schema import LabelSchema
    from core.shapes import Segment
    from sync.workspace import Workspace

    schema = LabelSchema.from_json({"labels": [{"name": "speech"}], "tiers": [{"name": "speaker"}]})
    ws = Workspace.create(Path(path).parent / "segments", schema)
    ws.add_media([path])
    task = ws.tasks()[0].id
    anns = [Annotation(new_id(), task, "speech", Segment(i * 0.036, i * 0.036 + 0.03, "speaker", f"word {i}"))
            for i in range(100_000)]
    start = time.perf_counter()
    ws.insert_annotations(anns)
    stored = time.perf_counter() - start
    ws.close()
    start = time.perf_counter()
    with Workspace.open(Path(path).parent / "segments", readonly=True) as again:
        loaded = again.annotations(task)
    load = time.perf_counter() - start
    start = time.perf_counter()
    problems = tier_problems(loaded, schema, 3600.0)
    return {"store_s": stored, "load_s": load, "check_s": time.perf_counter() - start, "count": len(loaded),
            "problems": len(problems)}


def child_pydub(path: str) -> dict[str, float]:
    import numpy as np
    from pydub import AudioSegment

    idle = _rss_mb()
    start = time.perf_counter()
    segment = AudioSegment.from_file(path)
    samples = np.array(segment.get_array_of_samples()).reshape(-1, segment.channels)
    total = time.perf_counter() - start
    return {"total_s": total, "peak_mb": _peak_mb(), "idle_mb": idle, "samples": samples.shape[0]}


def run_child(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_audio", "--child", kind, str(path)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        children = {"ours": child_ours, "reopen": child_reopen, "pydub": child_pydub, "segments": child_segments}
        print(json.dumps(children[kind](path)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        mp3 = Path(tmp) / "hour.mp3"
        start = time.perf_counter()
        make_mp3(mp3, args.minutes)
        print(f"made {mp3.stat().st_size / 2**20:.0f} MB MP3 of {args.minutes} min in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        ours = [run_child("ours", mp3) for _ in range(args.repeat)]
        reopen = [run_child("reopen", mp3) for _ in range(args.repeat)]
        segments = run_child("segments", mp3)
        try:
            import pydub  # noqa: F401
        except ImportError:
            print("pydub is not installed (pip install pydub audioop-lts): the baseline is left out")
            base = [{"total_s": float("nan"), "peak_mb": float("nan"), "idle_mb": 0.0}]
        else:
            base = [run_child("pydub", mp3) for _ in range(max(1, args.repeat - 1))]

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    over = med(ours, "peak_mb") - med(ours, "idle_mb")
    base_over = med(base, "peak_mb") - med(base, "idle_mb")
    rows = [
        ("whole-file preview (sparse seeks)", f"{med(ours, 'preview_s') * 1e3:.0f} ms", "<= 500 ms",
         f"{int(med(ours, 'probes'))} probes"),
        ("first pyramid snapshot", f"{med(ours, 'first_s') * 1e3:.0f} ms", "", "covers the first 1.5 s"),
        ("complete pyramid", f"{med(ours, 'total_s'):.2f} s", "<= 5 s",
         f"pydub {med(base, 'total_s'):.2f} s ({med(base, 'total_s') / med(ours, 'total_s'):.1f}x)"),
        ("reopen from the workspace", f"{med(reopen, 'reopen_s') * 1e3:.1f} ms", "<= 100 ms", ""),
        ("peak memory over idle", f"{over:.0f} MB", "<= 300 MB",
         f"pydub {base_over:.0f} MB ({base_over / max(over, 1):.0f}x)"),
        ("pyramid size", f"{ours[0]['bytes'] / 2**20:.1f} MB", "", f"{ours[0]['samples']:,} samples/channel"),
        ("100,000 segments: load", f"{segments['load_s'] * 1e3:.0f} ms", "<= 1 s",
         f"stored in {segments['store_s']:.2f} s; tier check {segments['check_s'] * 1e3:.0f} ms"),
    ]
    print(f"\n{'measure':32} {'figure':>12} {'target':>10}  baseline (same run)")
    for name, figure, target, note in rows:
        print(f"{name:32} {figure:>12} {target:>10}  {note}")
    print(f"(medians of {args.repeat} runs; pydub {len(base)}; each in a fresh process)")


if __name__ == "__main__":
    main()
