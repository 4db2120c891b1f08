"""Typed, versioned user settings in one JSON file (the user config dir, or $ANNODESK_CONFIG_DIR).

Each field has a type and a default; unknown or mistyped values fall back to the default, so a hand-edited or older
file never stops the app. `schema_version` lets later releases migrate old files forward.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import platformdirs

SCHEMA_VERSION = 1
log = logging.getLogger(__name__)
LIMITS: dict[str, tuple[float, float]] = {"idle_after": (1.0, 3600.0)}  # numbers outside their range: the default
RECENT = 8  # workspaces the welcome page lists


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    last_workspace: str = ""
    recent_workspaces: list[str] = field(default_factory=list)  # newest first, at most RECENT: the welcome page's
    # Per workspace path: the task, zoom mode and label the user had, so the app reopens where they left off.
    last_task: dict[str, int] = field(default_factory=dict)
    last_label: dict[str, str] = field(default_factory=dict)
    keymap_preset: str = "default"
    keymap: dict[str, list[str]] = field(default_factory=dict)
    keep_label_after_draw: bool = True
    theme: str = "system"  # "system" (the desktop's light or dark, followed live), "light" or "dark": View → Theme
    language: str = "system"  # "system" (the desktop's locale), "en" or "vi": View → Language, on the next start
    fill_opacity: float = 0.25
    # Pre-labelling (docs/prelabel.md): the model ("" = the demo model where installed), the ONNX Runtime provider
    # choice (auto, cpu, cuda, tensorrt), the score under which predictions are hidden, and the segment tool's model.
    prelabel_model: str = ""
    inference_provider: str = "auto"
    prediction_threshold: float = 0.0
    segment_model: str = ""
    segment_as_polygon: bool = False  # the segment tool keeps polygons (largest outline) instead of masks
    video_prelabel_every: int = 5  # on a video task, Ctrl+L runs the model on every k-th frame and links tracks
    # Voice activity detection on audio tasks (docs/audio.md): the model ("" = the installed Silero VAD), Silero's
    # threshold and rules, and the label and tier of the speech segments.
    vad_model: str = ""
    vad_threshold: float = 0.5
    vad_min_speech_ms: float = 250.0
    vad_min_silence_ms: float = 100.0
    vad_pad_ms: float = 30.0
    vad_label: str = "speech"
    vad_tier: str = "speech"
    audio_display: str = "waveform"  # what the audio view shows: "waveform", "spectrogram" or "both" (Shift+S)
    spectrogram_scale: str = "linear"  # the spectrogram's frequencies: "linear" or "mel"
    # Time tracking (docs/review.md): a pause between two input events longer than this many seconds is idle.
    idle_after: float = 60.0
    window_geometry: str = ""
    window_state: str = ""

    def remember_workspace(self, path: str) -> None:
        """`path` (resolved) was opened: the one to reopen, and first in the recent list."""
        self.last_workspace = path
        self.recent_workspaces = [path, *(p for p in self.recent_workspaces if p != path)][:RECENT]


def config_dir() -> Path:
    return Path(os.environ.get("ANNODESK_CONFIG_DIR") or platformdirs.user_config_dir("annodesk"))


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read settings, keeping each valid field and defaulting the rest (a broken file is logged, not fatal)."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("%s: unreadable settings, using defaults: %s", path, exc)
        return Settings()
    if not isinstance(data, dict):
        log.warning("%s: settings must be a JSON object, using defaults", path)
        return Settings()
    data = _migrate(data)
    hints = get_type_hints(Settings)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name in data and _fits(data[f.name], hints[f.name]):
            low, high = LIMITS.get(f.name, (-math.inf, math.inf))
            if f.name not in LIMITS or low <= data[f.name] <= high:
                values[f.name] = data[f.name]
            else:
                log.warning("%s: %s is outside %s..%s, using the default", path, f.name, low, high)
        elif f.name in data:
            log.warning("%s: %s has the wrong type, using the default", path, f.name)
    values["schema_version"] = SCHEMA_VERSION
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dataclasses.asdict(settings), out, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Forward migrations by version; version 0 (unversioned) files named the preset `keys`."""
    if data.get("schema_version", 0) < 1 and "keys" in data:
        data["keymap_preset"] = data.pop("keys")
    return data


def _fits(value: Any, hint: Any) -> bool:
    origin = getattr(hint, "__origin__", hint)
    if origin is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:  # a hand-edited recent list of numbers must not reach the welcome page
        return isinstance(value, list) and all(_fits(item, hint.__args__[0]) for item in value)
    return isinstance(value, origin)
