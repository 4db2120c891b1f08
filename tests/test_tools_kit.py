"""Shared builders for the tools tests (no tests here): a schema, an editor with a commit log, gestures."""

from __future__ import annotations

from core.annotation import Annotation, new_id
from core.document import AnnotationDoc, Change
from core.schema import LabelSchema
from core.shapes import Box, Polygon, Shape
from desktop.keymap import active, effective_keymap, key_id
from tools.editor import COMMANDS, GESTURES, Editor
from tools.events import Key, Pointer

KEYMAP = effective_keymap()

SCHEMA = LabelSchema.from_json(
    {
        "labels": [
            {
                "name": "car",
                "hotkey": "1",
                "attributes": [
                    {"name": "color", "type": "select", "options": ["red", "blue"]},
                    {"name": "parked", "type": "checkbox"},
                ],
            },
            {"name": "person", "hotkey": "2", "shapes": ["box"]},
            {
                "name": "road",
                "hotkey": "3",
                "shapes": ["polygon"],
                "attributes": [{"name": "lanes", "type": "number", "min": 1, "max": 8, "default": 2}],
            },
        ]
    }
)
WIDTH, HEIGHT = 200, 100
# Labels for the tools beyond box and polygon: a keypoint template, an open-path label, tags, masks.
MORE = LabelSchema.from_json(
    {
        "labels": [
            {"name": "car", "hotkey": "1"},
            {
                "name": "person",
                "hotkey": "2",
                "shapes": ["keypoints", "box"],
                "keypoints": ["nose", "left_eye", "right_eye"],
                "skeleton": [[0, 1], [0, 2]],
            },
            {"name": "lane", "hotkey": "3", "shapes": ["polyline"]},
            {"name": "sunny", "hotkey": "4", "shapes": ["tag"], "tag_mode": "single"},
            {"name": "rainy", "hotkey": "5", "shapes": ["tag"], "tag_mode": "single"},
            {"name": "blurry", "hotkey": "6", "shapes": ["tag"]},
            {"name": "blob", "hotkey": "7", "shapes": ["mask", "polygon"]},
            {"name": "stain", "hotkey": "8", "shapes": ["mask"]},
        ]
    }
)


def ann(shape: Shape, label: str = "car", task_id: int = 1) -> Annotation:
    attributes = (SCHEMA.get(label) or MORE.get(label)).initial_attributes()
    return Annotation(new_id(), task_id, label, shape, attributes, "alice")


def box(x: float, y: float, w: float, h: float, label: str = "car") -> Annotation:
    return ann(Box(x, y, w, h), label)


def triangle(label: str = "car") -> Annotation:
    return ann(Polygon(((20.0, 20.0), (60.0, 20.0), (40.0, 60.0))), label)


class Session:
    """An editor over a fresh doc that records every commit and notification."""

    def __init__(
        self,
        *annotations: Annotation,
        task_id: int = 1,
        scale: float = 1.0,
        schema: LabelSchema = SCHEMA,
        **kwargs: object,
    ) -> None:
        self.commits: list[list[Change]] = []
        self.topics: list[str] = []
        self.doc = AnnotationDoc(task_id, annotations)
        self.editor = Editor(
            self.doc, schema, author="bob", image_size=(WIDTH, HEIGHT), on_commit=self.commits.append, **kwargs
        )
        self.editor.set_view_scale(scale)
        self.editor.subscribe(self.topics.append)

    def click(self, x: float, y: float, **mods: bool) -> None:
        self.editor.press(Pointer(x, y, **mods))
        self.editor.release(Pointer(x, y, **mods))

    def drag(self, start: tuple[float, float], end: tuple[float, float], *, release: bool = True, **mods: bool) -> None:
        """Press at start, move there in 4 steps, and release (unless told not to)."""
        self.editor.press(Pointer(*start, **mods))
        for i in range(1, 5):
            t = i / 4
            self.editor.move(Pointer(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]), **mods))
        if release:
            self.editor.release(Pointer(*end, **mods))

    def key(self, name: str, **mods: bool) -> bool:
        """Press a key as the app does on an image (the one table, desktop/keymap.py): a drawing key goes to the tool
        first; when the tool has no use for it, the editor command bound to the key runs. True when one took it."""
        k = Key(name, **mods)
        held = [m for m, on in (("Ctrl", k.ctrl), ("Alt", k.alt), ("Shift", k.shift)) if on]
        pressed = key_id("+".join([*held, "Return" if name == "Enter" else name]))
        bound = [b.action for b in KEYMAP.values() if pressed in {key_id(key) for key in b.keys}]
        if any(self.editor.key(GESTURES[a.id]) for a in bound if a.scope == "drawing"):
            return True
        command = next((a.id for a in bound if active(a.scope, "image") and a.id in COMMANDS), None)
        if command is not None:
            COMMANDS[command](self.editor)
        return command is not None

    def shapes(self) -> list[Shape]:
        return [a.shape for a in self.doc]


def content(doc: AnnotationDoc) -> dict[str, tuple[object, ...]]:
    """Everything a person edits, by id (revisions aside)."""
    return {a.id: (a.label, a.shape, a.attributes, a.source, a.author, a.group, a.z, a.hidden, a.locked) for a in doc}


def check_undo_redo(s: Session, before: dict[str, tuple[object, ...]], steps: int = 1) -> None:
    """Undo `steps` steps back to `before`, then redo them back to the state now."""
    after = content(s.doc)
    assert after != before
    for _ in range(steps):
        assert s.key("z", ctrl=True)
    assert content(s.doc) == before
    for _ in range(steps):
        assert s.key("z", ctrl=True, shift=True)
    assert content(s.doc) == after
