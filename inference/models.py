"""The user's model folder and the demo model (PP-OCRv6 text detector), which nothing downloads at run time.

The demo model ships inside the rapidocr 3.10.0 wheel (Apache-2.0; model licences in its MODEL_LICENSES.md). Its
package dependencies clash with ours, so only the file is taken: `packaging/fetch_demo_model.py` downloads the wheel
without dependencies and calls `install_demo_model`, which extracts the model, its licence notes and a card.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import platformdirs

from inference.errors import ModelError

DEMO_REQUIREMENT = "rapidocr==3.10.0"
DEMO_MEMBER = "rapidocr/models/PP-OCRv6_det_small.onnx"
DEMO_LICENSE_MEMBER = "rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md"
DEMO_MODEL = "PP-OCRv6_det_small.onnx"
# RapidOCR's own settings for this detector (config.yaml, Det section), except the PaddleOCR default resize rule.
DEMO_CARD = {
    "family": "dbnet",
    "classes": ["text"],
    "channel_order": "bgr",
    "normalize": {"scale": 1 / 255, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
    "thresh": 0.3,
    "conf": 0.5,
    "unclip_ratio": 1.6,
    "limit_side_len": 960,
    "limit_type": "max",
}


def models_dir() -> Path:
    """Where the user's models live: $ANNODESK_MODELS_DIR, else the user data folder's `models`."""
    override = os.environ.get("ANNODESK_MODELS_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("annodesk")) / "models"


def demo_model_path(directory: Path | None = None) -> Path | None:
    """The installed demo model, or None when it has not been fetched."""
    path = (directory or models_dir()) / DEMO_MODEL
    return path if path.is_file() else None


def install_demo_model(wheel: Path, directory: Path | None = None) -> Path:
    """Extract the demo model (with its licence notes and a card) from the rapidocr wheel into the model folder."""
    target = directory or models_dir()
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(DEMO_MEMBER)
            notes = archive.read(DEMO_LICENSE_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(wheel, f"cannot take {DEMO_MEMBER} from it: {exc}") from None
    partial = target / (DEMO_MODEL + ".partial")
    partial.write_bytes(data)
    partial.replace(target / DEMO_MODEL)  # appears whole or not at all
    (target / "PP-OCRv6_det_small.LICENSES.md").write_bytes(notes)
    (target / "PP-OCRv6_det_small.json").write_text(json.dumps(DEMO_CARD, indent=2) + "\n", encoding="utf-8")
    return target / DEMO_MODEL
