"""The segment tool's click logic with the real SAM-layout decoder (a disc of radius 20 around the clicks' mean)."""

from __future__ import annotations

import json
from concurrent.futures import Future

import numpy as np
import pytest
from test_inference_graphs import sam_decoder, sam_encoder
from test_tools_kit import HEIGHT, MORE, SCHEMA, WIDTH, Session, content

from core.shapes import Mask, Polygon
from desktop.sam import TaskPrompter
from inference import InteractiveSegmenter
from tools.events import Button


@pytest.fixture(scope="module")
def segmenter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sam")
    sam_encoder(folder / "enc.onnx")
    sam_decoder(folder / "dec.onnx", radius=20)
    (folder / "enc.json").write_text(json.dumps({"family": "sam", "decoder": "dec.onnx"}))
    model = InteractiveSegmenter.load(folder / "enc.onnx", provider="cpu")
    return model, model.encode(np.full((HEIGHT, WIDTH, 3), 90, np.uint8))


def done(value):
    future = Future()
    future.set_result(value)
    return future


def session(segmenter, label="blob", as_polygon=False, schema=MORE):
    model, embedding = segmenter
    s = Session(schema=schema)
    errors = []
    s.editor.segmenter = TaskPrompter(done(model), done(embedding), as_polygon, errors.append)
    s.editor.set_tool("segment")
    s.editor.set_label(label)
    return s, errors


def test_clicks_preview_a_mask_and_enter_commits_it_in_one_step(segmenter):
    s, errors = session(segmenter)
    s.click(60, 50)
    mask = s.editor.overlay.drawing
    assert isinstance(mask, Mask) and mask.to_array()[50, 60] and not mask.to_array()[50, 85]
    assert s.editor.overlay.prompts == ((60.0, 50.0, True),)
    s.click(100, 50, button=Button.RIGHT)  # an exclude point; this decoder centres on all clicks: (80, 50)
    assert s.editor.overlay.prompts[-1] == (100.0, 50.0, False) and s.editor.overlay.drawing.to_array()[50, 80]
    assert s.key("Backspace") and s.editor.overlay.drawing.to_array()[50, 60]
    before = content(s.doc)
    assert s.key("Enter")
    (added,) = s.doc
    assert added.label == "blob" and isinstance(added.shape, Mask) and s.editor.selection == (added.id,)
    assert s.editor.overlay.drawing is None and s.editor.overlay.prompts == () and s.commits and not errors
    assert s.editor.undo() == "Segment" and content(s.doc) == before


def test_a_dragged_box_is_the_prompt_and_esc_drops_it(segmenter):
    s, _ = session(segmenter)
    s.drag((100, 20), (160, 80))
    assert s.editor.overlay.rubber_band is not None and s.editor.overlay.drawing.to_array()[50, 130]
    assert s.key("Escape") and s.editor.overlay.drawing is None and s.editor.overlay.rubber_band is None
    assert not s.key("Enter") and list(s.doc) == []


def test_polygon_when_asked_or_when_the_label_allows_no_masks(segmenter):
    s, _ = session(segmenter, as_polygon=True)
    s.click(60, 50)
    s.key("Enter")
    (polygon,) = s.doc
    assert isinstance(polygon.shape, Polygon) and abs(polygon.shape.area() - np.pi * 400) < 60
    s, _ = session(segmenter, label="road", schema=SCHEMA)  # road allows polygons only
    s.click(60, 50)
    s.key("Enter")
    assert [a.kind for a in s.doc] == ["polygon"]
    s, _ = session(segmenter, label="person", schema=SCHEMA)  # boxes only: refused, prompts kept
    s.click(60, 50)
    s.key("Enter")
    assert list(s.doc) == [] and "allows neither" in s.editor.overlay.hint and s.editor.overlay.drawing is not None


def test_without_a_model_the_tool_says_so_and_leaves_keys_alone():
    s = Session(schema=MORE)
    s.editor.set_tool("segment")
    s.click(60, 50)
    assert "choose a segmentation model" in s.editor.overlay.hint and s.editor.overlay.drawing is None
    assert s.key("Escape") and not s.key("Enter")
