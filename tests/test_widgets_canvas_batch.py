"""10,000 shapes on the canvas: drawn by the batched layer (checked on real renders), selected and edited through real
mouse events, with an edit costing what it costs among ten shapes."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF

from core.annotation import Annotation, new_id
from core.document import AnnotationDoc
from core.shapes import Box, Polygon
from tests.test_widgets_canvas import SCHEMA, drag, pixel, send_mouse, view_pos, viewport_image, wheel
from tools.editor import Editor
from widgets.annotation_layer import ITEM_LIMIT
from widgets.canvas import ImageCanvas

W, H = 2000, 1500
CAR = (100.0, 100.0, 400.0, 300.0)  # the one red box, alone in the top half


def crowd(count):
    """`count - 1` small blue boxes and triangles in the bottom half, plus the red car box."""
    shapes = []
    for i in range(count - 1):
        x, y = 20.0 * (i % 100), 800.0 + 7.0 * (i // 100)
        if i % 2:
            shapes.append(Annotation(new_id(), 1, "person", Box(x, y, 14, 5)))
        else:
            shapes.append(Annotation(new_id(), 1, "person", Polygon(((x, y), (x + 14, y), (x + 7, y + 5)))))
    car = Annotation(new_id(), 1, "car", Box(*CAR))
    return [*shapes, car], car


@pytest.fixture
def canvas(qtbot):
    view = ImageCanvas()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_image(np.full((H, W, 3), 128, np.uint8))
    return view


def show(canvas, count):
    annotations, car = crowd(count)
    editor = Editor(AnnotationDoc(1, annotations), SCHEMA, author="tester", image_size=(W, H))
    canvas.set_editor(editor)
    canvas.fit_to_view()
    return editor, car


def is_red(colour):
    return colour.red() > 200 and colour.green() < 60 and colour.blue() < 60


def is_grey(colour):
    return (colour.red(), colour.green(), colour.blue()) == (128, 128, 128)


def test_ten_thousand_shapes_are_drawn_by_one_batched_layer(canvas):
    show(canvas, 10_000)
    assert canvas.layer.batched and canvas.layer.graphics == {}
    image = viewport_image(canvas)
    assert is_red(pixel(image, view_pos(canvas, 300, 100)))  # the car's top edge
    assert is_grey(pixel(image, view_pos(canvas, 300, 250)))  # far out, only outlines: inside is the image
    row = [pixel(image, view_pos(canvas, x, 801)) for x in range(0, 1990, 2)]
    assert sum(c.blue() > 200 and c.red() < 60 for c in row) > 200  # the crowd's top edges
    rendered = canvas.layer.batch.tiles_rendered
    canvas.viewport().repaint()
    assert canvas.layer.batch.tiles_rendered == rendered  # a repaint blits the cached tiles


def test_zoomed_in_the_batch_fills_shapes(canvas):
    show(canvas, 10_000)
    canvas.set_scale(2.0)
    canvas.centerOn(250, 200)
    canvas.settle_zoom()
    image = viewport_image(canvas)
    inside = pixel(image, view_pos(canvas, 200, 200))
    assert inside.red() > 150 and inside.green() < 110  # translucent red over grey
    edge = view_pos(canvas, 100, 200)
    run = sum(1 for dx in range(-6, 7) if is_red(pixel(image, edge + QPointF(dx, 0))))
    assert 1 <= run <= 3  # outlines stay thin in screen pixels


def test_select_and_drag_one_shape_among_ten_thousand(canvas):
    editor, car = show(canvas, 10_000)
    vp = canvas.viewport()
    viewport_image(canvas)
    before = canvas.layer.batch.tiles_rendered
    drag(vp, view_pos(canvas, 300, 250), view_pos(canvas, 500, 250))
    moved = editor.doc.get(car.id).shape
    assert editor.selection == (car.id,)
    assert (moved.x, moved.y) == pytest.approx((300, 100), abs=3)
    assert set(canvas.layer.graphics) == {car.id}  # only the shape being worked on has items
    image = viewport_image(canvas)
    assert is_grey(pixel(image, view_pos(canvas, 100, 250)))  # no ghost left behind
    assert is_red(pixel(image, view_pos(canvas, moved.x, 250)))
    assert canvas.layer.batch.tiles_rendered - before <= 12  # only the tiles under the car were drawn again
    send_mouse(vp, QEvent.Type.MouseMove, view_pos(canvas, 1500, 300))  # no longer hovered
    editor.select(())
    assert canvas.layer.graphics == {}  # handed back to the batch
    image = viewport_image(canvas)
    assert is_red(pixel(image, view_pos(canvas, moved.x, 250)))
    editor.undo()
    image = viewport_image(canvas)
    assert is_red(pixel(image, view_pos(canvas, 100, 250))) and is_grey(pixel(image, view_pos(canvas, moved.x, 250)))


def test_hover_gives_a_shape_its_own_items_and_deleting_removes_it_from_the_batch(canvas, qtbot):
    editor, car = show(canvas, 10_000)
    send_mouse(canvas.viewport(), QEvent.Type.MouseMove, view_pos(canvas, 300, 250))
    assert canvas.layer.graphics[car.id].hovered
    editor.select([car.id])
    editor.delete_selected()  # what Delete does (a window action, desktop/keymap.py edit.delete)
    assert car.id not in editor.doc and car.id not in canvas.layer.graphics
    image = viewport_image(canvas)
    assert is_grey(pixel(image, view_pos(canvas, 300, 100)))


def test_crossing_the_item_limit_switches_between_items_and_the_batch(canvas):
    editor, car = show(canvas, ITEM_LIMIT)
    assert not canvas.layer.batched and len(canvas.layer.graphics) == ITEM_LIMIT
    editor.select([car.id])
    editor.duplicate()
    assert canvas.layer.batched and set(canvas.layer.graphics) == set(editor.selection)
    editor.undo()
    assert not canvas.layer.batched and len(canvas.layer.graphics) == ITEM_LIMIT


def nudge_time(canvas, editor, car, steps=40):
    editor.select([car.id])
    canvas.viewport().repaint()
    t0 = time.perf_counter()
    for i in range(steps):
        editor.nudge(1 if i % 2 else -1, 0)
        canvas.viewport().repaint()
    return (time.perf_counter() - t0) / steps


def test_an_edit_costs_about_the_same_among_ten_or_ten_thousand_shapes(canvas):
    few = min(nudge_time(canvas, *show(canvas, 10)) for _ in range(3))
    many = min(nudge_time(canvas, *show(canvas, 10_000)) for _ in range(3))
    print(f"nudge: {many * 1e3:.2f} ms among 10,000 vs {few * 1e3:.2f} ms among 10")
    assert many < 3 * few + 0.004, f"{many * 1e3:.2f} ms among 10,000 vs {few * 1e3:.2f} ms among 10"


def test_hidden_labels_and_shapes_are_not_drawn_by_the_batch(canvas):
    editor, car = show(canvas, 10_000)
    crowd_row = [view_pos(canvas, x, 801) for x in range(0, 1990, 2)]

    def blue_pixels():
        image = viewport_image(canvas)
        return sum(pixel(image, p).blue() > 200 and pixel(image, p).red() < 60 for p in crowd_row)

    assert blue_pixels() > 200
    editor.set_label_hidden("person", True)
    assert blue_pixels() == 0 and is_red(pixel(viewport_image(canvas), view_pos(canvas, 300, 100)))
    editor.set_label_hidden("person", False)
    assert blue_pixels() > 200
    editor.select([car.id])
    editor.toggle_hidden()  # H: this one shape
    assert is_grey(pixel(viewport_image(canvas), view_pos(canvas, 300, 100)))


def test_during_a_zoom_gesture_the_last_tiles_stand_in_until_it_settles(canvas, qtbot):
    show(canvas, 10_000)
    viewport_image(canvas)
    batch, image_item = canvas.layer.batch, canvas._image_item
    shapes_before, image_before = batch.tiles_rendered, image_item.tiles_made
    for _ in range(3):  # wheel steps over the car: each frame is the fit-to-view tiles, scaled
        wheel(canvas, view_pos(canvas, 150, 150))
        stand_in = viewport_image(canvas)
    assert (batch.tiles_rendered, image_item.tiles_made) == (shapes_before, image_before)
    assert is_red(pixel(stand_in, view_pos(canvas, 200, 100)))  # the car's top edge, where it now is
    qtbot.waitUntil(lambda: not batch.deferring, timeout=2000)  # the gesture paused: it settles by itself
    viewport_image(canvas)
    assert batch.tiles_rendered > shapes_before and image_item.sharp  # image tiles may come from the prefetch


def test_raster_draws_the_same_pixels_whether_shapes_came_in_bulk_or_one_by_one():
    from core.geometry import Rect
    from widgets.shape_raster import ShapeRaster

    annotations, _ = crowd(600)
    entries = [(a.id, a.shape.vertices(), (255, 0, 0), False, True) for a in annotations]
    bulk, single = ShapeRaster(), ShapeRaster()
    bulk.add_many(entries)
    for annotation_id, vertices, colour, model, closed in entries:
        single.set(annotation_id, vertices, colour, model=model, closed=closed)
    region = Rect(0, 0, W, H)
    images = []
    for raster in (bulk, single):
        image = np.zeros((300, 400, 4), np.uint8)
        raster.draw(image, (0.0, 0.0), 0.2, region, hidden={annotations[0].id}, detail=True)
        images.append(image)
    assert np.array_equal(images[0], images[1]) and images[0][..., 3].any()
    drawn = np.count_nonzero(images[0][..., 3])
    for annotation_id, *_ in entries[: len(entries) // 2]:
        bulk.discard(annotation_id)
    fewer = np.zeros_like(images[0])
    bulk.draw(fewer, (0.0, 0.0), 0.2, region, hidden={annotations[0].id}, detail=True)
    assert 0 < np.count_nonzero(fewer[..., 3]) < drawn
