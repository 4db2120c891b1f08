"""The spatial index behind hit-testing: it must answer exactly what a brute-force scan of the document answers,
through any sequence of edits, undo and redo, and stay fast with 100,000 shapes."""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from core.annotation import Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, DeleteAnnotations, UndoStack, UpdateAnnotations
from core.geometry import Rect
from core.shapes import Box, Polygon
from tools.hit import SpatialIndex, index_of, shape_at, shapes_in

coord = st.floats(-50, 2000, allow_nan=False)
size = st.one_of(st.floats(0, 40), st.floats(0, 3000))  # mostly small shapes, some spanning many grid cells


@st.composite
def shapes(draw):
    x, y, w, h = draw(coord), draw(coord), draw(size), draw(size)
    if draw(st.booleans()):
        return Box(x, y, w, h)
    return Polygon(((x, y), (x + w, y + h / 3), (x + w / 2, y + h)))


def brute_at(doc, p, tolerance):
    return shape_at(list(doc), p, tolerance)  # a list takes the linear scan


def brute_in(doc, band):
    return shapes_in(list(doc), band)


edit = st.one_of(
    st.tuples(st.just("add"), st.lists(shapes(), min_size=1, max_size=4)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), shapes(), st.integers(-1, 1)),  # and a new z: forward or back
    st.tuples(st.just("undo"), st.none()),
    st.tuples(st.just("redo"), st.none()),
)
probe = st.tuples(coord, coord, st.floats(0, 8))


@settings(max_examples=60, deadline=None)
@given(st.lists(shapes(), max_size=30), st.lists(edit, max_size=25), st.lists(probe, min_size=1, max_size=12))
def test_index_agrees_with_a_linear_scan_through_edits_undo_and_redo(initial, edits, probes):
    doc = AnnotationDoc(1, [Annotation(new_id(), 1, "car", s) for s in initial])
    stack = UndoStack()
    index = index_of(doc)
    for op, arg, *rest in edits:
        ids = doc.ids()
        if op == "add":
            stack.execute(doc, AddAnnotations(tuple(Annotation(new_id(), 1, "car", s) for s in arg)))
        elif op == "delete" and ids:
            stack.execute(doc, DeleteAnnotations(tuple({ids[arg % len(ids)], ids[(arg * 7) % len(ids)]})))
        elif op == "move" and ids:
            a = doc.get(ids[arg % len(ids)])
            stack.execute(doc, UpdateAnnotations((Annotation(a.id, 1, a.label, rest[0], z=rest[1]),)))
        elif op == "undo":
            stack.undo(doc)
        elif op == "redo":
            stack.redo(doc)
    assert len(index) == len(doc)
    for x, y, tolerance in probes:
        assert index.at((x, y), tolerance) == brute_at(doc, (x, y), tolerance)
        band = Rect.from_corners((x, y), (x + 600 * tolerance, y + 400 * tolerance))
        assert index.inside(band) == brute_in(doc, band)


def test_undoing_a_delete_restores_the_old_drawing_order():
    under, over = (Annotation(new_id(), 1, "car", Box(0, 0, 50, 50)) for _ in range(2))
    doc = AnnotationDoc(1, [under, over])
    stack = UndoStack()
    assert shape_at(doc, (25, 25), 0) == over.id
    stack.execute(doc, DeleteAnnotations((under.id,)))
    stack.execute(doc, AddAnnotations((Annotation(new_id(), 1, "car", Box(100, 100, 5, 5)),)))
    stack.undo(doc)
    stack.undo(doc)  # the deleted shape comes back underneath, where it was
    assert shape_at(doc, (25, 25), 0) == over.id
    stack.execute(doc, DeleteAnnotations((over.id,)))
    assert shape_at(doc, (25, 25), 0) == under.id


def test_a_shape_larger_than_the_image_is_found_everywhere_inside_it():
    index = SpatialIndex([Annotation("big", 1, "car", Box(-10, -10, 50_000, 30_000))])
    assert index.at((25_000, 12_000), 0) == "big"
    assert index.candidates(Rect(40_000, 100, 40_001, 101)) == {"big"}
    assert index.at((60_000, 12_000), 0) is None


def test_hit_test_among_100k_shapes_is_under_a_millisecond():
    annotations = [
        Annotation(new_id(), 1, "car", Box((i % 400) * 50.0, (i // 400) * 40.0, 30, 25)) for i in range(100_000)
    ]
    doc = AnnotationDoc(1, annotations)
    index_of(doc)  # built once, as on the first click
    target = annotations[54_321]
    t0 = time.perf_counter()
    for _ in range(200):
        found = shape_at(doc, (target.shape.x + 10, target.shape.y + 10), 3.0)
        missed = shape_at(doc, (target.shape.x + 40, target.shape.y + 30), 1.0)
    per_query = (time.perf_counter() - t0) / 400
    assert found == target.id and missed is None
    assert per_query < 1e-3, f"{per_query * 1e3:.3f} ms per hit-test"


def test_editor_names_exactly_the_ids_each_edit_changed():
    """The canvas updates from Editor.last_changed_ids, so it must name every changed id and nothing else."""
    from core.schema import Label, LabelSchema
    from tools.editor import Editor

    annotations = [Annotation(new_id(), 1, "car", Box(10.0 * i, 0, 5, 5)) for i in range(1000)]
    editor = Editor(AnnotationDoc(1, annotations), LabelSchema((Label("car", "#ff0000", "1"),)))
    seen = []
    editor.subscribe(lambda topic: seen.append(editor.last_changed_ids) if topic == "doc" else None)
    moved = annotations[500].id
    editor.select([moved])
    editor.nudge(1, 0)
    editor.duplicate()
    copy = editor.selection[0]
    editor.select([annotations[1].id, annotations[2].id])
    editor.delete_selected()
    editor.undo()
    editor.redo()
    gone = {annotations[1].id, annotations[2].id}
    assert seen == [{moved}, {copy}, gone, gone, gone]
