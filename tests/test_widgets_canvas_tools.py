"""Every drawing tool driven through the real canvas with Qt mouse and key events, checked in the document and in
the pixels the canvas shows."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from core.document import AnnotationDoc
from core.schema import Label, LabelSchema
from tests.test_widgets_canvas import TOOL_KEYS, drag, pixel, send_mouse, view_pos, viewport_image
from tools.editor import Editor
from widgets.canvas import ImageCanvas

W, H = 200, 150
SCHEMA = LabelSchema((
    Label("thing", "#ff0000", "1"),
    Label("pose", "#00c000", "2", ("keypoints",), keypoints=("a", "b", "c"), skeleton=((0, 1), (1, 2))),
))  # fmt: skip


@pytest.fixture
def canvas(qtbot):
    view = ImageCanvas()
    view.set_tool_keys(TOOL_KEYS)
    qtbot.addWidget(view)
    view.resize(420, 340)
    view.show()
    qtbot.waitExposed(view)
    view.set_image(np.full((H, W, 3), 128, np.uint8))
    view.actual_size()
    return view


def editor_on(canvas, tool, label="thing"):
    editor = Editor(AnnotationDoc(1), SCHEMA, author="t", image_size=(W, H))
    editor.set_tool(tool)
    editor.set_label(label)
    canvas.set_editor(editor)
    return editor


def click(canvas, x, y, button=Qt.MouseButton.LeftButton):
    vp, pos = canvas.viewport(), view_pos(canvas, x, y)
    send_mouse(vp, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    send_mouse(vp, QEvent.Type.MouseButtonPress, pos, button, button)
    send_mouse(vp, QEvent.Type.MouseButtonRelease, pos, button, Qt.MouseButton.NoButton)


def shows_red_near(canvas, x, y, radius=3):
    image = viewport_image(canvas)
    centre = view_pos(canvas, x, y)
    return any(
        pixel(image, centre + QPointF(dx, dy)).red() > 180 and pixel(image, centre + QPointF(dx, dy)).green() < 110
        for dx in range(-radius, radius + 1)
        for dy in range(-radius, radius + 1)
    )


@pytest.mark.parametrize(("tool", "kind"), [("rotated_box", "rotated_box"), ("ellipse", "ellipse")])
def test_drag_tools_draw_through_the_canvas(canvas, tool, kind):
    editor = editor_on(canvas, tool)
    drag(canvas.viewport(), view_pos(canvas, 40, 40), view_pos(canvas, 120, 100))
    [annotation] = list(editor.doc)
    assert annotation.kind == kind
    b = annotation.shape.bounds()
    assert b.width > 30 and b.height > 20
    assert annotation.id in canvas.layer.graphics
    assert editor.undo() and len(editor.doc) == 0


def test_point_and_polyline_through_the_canvas(canvas, qtbot):
    editor = editor_on(canvas, "point")
    click(canvas, 50, 60)
    [point] = list(editor.doc)
    assert point.kind == "point" and point.shape.vertices()[0] == pytest.approx((50, 60), abs=1)
    editor.set_tool("polyline")
    for x, y in ((20, 20), (90, 40), (160, 30)):
        click(canvas, x, y)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    line = next(a for a in editor.doc if a.kind == "polyline")
    assert len(line.shape.vertices()) == 3
    assert shows_red_near(canvas, 55, 30)  # on the first segment


def test_keypoints_follow_the_label_template_through_the_canvas(canvas, qtbot):
    editor = editor_on(canvas, "keypoints", "pose")
    click(canvas, 30, 30)
    qtbot.keyClick(canvas, Qt.Key.Key_S)  # skip "b"
    click(canvas, 100, 100)
    [pose] = [a for a in editor.doc if a.kind == "keypoints"]
    visible = [v for _, _, v in pose.shape.points]
    assert visible == [2, 0, 2]


def test_brush_paints_a_mask_and_eraser_removes_it(canvas, qtbot):
    editor = editor_on(canvas, "brush")
    drag(canvas.viewport(), view_pos(canvas, 40, 40), view_pos(canvas, 120, 40), steps=10)
    [mask] = list(editor.doc)
    assert mask.kind == "mask" and mask.shape.area() > 60
    assert shows_red_near(canvas, 80, 40)
    painted = mask.shape.area()
    editor.select([mask.id])
    editor.set_tool("eraser")
    drag(canvas.viewport(), view_pos(canvas, 70, 40), view_pos(canvas, 90, 40), steps=5)
    assert next(iter(editor.doc)).shape.area() < painted
