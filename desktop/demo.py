"""A ready demo workspace: generated street-like scenes, a street video with tracks, a spoken recording with
segments, the default label schema and a few annotations.

Everything is drawn here with OpenCV, so the demo needs no download.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import platformdirs

from core.annotation import Annotation, Source, SourceKind, new_id
from core.schema import load_schema
from core.shapes import Box, Polygon, Shape, Tag
from core.tracks import track_rows
from desktop.demo_audio import demo_segments, write_demo_recording
from desktop.demo_video import demo_tracks, write_demo_video
from resources import DEFAULT_SCHEMA
from sync.workspace import Workspace

SIZE = (1280, 800)  # width, height


@dataclass(frozen=True)
class _Object:
    label: str
    shape: Shape
    score: float | None = None  # set: stored as a model prediction


def default_demo_dir() -> Path:
    """Where `annodesk demo` and the welcome page's "Open the demo" put it: the user data folder."""
    return Path(platformdirs.user_data_dir("annodesk")) / "demo"


def ensure_demo(directory: Path) -> tuple[Path, bool]:
    """The demo's workspace folder in `directory`, made first unless it is there; and whether it was made now."""
    workspace_dir = Path(directory) / "workspace"
    if (workspace_dir / "workspace.db").exists():
        return workspace_dir, False
    make_demo(directory).close()
    return workspace_dir, True


def make_demo(directory: Path, images: int = 12, seed: int = 7, video: bool = True, audio: bool = True) -> Workspace:
    """Create images (a video, a recording), a workspace and annotations in `directory`; returns the open
    workspace."""
    directory = Path(directory)
    image_dir = directory / "images"
    image_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(images):
        picture, objects = _scene(rng, i)
        path = image_dir / f"street_{i + 1:03d}.jpg"
        cv2.imwrite(str(path), picture, [cv2.IMWRITE_JPEG_QUALITY, 90])
        scenes.append((path, objects))
    ws = Workspace.create(directory / "workspace", load_schema(DEFAULT_SCHEMA))
    ws.add_media([image_dir])
    annotations = []
    # The first half of the queue comes pre-labeled: some confirmed shapes, some model predictions to review.
    for index, (path, objects) in enumerate(scenes[: images // 2]):
        task = ws.find_task(str(path))
        if task is None:
            raise RuntimeError(f"demo image {path} was not added to the workspace")
        for obj in objects:
            model = obj.score is not None or index % 2 == 1
            source = Source(SourceKind.MODEL, obj.score or 0.8, "demo-detector") if model else Source()
            label = ws.schema.get(obj.label)
            attrs = label.initial_attributes() if label else {}
            annotations.append(Annotation(new_id(), task.id, obj.label, obj.shape, attrs, "demo", source))
        annotations.append(Annotation(new_id(), task.id, "day", Tag(), author="demo"))
    if video:
        annotations += _video_annotations(ws, write_demo_video(directory / "street_video.mp4"))
    if audio:
        annotations += _audio_annotations(ws, directory / "greetings.wav")
    ws.insert_annotations(annotations)
    return ws


def _audio_annotations(ws: Workspace, path: Path) -> list[Annotation]:
    phrases = write_demo_recording(path)
    ws.add_media([path])
    task = ws.find_task(str(path))
    if task is None or task.kind != "audio":
        raise RuntimeError(f"demo recording {path} was not added to the workspace as audio: {task}")
    return demo_segments(task.id, phrases)


def _video_annotations(ws: Workspace, path: Path) -> list[Annotation]:
    ws.add_media([path])
    task = ws.find_task(str(path))
    if task is None or task.kind != "video":
        raise RuntimeError(f"demo video {path} was not added to the workspace as a video: {task}")
    label = ws.schema.get("car")
    per_track = ws.schema.track_attributes("car")
    attributes = {k: v for k, v in (label.initial_attributes() if label else {}).items() if k in per_track}
    return [row for track in demo_tracks(attributes) for row in track_rows(task.id, track, "demo")]


def _scene(rng: np.random.Generator, index: int) -> tuple[np.ndarray, list[_Object]]:
    w, h = SIZE
    horizon = int(h * rng.uniform(0.35, 0.45))
    img = np.zeros((h, w, 3), np.uint8)
    sky = np.linspace(235, 170, horizon, dtype=np.float32)[:, None]
    img[:horizon] = np.stack([sky + 10, sky - 5, sky - 40], axis=-1).clip(0, 255).astype(np.uint8)[:, :, :]
    img[horizon:] = (95, 100, 92)
    road = np.array([[w * 0.42, horizon], [w * 0.58, horizon], [w * 0.98, h], [w * 0.02, h]], np.float32)
    cv2.fillPoly(img, [road.astype(np.int32)], (70, 70, 72))
    for y in range(horizon + 20, h, 60):
        cv2.line(img, (w // 2, y), (w // 2, y + 25), (230, 230, 230), 3)
    objects = [_Object("road", Polygon.from_points(road.tolist()))]
    for _ in range(int(rng.integers(2, 5))):
        objects.append(_car(img, rng, horizon))
    for _ in range(int(rng.integers(1, 3))):
        objects.append(_person(img, rng, horizon))
    if index % 3 == 0:
        objects.append(_sign(img, rng, horizon, f"STOP {index + 1}"))
    noise = rng.normal(0, 4, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8), objects


def _car(img: np.ndarray, rng: np.random.Generator, horizon: int) -> _Object:
    h, w = img.shape[:2]
    y2 = int(rng.uniform(horizon + 80, h - 10))
    scale = (y2 - horizon) / (h - horizon)
    cw, ch = int(260 * scale) + 30, int(120 * scale) + 15
    x1 = int(rng.uniform(10, w - cw - 10))
    color = tuple(int(c) for c in rng.integers(30, 220, 3))
    cv2.rectangle(img, (x1, y2 - ch), (x1 + cw, y2), color, -1)
    cv2.rectangle(img, (x1 + cw // 5, y2 - ch - ch // 2), (x1 + 4 * cw // 5, y2 - ch), color, -1)
    for cx in (x1 + cw // 5, x1 + 4 * cw // 5):
        cv2.circle(img, (cx, y2), max(4, ch // 4), (20, 20, 20), -1)
    top = y2 - ch - ch // 2
    score = round(float(rng.uniform(0.45, 0.97)), 2) if rng.random() < 0.4 else None
    return _Object("car", Box(x1, top, cw, y2 + max(4, ch // 4) - top), score)


def _person(img: np.ndarray, rng: np.random.Generator, horizon: int) -> _Object:
    h, w = img.shape[:2]
    feet = int(rng.uniform(horizon + 40, h - 5))
    ph = int(40 + 220 * (feet - horizon) / (h - horizon))
    x = int(rng.uniform(20, w - 20))
    head = max(4, ph // 8)
    cv2.circle(img, (x, feet - ph + head), head, (60, 80, 200), -1)
    cv2.rectangle(img, (x - ph // 8, feet - ph + 2 * head), (x + ph // 8, feet), (160, 60, 40), -1)
    return _Object("person", Box(x - max(ph // 8, head), feet - ph, 2 * max(ph // 8, head), ph))


def _sign(img: np.ndarray, rng: np.random.Generator, horizon: int, text: str) -> _Object:
    w = img.shape[1]
    x, y = int(rng.uniform(40, w - 260)), int(rng.uniform(40, max(60, horizon - 90)))
    cv2.rectangle(img, (x, y), (x + 220, y + 70), (30, 30, 200), -1)
    cv2.putText(img, text, (x + 14, y + 48), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 3, cv2.LINE_AA)
    return _Object("traffic sign", Box(x, y, 220, 70))
