"""The real PP-OCRv6 text detector (the demo model) finds rendered text, through the whole pre-labeling path.

The model is fetched at set-up (`python packaging/fetch_demo_model.py`); nothing downloads it at run time, so the
test skips, saying how to install it, where it is missing.
"""

import cv2
import numpy as np
import pytest

from core.annotation import SourceKind
from core.shapes import Polygon
from inference import Predictor, PrelabelJob
from inference.models import DEMO_MODEL, demo_model_path, models_dir
from sync.workspace import Workspace

MODEL = demo_model_path()
pytestmark = pytest.mark.skipif(
    MODEL is None,
    reason=f"demo model {DEMO_MODEL} not in {models_dir()}: run `python packaging/fetch_demo_model.py`",
)
LINES = [("Annodesk pre-labels text", (40, 100), 1.5, 3), ("OFFLINE 2026", (300, 300), 2.0, 3),
         ("small words here", (60, 500), 1.0, 2)]  # fmt: skip


def text_image():
    """Black text on white; returns the image and each line's box (x1, y1, x2, y2) from the font metrics."""
    img = np.full((600, 1000, 3), 255, np.uint8)
    boxes = []
    for text, (x, y), scale, thickness in LINES:
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness, cv2.LINE_AA)
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        boxes.append((x, y - h, x + w, y + base))
    return img, boxes


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_ppocr_detector_finds_each_rendered_line(tmp_path):
    img, boxes = text_image()
    media = tmp_path / "media"
    media.mkdir()
    cv2.imwrite(str(media / "text.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    predictor = Predictor.load(MODEL, provider="cpu")
    assert (predictor.card.family, predictor.card.classes) == ("dbnet", ("text",))
    with Workspace.create(tmp_path / "ws") as ws:
        ws.add_media([media])
        report = PrelabelJob(predictor, ws).run()
        stored = [a for a in ws.annotations(1) if a.source.kind is SourceKind.MODEL]
    assert (report.predicted, report.failures) == (1, [])
    assert len(stored) == len(LINES) and all(a.label == "text" and isinstance(a.shape, Polygon) for a in stored)
    found = [a.shape.bounds() for a in stored]
    for box in boxes:
        best = max(iou(box, (r.x1, r.y1, r.x2, r.y2)) for r in found)
        assert best > 0.6, (box, found)
    assert all(a.source.score is not None and a.source.score > 0.5 for a in stored)
