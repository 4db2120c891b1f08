"""Property: any sequence of edits and undos made through editor events undoes to the start and redoes to the end."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tools_kit import HEIGHT, WIDTH, Session, box, content, triangle

from core.document import ChangeOp
from tools.events import Pointer

coord_x = st.floats(-20, WIDTH + 20, allow_nan=False)
coord_y = st.floats(-20, HEIGHT + 20, allow_nan=False)
point = st.tuples(coord_x, coord_y)
pick = st.integers(0, 1000)
step = st.floats(-40, 40, allow_nan=False)

actions = st.one_of(
    st.tuples(st.just("box"), point, point),
    st.tuples(st.just("polygon"), st.lists(point, min_size=3, max_size=6)),
    st.tuples(st.just("drag"), pick, st.booleans(), step, step),
    st.tuples(st.just("nudge"), pick, st.sampled_from(["Left", "Right", "Up", "Down"]), st.booleans()),
    st.tuples(st.just("delete"), pick),
    st.tuples(st.just("copy_paste"), pick),
    st.tuples(st.just("duplicate"), pick),
    st.tuples(st.just("relabel"), pick, st.sampled_from(["car", "person", "road"])),
    st.tuples(st.just("insert_vertex"), pick),
    st.tuples(st.just("delete_vertex"), pick, st.integers(0, 10)),
    st.tuples(st.just("attribute"), pick, st.booleans()),
    st.tuples(st.just("undo")),
)


def _target(s: Session, index: int) -> str | None:
    ids = s.doc.ids()
    if not ids:
        return None
    s.editor.select([ids[index % len(ids)]])
    return s.editor.selection[0]


def _perform(s: Session, action: tuple) -> None:
    """Carry out one action as a person would: tools, pointer gestures and keys."""
    kind, *args = action
    editor = s.editor
    if kind in ("box", "polygon"):
        editor.set_tool(kind)
        editor.set_label("car")
        if kind == "box":
            s.drag(args[0], args[1])
        else:
            for x, y in args[0]:
                s.click(x, y)
            s.key("Enter")
            s.key("Escape")
        editor.set_tool("select")
        return
    if kind == "undo":
        s.key("z", ctrl=True)
        return
    target = _target(s, args[0])
    if target is None:
        return
    vertices = s.doc.get(target).shape.vertices()
    if kind == "drag":
        if not args[1]:  # not selected: the press picks whatever lies on top there and moves it
            editor.select([])
        x, y = vertices[0]
        s.drag((x, y), (x + args[2], y + args[3]))
    elif kind == "nudge":
        s.key(args[1], shift=args[2])
    elif kind == "delete":
        s.key("Delete")
    elif kind == "copy_paste":
        s.key("c", ctrl=True)
        s.key("v", ctrl=True)
    elif kind == "duplicate":
        s.key("d", ctrl=True)
    elif kind == "relabel":
        editor.set_label(args[1])
    elif kind == "insert_vertex":
        (x1, y1), (x2, y2) = vertices[0], vertices[1]
        editor.double_click(Pointer((x1 + x2) / 2, (y1 + y2) / 2))
        editor.release(Pointer((x1 + x2) / 2, (y1 + y2) / 2))
    elif kind == "delete_vertex":
        x, y = vertices[args[1] % len(vertices)]
        s.click(x, y, alt=True)
    elif kind == "attribute" and s.doc.get(target).label == "car":
        editor.set_attribute(target, "parked", args[1])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=25))
def test_undo_all_restores_the_start_and_redo_all_the_end(sequence):
    s = Session(box(10, 10, 30, 20), triangle(), box(120, 40, 40, 40, "person"))
    initial = content(s.doc)
    for action in sequence:
        _perform(s, action)
    while s.editor.redo() is not None:  # undos in the sequence leave steps to redo: the end is past them
        pass
    final = content(s.doc)
    while s.editor.undo() is not None:
        pass
    assert content(s.doc) == initial
    while s.editor.redo() is not None:
        pass
    assert content(s.doc) == final
    stored = {i: (label, shape) for i, (label, shape, *_rest) in initial.items()}
    for commit in s.commits:  # the initial doc plus what on_commit handed over is the final doc
        for change in commit:
            a = change.annotation
            if change.op == ChangeOp.UPSERT:
                stored[a.id] = (a.label, a.shape)
            else:
                del stored[a.id]
    assert stored == {i: (label, shape) for i, (label, shape, *_rest) in final.items()}
