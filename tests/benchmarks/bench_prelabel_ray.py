"""Benchmark: `annodesk server prelabel` (Ray Data, farm/prelabel.py) against desktop `annodesk prelabel`
(PrelabelJob) in the same run, on the same model and 1920 x 1080 JPEGs as bench_prelabel, with 1 and 2 CPU workers.

Run: .venv/bin/python -m tests.benchmarks.bench_prelabel_ray [--quick]
Rows: desktop pipeline images/s (median of 3); Ray with 1 and 2 inference actors on a local Ray of all cores: images/s
over a whole 160-image run (Ray start excluded; actor start-up and model load included), the fixed start-up cost, and
the marginal rate ((160 - 16) images / the difference of a 160- and a 16-image run), which start-up does not blur;
target: Ray with 2 workers >= 0.8 of the desktop pipeline.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from farm.prelabel import FarmOptions, FarmReport, run_prelabel
from inference import Predictor, PrelabelOptions
from inference.providers import cpu_threads
from sync.server.cli import main as server_cli
from sync.server.config import ServerConfig
from tests.benchmarks.bench_prelabel import calibrated_detector, make_jpegs, pipeline_rate, row

SCHEMA = {"labels": [{"name": f"class{i}", "color": "#ff0000"} for i in range(80)]}


def ray_report(data: Path, project: str, model: Path, workers: int, every: int | None = None) -> FarmReport:
    """One server-side run on CPUs, checked: no failure, something run."""
    options = FarmOptions(project=project, model=model, workers=workers, provider="cpu", every=every)
    report = run_prelabel(ServerConfig(data_dir=data), options, lambda _line: None)
    assert not report.failures and report.predicted > 0, report.summary()
    return report


def ray_run(data: Path, project: str, model: Path, workers: int) -> tuple[int, float]:
    """(images run, seconds from the first read to the last write) of one server-side run."""
    report = ray_report(data, project, model, workers)
    return report.predicted, report.image_seconds


def main() -> int:
    quick = "--quick" in sys.argv
    n, small = (32, 8) if quick else (160, 16)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hd, few = root / "hd", root / "few"
        paths = make_jpegs(hd, n, (1920, 1080))
        few.mkdir()
        for p in paths[:small]:
            (few / p.name).write_bytes(p.read_bytes())
        model, ms = calibrated_detector(root, paths[0])
        predictor = Predictor.load(model, provider="cpu", spin=False)
        data = root / "server"
        (root / "schema.json").write_text(json.dumps(SCHEMA))
        for name, folder in (("big1", hd), ("big2", hd), ("small1", few), ("small2", few)):
            assert server_cli(["server", "create-project", name, "--schema", str(root / "schema.json"),
                               "--data", str(data)]) == 0  # fmt: skip
            assert server_cli(["server", "add-media", name, str(folder), "--data", str(data)]) == 0
        print(f"\ndetector {ms:.0f} ms per image alone; {n} and {small} images 1920x1080; {cpu_threads()} cores\n")
        row("measured", "figure", "target")
        desktop = pipeline_rate(root, few if quick else hd, predictor, "hd", PrelabelOptions())
        row(f"desktop `annodesk prelabel` pipeline, {n if not quick else small} images", f"{desktop:.1f} img/s",
            "baseline")  # fmt: skip
        marginal = {}
        for workers in (1, 2):
            n_small, t_small = ray_run(data, f"small{workers}", model, workers)
            n_big, t_big = ray_run(data, f"big{workers}", model, workers)
            marginal[workers] = (n_big - n_small) / (t_big - t_small)
            row(f"Ray, {workers} CPU worker(s), {n_big} images: whole run", f"{n_big / t_big:.1f} img/s", "")
            row(f"Ray, {workers} CPU worker(s): start-up (from the {n_small}-image run)",
                f"{t_small - n_small / marginal[workers]:.1f} s", "")  # fmt: skip
            row(f"Ray, {workers} CPU worker(s): marginal rate (big - small)", f"{marginal[workers]:.1f} img/s", "")
        ratio = marginal[2] / desktop
        row("  ratio Ray (2 workers, marginal) / desktop", f"{ratio:.2f}", ">= 0.8", ratio >= 0.8)
        row("  scaling 2 workers / 1 worker (marginal)", f"{marginal[2] / marginal[1]:.2f}", "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
