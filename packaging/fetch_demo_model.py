"""Fetch the demo model (PP-OCRv6 text detector) into the user's model folder; run once at set-up, never by the app.

    python packaging/fetch_demo_model.py [--dir FOLDER] [--wheel rapidocr-3.10.0-py3-none-any.whl]

Downloads the rapidocr 3.10.0 wheel without its dependencies (they clash with ours: opencv-python-headless, the CPU
onnxruntime) and extracts only the model, its licence notes and a card. --wheel uses a wheel already at hand
(offline machines). The folder is $ANNODESK_MODELS_DIR or the user data folder's `models`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, without installing

from inference.models import DEMO_REQUIREMENT, demo_model_path, install_demo_model, models_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help=f"model folder (default: {models_dir()})")
    parser.add_argument("--wheel", type=Path, help="use this rapidocr wheel instead of downloading it")
    parser.add_argument("--force", action="store_true", help="fetch again even when the model is there")
    args = parser.parse_args()
    if not args.force and (existing := demo_model_path(args.dir)) is not None:
        print(f"demo model already installed: {existing}")
        return 0
    if args.wheel:
        path = install_demo_model(args.wheel, args.dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                       DEMO_REQUIREMENT, "-d", tmp]  # fmt: skip
            if subprocess.call(command) != 0:
                print(f"could not download {DEMO_REQUIREMENT}; see pip's message above", file=sys.stderr)
                return 1
            wheel = next(Path(tmp).glob("rapidocr-*.whl"))
            path = install_demo_model(wheel, args.dir)
    print(f"demo model installed: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
