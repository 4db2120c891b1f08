"""The image canvas driven by real Qt mouse, wheel and key events, checked on real renders (grab())."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QKeyEvent, QKeySequence, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from core.annotation import HUMAN, Annotation, Source, SourceKind, new_id
from core.document import AddAnnotations, AnnotationDoc
from core.schema import Label, LabelSchema
from core.shapes import Box, Polygon
from desktop.keymap import effective_keymap, tool_keys
from tools.editor import Editor
from widgets.canvas import ImageCanvas

SCHEMA = LabelSchema((Label("car", "#ff0000", "1"), Label("person", "#0000ff", "2")))
W, H = 200, 150
TOOL_KEYS = tool_keys(effective_keymap())  # the drawing keys the window gives its canvas (Enter, Esc, Backspace...)


def send_mouse(widget, kind, pos, button=Qt.MouseButton.NoButton, buttons=Qt.MouseButton.NoButton, mods=None):
    """A real QMouseEvent (QTest's mouseMove cannot hold a button down)."""
    local = QPointF(pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, mods or Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(widget, start, end, button=Qt.MouseButton.LeftButton, steps=5):
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        p = start + (end - start) * i / steps
        send_mouse(widget, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)


def gray_image(value=128):
    return np.full((H, W, 3), value, np.uint8)


def box(label, x, y, w, h, source=HUMAN):
    return Annotation(new_id(), 1, label, Box(x, y, w, h), source=source)


@pytest.fixture
def canvas(qtbot):
    view = ImageCanvas()
    view.set_tool_keys(TOOL_KEYS)
    qtbot.addWidget(view)
    view.resize(420, 340)
    view.show()
    qtbot.waitExposed(view)
    view.set_image(gray_image())
    view.actual_size()
    return view


def make_editor(*annotations):
    doc = AnnotationDoc(1, annotations)
    editor = Editor(doc, SCHEMA, author="tester", image_size=(W, H))
    return editor


def view_pos(canvas, x, y):
    return QPointF(canvas.mapFromScene(QPointF(x, y)))


def pixel(image, pos):
    return QColor(image.pixel(int(pos.x()), int(pos.y())))


def viewport_image(canvas):
    return canvas.viewport().grab().toImage()


def test_drawing_a_box_with_the_mouse_adds_it_to_the_document(canvas):
    editor = make_editor()
    editor.set_tool("box")
    editor.set_label("person")
    canvas.set_editor(editor)
    drag(canvas.viewport(), view_pos(canvas, 20, 30), view_pos(canvas, 120, 90))
    [annotation] = list(editor.doc)
    assert annotation.label == "person"
    b = annotation.shape
    assert isinstance(b, Box)
    assert (b.x, b.y, b.w, b.h) == pytest.approx((20, 30, 100, 60), abs=1.0)
    assert annotation.id in canvas.layer.graphics
    rect = canvas.layer.graphics[annotation.id].item.rect()
    assert (rect.x(), rect.width()) == pytest.approx((b.x, b.w))


def test_box_in_progress_is_drawn_and_escape_cancels_it(canvas, qtbot):
    editor = make_editor()
    editor.set_tool("box")
    canvas.set_editor(editor)
    vp = canvas.viewport()
    send_mouse(
        vp, QEvent.Type.MouseButtonPress, view_pos(canvas, 10, 10), Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton
    )
    send_mouse(vp, QEvent.Type.MouseMove, view_pos(canvas, 80, 60), Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
    drawing = canvas.layer.overlay.drawing
    assert drawing.isVisible()
    assert drawing.path().boundingRect().width() == pytest.approx(70, abs=1.5)
    assert canvas.layer.overlay.cross_h.isVisible()  # crosshair while drawing boxes
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.CrossCursor
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert not drawing.isVisible()
    send_mouse(vp, QEvent.Type.MouseButtonRelease, view_pos(canvas, 80, 60), Qt.MouseButton.LeftButton)
    assert len(editor.doc) == 0


def test_box_outline_is_drawn_in_its_label_colour(canvas):
    editor = make_editor(box("car", 40, 40, 100, 70))
    canvas.set_editor(editor)
    image = viewport_image(canvas)
    edge = pixel(image, view_pos(canvas, 90, 40))
    assert edge.red() > 200 and edge.green() < 60 and edge.blue() < 60
    inside = pixel(image, view_pos(canvas, 90, 75))
    assert 128 < inside.red() < 220 and inside.green() < 128  # translucent red over grey
    outside = pixel(image, view_pos(canvas, 20, 20))
    assert (outside.red(), outside.green(), outside.blue()) == (128, 128, 128)


def test_outline_stays_thin_when_zoomed_in(canvas):
    editor = make_editor(box("car", 40, 40, 100, 70))
    canvas.set_editor(editor)
    canvas.set_scale(8.0, view_pos(canvas, 40, 60))
    image = viewport_image(canvas)
    left_edge = view_pos(canvas, 40, 60)
    red_run = sum(1 for dx in range(-10, 11) if pixel(image, left_edge + QPointF(dx, 0)).green() < 40)
    assert 1 <= red_run <= 4  # cosmetic pen: a few screen pixels, not 8 per image pixel


def test_predictions_are_drawn_differently(canvas):
    human = box("car", 20, 20, 70, 70)
    model = box("car", 110, 20, 70, 70, Source(SourceKind.MODEL, 0.87, "yolov8n"))
    canvas.set_editor(make_editor(human, model))
    g_human, g_model = canvas.layer.graphics[human.id], canvas.layer.graphics[model.id]
    assert g_model.tag.text() == "car 87%" and g_human.tag.text() == "car"
    assert g_model.item.pen().style() != g_human.item.pen().style()
    image = viewport_image(canvas)
    fill_h = pixel(image, view_pos(canvas, 55, 60))
    fill_m = pixel(image, view_pos(canvas, 145, 60))
    assert fill_h.red() - fill_h.green() > fill_m.red() - fill_m.green() + 30  # reduced fill
    # the human outline is solid, the prediction's has gaps along the same length of edge
    y_h = view_pos(canvas, 0, 90).y()
    xs = range(int(view_pos(canvas, 40, 0).x()), int(view_pos(canvas, 80, 0).x()))
    solid = [pixel(image, QPointF(x, y_h)).green() < 60 for x in xs]
    xs_m = range(int(view_pos(canvas, 130, 0).x()), int(view_pos(canvas, 170, 0).x()))
    dotted = [pixel(image, QPointF(x, y_h)).green() < 60 for x in xs_m]
    assert all(solid)
    assert 0 < sum(dotted) < len(dotted)


def test_items_follow_document_changes_and_undo(canvas):
    editor = make_editor()
    canvas.set_editor(editor)
    a = box("car", 10, 10, 30, 30)
    editor.execute(AddAnnotations((a,)))
    assert set(canvas.layer.graphics) == {a.id}
    item = canvas.layer.graphics[a.id].item
    editor.set_label("person")  # nothing selected: only the current label changes
    editor.select([a.id])
    assert canvas.layer.graphics[a.id].selected
    assert [h.isVisible() for h in canvas.layer.overlay.handles].count(True) == 4
    editor.set_label("person")  # relabels the selection
    assert canvas.layer.graphics[a.id].item is item  # updated in place, not rebuilt
    assert item.pen().color() == QColor("#0000ff")
    editor.undo()
    assert item.pen().color() == QColor("#ff0000")
    editor.undo()
    assert canvas.layer.graphics == {}
    assert item.scene() is None


def test_moving_a_shape_previews_then_commits_once(canvas):
    a = box("car", 40, 40, 40, 40)
    editor = make_editor(a)
    canvas.set_editor(editor)
    vp = canvas.viewport()
    start, end = view_pos(canvas, 60, 60), view_pos(canvas, 90, 80)
    send_mouse(vp, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
    send_mouse(vp, QEvent.Type.MouseMove, end, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
    item = canvas.layer.graphics[a.id].item
    assert item.rect().x() == pytest.approx(70, abs=1)  # preview drawn
    assert editor.doc.get(a.id).shape.x == 40  # document untouched during the drag
    send_mouse(vp, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.LeftButton)
    assert editor.doc.get(a.id).shape.x == pytest.approx(70, abs=1)
    assert item.rect().x() == pytest.approx(70, abs=1)


def test_polygon_drawn_with_clicks_and_enter(canvas, qtbot):
    editor = make_editor()
    editor.set_tool("polygon")
    canvas.set_editor(editor)
    vp = canvas.viewport()
    for x, y in ((20, 20), (100, 30), (60, 100)):
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=view_pos(canvas, x, y).toPoint())
    assert canvas.layer.overlay.drawing.isVisible()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    [annotation] = list(editor.doc)
    assert isinstance(annotation.shape, Polygon) and len(annotation.shape.points) == 3
    assert not canvas.layer.overlay.drawing.isVisible()


def wheel(canvas, anchor, delta=120):
    """A real wheel event over the viewport; 120 is one notch."""
    event = QWheelEvent(
        anchor,
        canvas.viewport().mapToGlobal(anchor),
        QPoint(),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)


def test_wheel_zooms_around_the_cursor_and_tells_the_editor(canvas, qtbot):
    editor = make_editor()
    canvas.set_editor(editor)
    canvas.set_scale(3.0)  # the image overflows the view, so zooming can keep the point under the cursor
    anchor = view_pos(canvas, 150, 100)
    zooms = []
    canvas.zoom_changed.connect(zooms.append)
    wheel(canvas, anchor, 240)
    assert canvas.scale_factor() == pytest.approx(3 * 1.25**2)
    assert zooms and zooms[-1] == pytest.approx(3 * 1.25**2)
    assert editor.screen_px(1.0) == pytest.approx(1 / (3 * 1.25**2))
    under = canvas.mapToScene(anchor.toPoint())
    assert (under.x(), under.y()) == pytest.approx((150, 100), abs=0.5)


def test_zoom_in_out_fit_and_actual_size(canvas):
    canvas.zoom_in()
    assert canvas.scale_factor() == pytest.approx(1.25)
    canvas.zoom_out()
    canvas.zoom_out()
    assert canvas.scale_factor() == pytest.approx(0.8)
    canvas.fit_to_view()
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(canvas.image_rect())
    assert canvas.scale_factor() == pytest.approx(
        min(canvas.viewport().width() / W, canvas.viewport().height() / H), rel=0.03
    )
    canvas.actual_size()
    assert canvas.scale_factor() == 1.0


def test_pan_with_middle_button_and_with_space_drag(canvas, qtbot):
    canvas.set_editor(make_editor())
    canvas.set_scale(4.0)
    h, v = canvas.horizontalScrollBar(), canvas.verticalScrollBar()
    h.setValue((h.minimum() + h.maximum()) // 2)
    v.setValue((v.minimum() + v.maximum()) // 2)
    h0, v0 = h.value(), v.value()
    drag(canvas.viewport(), QPointF(200, 150), QPointF(150, 120), Qt.MouseButton.MiddleButton)
    assert (h.value(), v.value()) == (h0 + 50, v0 + 30)
    QApplication.sendEvent(canvas, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier))
    drag(canvas.viewport(), QPointF(150, 150), QPointF(170, 150))
    QApplication.sendEvent(canvas, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier))
    assert h.value() == h0 + 30
    assert len(canvas.editor.doc) == 0  # the space drag panned; it did not select or draw


def test_unhandled_keys_reach_the_parent(qtbot):
    class Parent(QWidget):
        def __init__(self):
            super().__init__()
            self.keys = []

        def keyPressEvent(self, event):
            self.keys.append(event.key())

    parent = Parent()
    qtbot.addWidget(parent)
    view = ImageCanvas()
    view.set_tool_keys(TOOL_KEYS)
    QVBoxLayout(parent).addWidget(view)
    view.set_image(gray_image())
    editor = make_editor(box("car", 10, 10, 20, 20))
    view.set_editor(editor)
    parent.show()
    qtbot.keyClick(view, Qt.Key.Key_F5)
    assert parent.keys == [Qt.Key.Key_F5]
    editor.select(editor.doc.ids())
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # a drawing key the editor takes: clears the selection, not propagated
    assert editor.selection == ()
    assert parent.keys == [Qt.Key.Key_F5]
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # not a drawing key: the window's (edit.delete), here the parent's
    assert len(editor.doc) == 1 and parent.keys == [Qt.Key.Key_F5, Qt.Key.Key_Delete]


def test_cursor_moved_reports_image_coordinates(canvas):
    seen = []
    canvas.cursor_moved.connect(lambda x, y: seen.append((x, y)))
    send_mouse(canvas.viewport(), QEvent.Type.MouseMove, view_pos(canvas, 33, 44))
    assert seen[-1] == pytest.approx((33, 44), abs=1)


def test_16_bit_image_is_shown_with_a_percentile_stretch(canvas):
    ramp = np.tile(np.linspace(1000, 1255, W), (H, 1)).astype(np.uint16)  # high byte would be 3-4: black
    canvas.set_image(ramp)
    image = viewport_image(canvas)
    left = pixel(image, view_pos(canvas, 2, 75)).red()
    right = pixel(image, view_pos(canvas, W - 3, 75)).red()
    middle = pixel(image, view_pos(canvas, W / 2, 75)).red()
    assert left < 10 and right > 245
    assert 100 < middle < 155


def test_drawing_keys_win_over_window_shortcuts_while_the_tool_takes_them_and_other_keys_reach_them(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    view = ImageCanvas()
    view.set_tool_keys(TOOL_KEYS)
    QVBoxLayout(window).addWidget(view)
    view.set_image(gray_image())
    fired = []
    for key, name in ((Qt.Key.Key_Return, "accept"), (Qt.Key.Key_D, "next task")):
        action = QAction(name, window)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda checked=False, name=name: fired.append(name))
        window.addAction(action)
    editor = make_editor(box("car", 10, 10, 20, 20), box("car", 50, 50, 20, 20))
    view.set_editor(editor)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # window shortcuts need the active window
    view.setFocus()
    editor.set_tool("polygon")
    for x, y in ((100, 20), (140, 20), (120, 60)):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view_pos(view, x, y).toPoint())
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert len(editor.doc) == 3  # the polygon tool finished its shape
    assert fired == []  # and the window's Return action did not run as well
    qtbot.keyClick(view, Qt.Key.Key_Return)  # nothing being drawn: the tool has no use for it
    qtbot.keyClick(view, Qt.Key.Key_D)
    assert fired == ["accept", "next task"]
    assert len(editor.doc) == 3


def test_show_message_replaces_the_image(canvas):
    canvas.show_message("Cannot show broken.png: truncated file")
    assert canvas.message.isVisible() and "truncated" in canvas.message.text()
    canvas.set_image(gray_image())
    assert not canvas.message.isVisible()


def test_hover_and_handles_follow_the_pointer(canvas):
    a = box("car", 40, 40, 60, 50)
    editor = make_editor(a)
    canvas.set_editor(editor)
    graphic = canvas.layer.graphics[a.id]
    vp = canvas.viewport()
    send_mouse(vp, QEvent.Type.MouseMove, view_pos(canvas, 70, 60))
    assert graphic.hovered and graphic.item.pen().widthF() == 3.0
    assert vp.cursor().shape() == Qt.CursorShape.SizeAllCursor
    send_mouse(vp, QEvent.Type.MouseMove, view_pos(canvas, 10, 10))
    assert not graphic.hovered and graphic.item.pen().widthF() == 2.0
    editor.select([a.id])
    handles = [h for h in canvas.layer.overlay.handles if h.isVisible()]
    assert sorted((h.pos().x(), h.pos().y()) for h in handles) == [(40, 40), (40, 90), (100, 40), (100, 90)]
    send_mouse(vp, QEvent.Type.MouseMove, view_pos(canvas, 100, 90))
    hot = [h for h in handles if h.rect().width() > 8]
    assert [(h.pos().x(), h.pos().y()) for h in hot] == [(100, 90)]
    # dragging the corner previews the resize and moves its handle along
    drag(vp, view_pos(canvas, 100, 90), view_pos(canvas, 120, 100))
    assert editor.doc.get(a.id).shape == Box(40, 40, 80, 60)
    assert sorted((h.pos().x(), h.pos().y()) for h in handles)[-1] == (120, 100)


def test_switching_editors_drops_the_old_items_and_notifications(canvas):
    first = make_editor(box("car", 10, 10, 20, 20))
    canvas.set_editor(first)
    second = make_editor(box("person", 50, 50, 20, 20))
    canvas.set_editor(second)
    assert {g.annotation.label for g in canvas.layer.graphics.values()} == {"person"}
    first.execute(AddAnnotations((box("car", 80, 80, 10, 10),)))  # the old task's editor is not shown any more
    assert len(canvas.layer.graphics) == 1
    canvas.set_editor(None)
    assert canvas.layer.graphics == {}
    send_mouse(canvas.viewport(), QEvent.Type.MouseMove, view_pos(canvas, 30, 30))  # no editor: no crash
