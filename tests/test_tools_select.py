"""The select tool: picking, rubber band, moves, resizes and vertex edits, each drag one undo step."""

from __future__ import annotations

from test_tools_kit import HEIGHT, WIDTH, Session, box, content, triangle

from core.document import ChangeOp
from core.geometry import Rect
from core.shapes import Box, Polygon
from tools.events import Pointer

TRIANGLE = Polygon(((20.0, 20.0), (60.0, 20.0), (40.0, 60.0)))


def test_click_selects_the_topmost_shape_and_empty_space_clears():
    under, over = box(10, 10, 50, 50), box(30, 30, 50, 50)
    s = Session(under, over)
    s.click(40, 40)
    assert s.editor.selection == (over.id,)  # last in drawing order wins
    s.click(15, 15)
    assert s.editor.selection == (under.id,)
    s.click(150, 90)
    assert s.editor.selection == ()
    assert s.commits == [] and s.topics.count("selection") == 3


def test_shift_and_ctrl_click_toggle():
    a, b = box(10, 10, 20, 20), box(50, 10, 20, 20)
    s = Session(a, b)
    s.click(15, 15)
    s.click(55, 15, shift=True)
    assert s.editor.selection == (a.id, b.id)
    s.click(15, 15, ctrl=True)
    assert s.editor.selection == (b.id,)
    s.click(150, 90, shift=True)  # a modified click on empty space keeps the selection
    assert s.editor.selection == (b.id,)


def test_polygon_edge_tolerance_is_in_screen_pixels():
    t = triangle()
    s = Session(t, scale=1.0)
    s.click(40, 17.5)  # 2.5 image px = 2.5 screen px above the top edge: within the 3 px tolerance
    assert s.editor.selection == (t.id,)
    s.click(150, 90)
    s.editor.set_view_scale(4.0)  # 2.5 image px is now 10 screen px: a miss
    s.click(40, 17.5)
    assert s.editor.selection == ()


def test_rubber_band_selects_shapes_inside_it():
    a, b, c = box(10, 10, 20, 20), box(40, 10, 20, 20), box(120, 50, 20, 20)
    s = Session(a, b, c)
    s.drag((5, 5), (70, 40), release=False)
    assert s.editor.overlay.rubber_band == Rect(5, 5, 70, 40)
    s.editor.release(Pointer(70, 40))
    assert s.editor.selection == (a.id, b.id)
    assert s.editor.overlay.rubber_band is None
    s.drag((110, 45), (150, 80), shift=True)  # additive
    assert s.editor.selection == (a.id, b.id, c.id)
    s.drag((100, 0), (110, 5))  # a band around nothing clears
    assert s.editor.selection == ()
    assert s.commits == []


def test_a_drag_previews_then_is_one_commit_and_one_undo_step():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(15, 15)
    s.drag((15, 15), (45, 35), release=False)
    assert s.editor.overlay.preview[a.id].shape == Box(40, 30, 20, 20)
    assert s.editor.overlay.cursor == "move"
    assert s.shapes() == [Box(10, 10, 20, 20)] and s.commits == []  # the doc is untouched during the drag
    s.editor.release(Pointer(45, 35))
    assert s.shapes() == [Box(40, 30, 20, 20)]
    assert s.editor.overlay.preview == {}
    assert [[(c.op, c.annotation.shape) for c in commit] for commit in s.commits] == [
        [(ChangeOp.UPSERT, Box(40, 30, 20, 20))]
    ]
    assert s.key("z", ctrl=True) is True
    assert s.shapes() == [Box(10, 10, 20, 20)]
    assert not s.editor.can_undo()
    assert s.key("z", ctrl=True, shift=True) is True
    assert s.shapes() == [Box(40, 30, 20, 20)]


def test_dragging_an_unselected_shape_selects_and_moves_it():
    a, b = box(10, 10, 20, 20), box(60, 10, 20, 20)
    s = Session(a, b)
    s.click(15, 15)
    s.drag((65, 15), (75, 25))
    assert s.editor.selection == (b.id,)
    assert s.shapes() == [Box(10, 10, 20, 20), Box(70, 20, 20, 20)]


def test_dragging_a_multi_selection_moves_all_and_a_click_picks_one():
    a, b = box(10, 10, 20, 20), box(60, 10, 20, 20)
    s = Session(a, b)
    s.editor.select([a.id, b.id])
    s.drag((15, 15), (25, 15))
    assert s.shapes() == [Box(20, 10, 20, 20), Box(70, 10, 20, 20)]
    assert len(s.commits) == 1 and len(s.commits[0]) == 2
    s.click(25, 15)
    assert s.editor.selection == (a.id,)


def test_drag_threshold_prevents_accidental_moves():
    a = box(10, 10, 20, 20)
    s = Session(a, scale=2.0)
    s.drag((15, 15), (16, 15.5))  # 1.1 image px = 2.2 screen px < 3
    assert s.shapes() == [Box(10, 10, 20, 20)] and s.commits == []
    s.drag((15, 15), (17, 15))  # 4 screen px
    assert s.shapes() == [Box(12, 10, 20, 20)]


def test_moves_are_clamped_to_the_image():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.drag((15, 15), (500, -300))
    assert s.shapes() == [Box(WIDTH - 20, 0, 20, 20)]


def test_esc_during_a_drag_restores_and_commits_nothing():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(15, 15)
    before = content(s.doc)
    s.drag((15, 15), (45, 35), release=False)
    assert s.key("Escape") is True
    assert s.editor.overlay.preview == {}
    s.editor.release(Pointer(45, 35))
    assert content(s.doc) == before and s.commits == []
    assert s.editor.selection == (a.id,)  # Esc cancelled the drag, it did not also clear the selection
    assert not s.editor.can_undo()


def test_resize_box_by_corner_keeps_the_opposite_corner():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(20, 20)
    s.editor.move(Pointer(31, 31))
    assert s.editor.overlay.hover_handle == 2 and s.editor.overlay.cursor == "size"
    s.drag((31, 31), (51, 41))  # grabbed 1 px off the corner: the corner keeps that offset
    assert s.shapes() == [Box(10, 10, 40, 30)]
    s.drag((10, 10), (-30, 130))  # top-left corner dragged past the bottom, clamped to the image
    assert s.shapes() == [Box(0, 40, 50, HEIGHT - 40)]
    assert s.commits[-1][0].annotation.shape == Box(0, 40, 50, HEIGHT - 40)
    s.editor.undo()
    s.editor.undo()
    assert s.shapes() == [Box(10, 10, 20, 20)]


def test_resizing_to_a_sliver_is_refused():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(20, 20)
    s.drag((30, 30), (11, 25))
    assert s.shapes() == [Box(10, 10, 20, 20)] and s.commits == []


def test_drag_a_polygon_vertex():
    t = triangle()
    s = Session(t)
    s.click(40, 40)
    s.drag((40, 60), (40, 80))
    assert s.shapes() == [Polygon(((20, 20), (60, 20), (40, 80)))]
    assert len(s.commits) == 1


def test_double_click_on_an_edge_inserts_a_vertex_and_hover_shows_where():
    t = triangle()
    s = Session(t)
    s.click(40, 40)
    s.editor.move(Pointer(40, 21))
    assert s.editor.overlay.insert_point == (40, 20) and s.editor.overlay.cursor == "pointing"
    s.editor.double_click(Pointer(40, 21))
    s.editor.release(Pointer(40, 21))
    assert s.shapes() == [Polygon(((20, 20), (40, 20), (60, 20), (40, 60)))]
    assert len(s.commits) == 1
    s.editor.undo()
    assert s.shapes() == [TRIANGLE]


def test_shift_click_on_an_edge_inserts_a_vertex_and_dragging_moves_it():
    t = triangle()
    s = Session(t)
    s.click(40, 40)
    s.drag((40, 20), (40, 5), shift=True)
    assert s.shapes() == [Polygon(((20, 20), (40, 5), (60, 20), (40, 60)))]
    assert s.editor.selection == (t.id,)
    assert len(s.commits) == 2  # the insert, then the drag


def test_alt_click_deletes_a_vertex_but_never_below_three():
    t = triangle()
    s = Session(t)
    s.click(40, 40)
    s.editor.double_click(Pointer(40, 20))
    s.click(40, 20, alt=True)
    assert s.shapes() == [TRIANGLE]
    s.click(40, 60, alt=True)
    assert s.shapes() == [TRIANGLE]  # three vertices: refused
    assert len(s.commits) == 2


def test_backspace_deletes_the_hovered_vertex():
    t = triangle()
    s = Session(t)
    s.click(40, 40)
    s.editor.double_click(Pointer(30, 40))  # on the left edge
    s.editor.release(Pointer(30, 40))
    s.editor.move(Pointer(31, 40))
    assert s.editor.overlay.hover_handle == 3
    assert s.key("Backspace") is True
    assert s.shapes() == [TRIANGLE]
    s.editor.move(Pointer(100, 90))  # hovering no vertex: Backspace is not ours
    assert s.key("Backspace") is False
    assert t.id in s.doc


def test_box_corners_cannot_be_deleted():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(20, 20)
    s.click(10, 10, alt=True)
    assert s.shapes() == [Box(10, 10, 20, 20)] and s.commits == []


def test_hover_reports_shape_and_cursor():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.editor.move(Pointer(15, 15))
    assert (s.editor.overlay.hover_id, s.editor.overlay.cursor) == (a.id, "move")
    s.editor.move(Pointer(150, 90))
    assert (s.editor.overlay.hover_id, s.editor.overlay.cursor) == (None, "arrow")
    assert "overlay" in s.topics


def test_undo_during_a_drag_drops_the_drag():
    a = box(10, 10, 20, 20)
    s = Session(a)
    s.click(15, 15)
    s.key("Right")
    s.drag((15, 15), (50, 50), release=False)
    s.key("z", ctrl=True)
    s.editor.release(Pointer(50, 50))
    assert s.shapes() == [Box(10, 10, 20, 20)]
    assert s.editor.overlay.preview == {}


def test_double_click_away_from_an_edge_acts_as_a_press():
    a, b = box(10, 10, 20, 20), box(60, 10, 20, 20)
    s = Session(a, b)
    s.click(15, 15)
    s.editor.double_click(Pointer(65, 15))
    s.editor.release(Pointer(65, 15))
    assert s.editor.selection == (b.id,)
