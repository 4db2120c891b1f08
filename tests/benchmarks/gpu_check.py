"""GPU check: proves the CUDA provider really runs (get_providers, not the wheel's list), then prints images/s of
the YOLOv8n-like detector on CPU, CUDA and, if it loads, TensorRT, and of the prelabel pipeline on the GPU.

Run on a machine with an NVIDIA GPU through tests/benchmarks/gpu_check.sh (which installs onnxruntime-gpu where
it is missing); about 2-4 minutes. Exit status 1 when CUDA does not run, with the reason.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from inference import Predictor, PrelabelJob, PrelabelOptions
from inference.providers import CUDA, TENSORRT, create_session, gpu_unavailable_reason
from tests.benchmarks.bench_prelabel import build_detector, fresh_workspace, make_jpegs

TENSORRT_BUDGET_S = 120  # engine building beyond this is reported, not waited for again


def rate(session: ort.InferenceSession, batch: int, seconds: float = 4.0) -> float:
    """Images/s of session.run on random inputs of `batch` images (after a warm-up), median of 5 timings."""
    x = np.random.default_rng(0).random((batch, 3, 640, 640), dtype=np.float32)
    session.run(None, {"images": x})
    rates = []
    for _ in range(5):
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            session.run(None, {"images": x})
            runs += 1
        rates.append(runs * batch / (time.perf_counter() - start))
    return statistics.median(rates)


def row(what: str, figure: str) -> None:
    print(f"{what:<60} {figure:>16}", flush=True)


def main() -> int:
    print(f"onnxruntime {ort.__version__} ({ort.get_device()}); wheel lists {ort.get_available_providers()}")
    if shutil.which("nvidia-smi"):
        print(subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_detector(root / "det.onnx")
        cuda_session, runtime = create_session(model, "cuda")
        print(f"asked for cuda: get_providers() = {cuda_session.get_providers()}; runs on {runtime.describe()}")
        if not runtime.on_gpu:
            print(f"CUDA does not run here: {gpu_unavailable_reason(CUDA) or runtime.note}")
            return 1
        cpu_session, _ = create_session(model, "cpu")
        row("measured (YOLOv8n-like detector, 640x640)", "images/s")
        row("CPU, batch 1, all cores", f"{rate(cpu_session, 1):.1f}")
        row("CUDA, batch 1", f"{rate(cuda_session, 1):.1f}")
        row("CUDA, batch 8", f"{rate(cuda_session, 8):.1f}")
        reason = gpu_unavailable_reason(TENSORRT)
        if reason:
            row(f"TensorRT: not available ({reason[:60]})", "-")
        else:
            start = time.perf_counter()
            trt_session, trt = create_session(model, "tensorrt")
            if trt.active == "TensorRT" and time.perf_counter() - start < TENSORRT_BUDGET_S:
                row("TensorRT, batch 1", f"{rate(trt_session, 1):.1f}")
            else:
                row(f"TensorRT: {trt.describe()[:60]}", "-")
        hd = root / "hd"
        make_jpegs(hd, 96, (1920, 1080))
        predictor = Predictor.load(model, provider="cuda", spin=False)
        for batch in (1, 8):
            with fresh_workspace(root / f"ws{batch}", hd) as ws:
                report = PrelabelJob(predictor, ws, PrelabelOptions(batch=batch)).run()
            row(f"prelabel pipeline on {report.runtime.active}, 1920x1080 JPEG, batch {batch}",
                f"{report.images_per_second:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
