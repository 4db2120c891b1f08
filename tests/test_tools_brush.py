"""Brush and eraser: a stroke is one undo step, stored as RLE; [ and ] size the brush."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_tools_kit import HEIGHT, MORE, WIDTH, Session, ann, check_undo_redo, content

from core.shapes import Mask
from tools.brush import resized_brush
from tools.events import Pointer
from tools.raster import paint_stroke


def brush_session(*annotations) -> Session:
    s = Session(*annotations, schema=MORE)
    s.editor.set_tool("brush")
    s.editor.set_label("blob")
    s.editor.set_brush_size(6)
    return s


def expected_stroke(points, radius):
    """Brute force: every pixel whose centre is within radius of a segment of the stroke."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    out = np.zeros((HEIGHT, WIDTH), dtype=bool)
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        dx, dy = bx - ax, by - ay
        t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / max(dx * dx + dy * dy, 1e-12), 0, 1)
        out |= (xs - ax - t * dx) ** 2 + (ys - ay - t * dy) ** 2 <= radius**2
    return out


def test_a_stroke_paints_a_new_mask_of_the_current_label_in_one_undo_step():
    s = brush_session()
    before = content(s.doc)
    s.editor.press(Pointer(20, 20))
    s.editor.move(Pointer(40, 20))
    s.editor.move(Pointer(40, 50))
    brush = s.editor.overlay.brush
    assert brush.radius == 3 and not brush.erase and brush.stroke == ((20, 20), (40, 20), (40, 50))
    assert brush.at == (40, 50) and len(s.doc) == 0  # only a preview while painting
    s.editor.release(Pointer(40, 50))
    [a] = list(s.doc)
    assert isinstance(a.shape, Mask) and a.label == "blob" and (a.shape.width, a.shape.height) == (WIDTH, HEIGHT)
    assert np.array_equal(a.shape.to_array(), expected_stroke([(20, 20), (40, 20), (40, 50)], 3))
    assert isinstance(a.shape.to_json()["counts"], str)  # stored as a COCO RLE string
    assert s.editor.selection == (a.id,) and s.editor.overlay.brush.stroke == ()
    check_undo_redo(s, before)


def test_next_strokes_add_to_the_selected_mask_and_the_eraser_clears():
    s = brush_session()
    s.drag((20, 20), (60, 20))
    [mask_id] = s.doc.ids()
    s.drag((20, 60), (60, 60))
    assert s.doc.ids() == [mask_id]  # the same mask grew
    painted = s.doc.get(mask_id).shape.to_array()
    assert painted[20, 40] and painted[60, 40]
    s.editor.set_tool("eraser")
    before = content(s.doc)
    s.drag((10, 60), (70, 60))
    left = s.doc.get(mask_id).shape.to_array()
    assert left[20, 40] and not left[60, 40] and s.editor.overlay.brush.erase
    check_undo_redo(s, before)
    s.drag((10, 20), (70, 20))
    assert mask_id not in s.doc  # erased to nothing: deleted
    s.editor.undo()
    assert mask_id in s.doc


def test_brush_on_a_mask_of_another_label_starts_a_new_mask():
    other = ann(Mask.from_array(np.zeros((HEIGHT, WIDTH), dtype=bool) | (np.arange(WIDTH) < 5)), label="stain")
    s = brush_session(other)
    s.editor.select([other.id])
    s.drag((50, 50), (60, 50))
    assert len(s.doc) == 2 and s.doc.get(other.id) == other
    assert s.doc.get(s.editor.selection[0]).label == "blob"


def test_brackets_resize_the_brush_and_labels_without_masks_paint_nothing():
    s = brush_session()
    assert s.key("]") and s.editor.brush_size == 7
    assert s.key("[") and s.key("[") and s.editor.brush_size == 5
    for _ in range(20):
        s.key("[")
    assert s.editor.brush_size == 1
    assert resized_brush(500, True) == 512 and resized_brush(100, True) == 120
    s.editor.set_label("car")  # any shape: masks allowed
    s.editor.set_label("lane")  # polylines only
    s.drag((20, 20), (60, 20))
    assert len(s.doc) == 0
    s.editor.set_tool("eraser")
    s.drag((20, 20), (60, 20))  # nothing selected: nothing to erase
    assert s.commits == []
    with pytest.raises(ValueError, match="brush size"):
        s.editor.set_brush_size(0)


def test_esc_drops_the_stroke_and_a_single_click_paints_a_dot():
    s = brush_session()
    s.editor.press(Pointer(20, 20))
    s.editor.move(Pointer(40, 20))
    assert s.key("Escape")
    s.editor.release(Pointer(40, 20))
    assert len(s.doc) == 0
    s.click(50.5, 50.5)
    [a] = list(s.doc)
    assert a.shape.area() == float(expected_stroke([(50.5, 50.5), (50.5, 50.5)], 3).sum()) == 29.0


def test_paint_stroke_clips_at_the_image_edges():
    canvas = np.zeros((10, 10), dtype=bool)
    paint_stroke(canvas, [(-5, 5), (15, 5)], 1.0, True)
    assert canvas[4:6].all() and canvas.sum() == 20
    paint_stroke(canvas, [(50, 50)], 3, True)  # wholly outside
    assert canvas.sum() == 20
