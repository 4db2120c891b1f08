"""Benchmark: export and import of 100,000 annotations in each format (Format.write and Format.read).

Run: .venv/bin/python -m tests.benchmarks.bench_formats [annotation count] [repeats]
The dataset is 1,000 images (640x480 PNGs written once, for the readers that look at the images) with half boxes and
half 8-vertex concave polygons, every shape inside its image, so the figures include the per-shape checks (clipping,
degenerate and self-crossing polygons) that every import runs. VOC holds boxes only: its polygons are written as
boxes. Median of REPEATS runs per figure. The floor row is plain `json.dumps`/`json.loads` of the exported COCO
document in the same process: the machine's speed, to read the other figures against (ratio = format / floor).
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from core.formats import Dataset, DatasetAnnotation, DatasetItem, get_format
from core.shapes import Box, Polygon

IMAGES = 1000
WIDTH, HEIGHT = 640, 480
REPEATS = 3
FORMATS = ("coco", "cvat", "labelme", "voc", "yolo-detect", "yolo-segment")


def make_dataset(count: int, media: Path) -> Dataset:
    rng = np.random.default_rng(7)
    per_image = max(1, count // IMAGES)
    blank = np.zeros((HEIGHT, WIDTH), np.uint8)
    items = []
    for i in range(IMAGES):
        name = f"img_{i:05d}.png"
        cv2.imwrite(str(media / name), blank)
        annotations = []
        for k in range(per_image):
            x, y = rng.uniform(40, WIDTH - 80), rng.uniform(40, HEIGHT - 80)
            if k % 2:
                radii = rng.uniform(10, 30, 8) * np.where(np.arange(8) % 2, 0.5, 1.0)  # star-ish: concave
                points = tuple((float(x + r * math.cos(a)), float(y + r * math.sin(a)))
                               for r, a in zip(radii, np.linspace(0, 2 * math.pi, 8, endpoint=False), strict=True))
                annotations.append(DatasetAnnotation("person", Polygon(points)))
            else:
                annotations.append(DatasetAnnotation("car", Box(float(x), float(y), 30.0, 20.0)))
        items.append(DatasetItem(name, WIDTH, HEIGHT, annotations))
    return Dataset(items=items, labels=["car", "person"], media_root=media)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench(name: str, dataset: Dataset, root: Path, repeats: int) -> tuple[float, float, int]:
    fmt = get_format(name)
    out = root / name
    writes, reads, got = [], [], 0
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        dataset.issues.clear()
        seconds, _ = timed(lambda: fmt.write(dataset, out))
        writes.append(seconds)
        seconds, read = timed(lambda: fmt.read(out))
        reads.append(seconds)
        assert isinstance(read, Dataset)
        got = read.annotation_count()
    return statistics.median(writes), statistics.median(reads), got


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else REPEATS
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        media = root / "media"
        media.mkdir()
        dataset = make_dataset(count, media)
        total = dataset.annotation_count()
        print(f"{total:,} annotations on {IMAGES:,} images of {WIDTH}x{HEIGHT}; median of {repeats} runs")
        rows = {name: bench(name, dataset, root, repeats) for name in FORMATS}
        document = json.loads((root / "coco" / "annotations" / "instances_default.json").read_text())
        dump_s = statistics.median(timed(lambda: json.dumps(document))[0] for _ in range(repeats))
        text = json.dumps(document)
        load_s = statistics.median(timed(lambda: json.loads(text))[0] for _ in range(repeats))
        rows["floor (json)"] = (dump_s, load_s, total)
        header = f"{'format':<14}{'export s':>10}{'export ann/s':>14}{'import s':>10}{'import ann/s':>14}"
        print(f"{header}{'read back':>11}")
        for name, (write_s, read_s, got) in rows.items():
            print(f"{name:<14}{write_s:>10.2f}{total / write_s:>14,.0f}{read_s:>10.2f}{got / read_s:>14,.0f}"
                  f"{got:>11,}  (x{write_s / dump_s:.0f} / x{read_s / load_s:.0f} floor)", flush=True)


if __name__ == "__main__":
    main()
