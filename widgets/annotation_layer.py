"""Keeps a scene's annotation items in step with an Editor: one graphic per annotation id, updated from the
editor's change notifications (only what changed is touched), plus the selection handles and the overlay.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QGraphicsScene

from core.annotation import Annotation
from core.geometry import Point
from tools.base import Overlay
from tools.editor import Editor
from widgets.overlay_items import OverlayLayer
from widgets.shape_items import UNKNOWN_LABEL_COLOR, AnnotationGraphic


class AnnotationLayer:
    """The annotation items of one scene, bound to at most one editor at a time."""

    def __init__(self, scene: QGraphicsScene, on_overlay: Callable[[Overlay], None] | None = None) -> None:
        self._scene = scene
        self.graphics: dict[str, AnnotationGraphic] = {}
        self.overlay = OverlayLayer(scene)
        self.editor: Editor | None = None
        self._on_overlay = on_overlay
        self._next_z = 1.0
        self._selected: tuple[str, ...] = ()
        self._hover: str | None = None
        self._previewed: set[str] = set()

    def set_editor(self, editor: Editor | None) -> None:
        """Show another editor's annotations; the previous editor's notifications are ignored from now on."""
        for graphic in self.graphics.values():
            graphic.remove()
        self.graphics.clear()
        self._selected, self._hover, self._previewed = (), None, set()
        self.editor = editor
        if editor is None:
            self.overlay.set_handles([])
            self._show_overlay_items(None)
            return
        editor.subscribe(partial(self._notified, editor))
        self._sync_doc()
        self._sync_selection()
        self._sync_overlay()

    def color_of(self, label: str) -> str:
        found = self.editor.schema.get(label) if self.editor is not None else None
        return found.color if found is not None else UNKNOWN_LABEL_COLOR

    def _notified(self, editor: Editor, what: str) -> None:
        if editor is not self.editor:
            return
        if what == "doc":
            self._sync_doc()
            self._sync_selection()
        elif what == "selection":
            self._sync_selection()
        elif what == "overlay":
            self._sync_overlay()

    def _sync_doc(self) -> None:
        """Diff the document against the items: add new ids, restyle changed values, drop deleted ids."""
        assert self.editor is not None
        seen: set[str] = set()
        for annotation in self.editor.doc:
            seen.add(annotation.id)
            graphic = self.graphics.get(annotation.id)
            if graphic is None:
                self._add(annotation)
            elif graphic.annotation is annotation:
                continue
            elif not graphic.update(annotation, self.color_of(annotation.label)):
                graphic.remove()
                self._add(annotation)
        for gone in [i for i in self.graphics if i not in seen]:
            self.graphics.pop(gone).remove()
        self._previewed &= seen

    def _add(self, annotation: Annotation) -> None:
        self.graphics[annotation.id] = AnnotationGraphic(
            self._scene, annotation, self.color_of(annotation.label), self._next_z
        )
        self._next_z += 1

    def _sync_selection(self) -> None:
        assert self.editor is not None
        selection = tuple(i for i in self.editor.selection if i in self.graphics)
        for old in set(self._selected) - set(selection):
            if old in self.graphics:
                self.graphics[old].set_state(selected=False)
        for new in selection:
            self.graphics[new].set_state(selected=True)
        self._selected = selection
        self._update_handles()

    def _update_handles(self) -> None:
        points: list[Point] = []
        for i in self._selected:
            graphic = self.graphics[i]
            points.extend(graphic.preview.vertices() if graphic.preview else graphic.annotation.shape.vertices())
        self.overlay.set_handles(points)

    def _sync_overlay(self) -> None:
        assert self.editor is not None
        overlay = self.editor.overlay
        self._show_overlay_items(overlay)
        if self._on_overlay is not None:
            self._on_overlay(overlay)

    def _show_overlay_items(self, overlay: Overlay | None) -> None:
        hover = overlay.hover_id if overlay is not None else None
        if hover != self._hover:
            if self._hover in self.graphics:
                self.graphics[self._hover].set_state(hovered=False)
            if hover in self.graphics:
                self.graphics[hover].set_state(hovered=True)
            self._hover = hover
        self._show_preview(overlay)
        if overlay is None:
            self.overlay.set_drawing(None, UNKNOWN_LABEL_COLOR)
            self.overlay.set_rubber_band(None)
            self.overlay.set_insert_point(None)
            return
        label = overlay.drawing_label or (self.editor.current_label if self.editor is not None else "")
        self.overlay.set_drawing(overlay.drawing, self.color_of(label or ""))
        self.overlay.set_rubber_band(overlay.rubber_band)
        self.overlay.set_insert_point(overlay.insert_point)
        self.overlay.set_hot_handle(overlay.hover_handle)

    def _show_preview(self, overlay: Overlay | None) -> None:
        """Draw a drag in progress (move, resize, vertex) on the dragged items; the doc changes only on release."""
        preview = dict(overlay.preview) if overlay is not None else {}
        for stale in self._previewed - set(preview):
            if stale in self.graphics:
                self.graphics[stale].set_preview(None)
        for annotation_id, value in preview.items():
            if annotation_id in self.graphics:
                self.graphics[annotation_id].set_preview(value.shape)
        changed = self._previewed != set(preview) or bool(preview)
        self._previewed = set(preview)
        if changed and self._selected:
            self._update_handles()
