"""Keeps a scene's annotation graphics in step with an Editor, touching only what each change names.

Up to ITEM_LIMIT shapes, each annotation has its own items (shape, label tag). Above it, one ShapeBatchItem draws
the outlines of all of them from a cached image, and only the shapes someone is working with (selected, hovered,
dragged, or of a kind the batch does not draw) get items of their own on top: with 10,000 shapes, a repaint is a
blit, and selecting or editing one shape costs what it costs with ten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene

from core.annotation import Annotation
from core.geometry import Point, Rect
from tools.base import Overlay
from tools.editor import Editor
from tools.hit import index_of
from tools.video_editor import VideoEditor
from widgets.overlay_items import OverlayLayer
from widgets.shape_batch import ShapeBatchItem
from widgets.shape_items import SHAPE_ITEMS, UNKNOWN_LABEL_COLOR, AnnotationGraphic
from widgets.shape_items_more import KeypointsItem, register_items
from widgets.shape_raster import BATCH_KINDS, ShapeRaster

register_items(SHAPE_ITEMS)  # rotated box, polyline, point, ellipse, keypoints, mask, tag

ITEM_LIMIT = 500  # more shapes than this on one image are drawn by the batched layer
Z_BAND = 1e7  # item z values per annotation z level: more than any count of graphics made
BATCH_Z = -1e14  # below the items of every annotation z level, above the image
IMAGE_Z = -1e15


class AnnotationLayer:
    """The annotation graphics of one scene, bound to at most one editor at a time."""

    def __init__(self, scene: QGraphicsScene, on_overlay: Callable[[Overlay], None] | None = None) -> None:
        self._scene = scene
        self.graphics: dict[str, AnnotationGraphic] = {}  # every shape's items, or (batched) the live shapes' only
        self.overlay = OverlayLayer(scene)
        self.raster = ShapeRaster()
        self.batch = ShapeBatchItem(self.raster)
        self.batch.setZValue(BATCH_Z)
        scene.addItem(self.batch)
        self.batched = False
        self._image_rect = QRectF()
        self._extent = QRectF()  # of the batched shapes, which may reach beyond the image
        self._colors: dict[str, tuple[int, int, int]] = {}  # label -> BGR for the batch
        self.editor: Editor | None = None
        self._on_overlay = on_overlay
        self._next_z = 1.0
        self._selected: tuple[str, ...] = ()
        self._hover: str | None = None
        self._previewed: set[str] = set()

    def set_editor(self, editor: Editor | None) -> None:
        """Show another editor's annotations; the previous editor's notifications are ignored from now on."""
        self._clear()
        self.editor = editor
        if editor is None:
            self.overlay.set_handles([])
            self._show_overlay_items(None)
            return
        editor.subscribe(partial(self._notified, editor))
        index_of(editor.doc)  # build the hit-testing index now, with the task, rather than on the first mouse move
        self._rebuild()
        self._sync_selection()
        self._sync_overlay()

    def set_image_rect(self, rect: QRectF) -> None:
        """The batched layer covers the image (and any shapes beyond it)."""
        self._image_rect = QRectF(rect)
        self._update_batch_bounds()

    def color_of(self, label: str) -> str:
        found = self.editor.schema.get(label) if self.editor is not None else None
        return found.color if found is not None else UNKNOWN_LABEL_COLOR

    def _bgr(self, label: str) -> tuple[int, int, int]:
        bgr = self._colors.get(label)
        if bgr is None:
            color = QColor(self.color_of(label))
            bgr = self._colors[label] = (color.blue(), color.green(), color.red())
        return bgr

    def _notified(self, editor: Editor, what: str) -> None:
        if editor is not self.editor:
            return
        if what == "doc":
            self._sync_doc(editor.last_changed_ids)
            self._sync_selection()
        elif what == "selection":
            self._sync_selection()
        elif what == "overlay":
            self._sync_overlay()
        elif what == "view":  # labels hidden or shown, or everything: a full pass, rare and user-driven
            self._rebuild()
            self._sync_selection()
            self._sync_overlay()

    # --- document ---------------------------------------------------------------------------------------------------

    def _clear(self) -> None:
        for graphic in self.graphics.values():
            graphic.remove()
        self.graphics.clear()
        self.raster = self.batch.raster = ShapeRaster()
        self._extent = QRectF()
        self._colors.clear()  # the next editor may have another schema
        self.batch.hidden.clear()
        self.batch.invalidate()
        self._selected, self._hover, self._previewed = (), None, set()

    def _rebuild(self) -> None:
        """Build every graphic afresh (on a new editor, or when the shape count crosses ITEM_LIMIT)."""
        assert self.editor is not None
        self._clear()
        self.batched = len(self.editor.doc) > ITEM_LIMIT
        batch = []
        for annotation in self.editor.doc:
            if not self.editor.is_visible(annotation):
                continue
            if self.batched and annotation.kind in BATCH_KINDS:
                vertices = annotation.shape.vertices()
                batch.append((annotation.id, vertices, self._bgr(annotation.label), *_style(annotation)))
            else:
                self._add_graphic(annotation)
        self.raster.add_many(batch)
        extent = self.raster.extent()
        if extent is not None:
            self._extent = QRectF(extent.x1, extent.y1, extent.width, extent.height)
        self._update_batch_bounds()

    def _sync_doc(self, changed: Iterable[str]) -> None:
        """Apply the last edit: add, restyle or drop the graphics of exactly the ids it changed."""
        assert self.editor is not None
        doc = self.editor.doc
        if self.batched != (len(doc) > ITEM_LIMIT):
            self._rebuild()
            return
        for annotation_id in changed:
            if annotation_id in doc:
                self._show(doc.get(annotation_id))
            else:
                self._forget(annotation_id)
        self._previewed = {i for i in self._previewed if i in doc}
        self._update_batch_bounds()

    def _show(self, annotation: Annotation) -> None:
        """Draw the current value of an annotation: in the batch, by its own items, or both; or not, when hidden."""
        assert self.editor is not None
        if not self.editor.is_visible(annotation):
            self._forget(annotation.id)
            return
        if self.batched and annotation.kind in BATCH_KINDS:
            old = self.raster.bounds(annotation.id)
            model, closed = _style(annotation)
            self.raster.set(
                annotation.id, annotation.shape.vertices(), self._bgr(annotation.label), model=model, closed=closed
            )
            bounds = annotation.shape.bounds()
            self._extent = self._extent.united(QRectF(bounds.x1, bounds.y1, bounds.width, bounds.height))
            self._repaint_batch(old, bounds)
            if not self._is_live(annotation.id):
                self._drop_graphic(annotation.id)
                return
        graphic = self.graphics.get(annotation.id)
        if graphic is None:
            self._add_graphic(annotation)
        elif graphic.annotation is not annotation and (
            annotation.z != graphic.annotation.z or not graphic.update(annotation, self.color_of(annotation.label))
        ):
            graphic.remove()  # a new kind, or a new place in the drawing order: a new graphic
            self._add_graphic(annotation)
        else:
            graphic.set_interpolated(self._interpolated(annotation.id))

    def _interpolated(self, annotation_id: str) -> bool:
        """A video track's shape on a frame between its keyframes (the editor of a video knows)."""
        return isinstance(self.editor, VideoEditor) and self.editor.is_keyframe(annotation_id) is False

    def _forget(self, annotation_id: str) -> None:
        if annotation_id in self.raster:
            old = self.raster.bounds(annotation_id)
            self.raster.discard(annotation_id)
            self.batch.hidden.discard(annotation_id)
            self._repaint_batch(old)
        self._drop_graphic(annotation_id)

    def _add_graphic(self, annotation: Annotation) -> AnnotationGraphic:
        z = annotation.z * Z_BAND + self._next_z  # by the annotation's z, then the newest graphic on top
        graphic = AnnotationGraphic(self._scene, annotation, self.color_of(annotation.label), z)
        label = self.editor.schema.get(annotation.label) if self.editor is not None else None
        if isinstance(graphic.item, KeypointsItem) and label is not None:
            graphic.item.set_skeleton(label.skeleton)
        graphic.set_interpolated(self._interpolated(annotation.id))
        self.graphics[annotation.id] = graphic
        self._next_z += 1
        return graphic

    def _drop_graphic(self, annotation_id: str) -> None:
        graphic = self.graphics.pop(annotation_id, None)
        if graphic is not None:
            graphic.remove()

    def _is_live(self, annotation_id: str) -> bool:
        """Whether a batched shape needs its own items now: someone is looking at or working on it."""
        return annotation_id in self._selected or annotation_id == self._hover or annotation_id in self._previewed

    def _set_live(self, annotation_id: str) -> AnnotationGraphic | None:
        """Give a shape its own items (batched mode: on selection, hover or drag); None when it no longer exists."""
        graphic = self.graphics.get(annotation_id)
        if graphic is None and self.editor is not None and annotation_id in self.editor.doc:
            annotation = self.editor.doc.get(annotation_id)
            if self.editor.is_visible(annotation):
                graphic = self._add_graphic(annotation)
        return graphic

    def _retire(self, annotation_id: str) -> None:
        """Hand a batched shape back to the batch when nobody works with it any more."""
        if annotation_id in self.raster and not self._is_live(annotation_id):
            self._drop_graphic(annotation_id)
        self._update_hidden(annotation_id)

    def _update_hidden(self, annotation_id: str) -> None:
        """Selected and dragged shapes are drawn by their items only; the batch leaves them out."""
        if annotation_id not in self.raster:
            return
        hide = annotation_id in self._selected or annotation_id in self._previewed
        if hide != (annotation_id in self.batch.hidden):
            (self.batch.hidden.add if hide else self.batch.hidden.discard)(annotation_id)
            self._repaint_batch(self.raster.bounds(annotation_id))

    def _repaint_batch(self, *rects: Rect | None) -> None:
        for rect in rects:
            if rect is not None:
                self.batch.invalidate(rect)

    def _update_batch_bounds(self) -> None:
        self.batch.set_bounds(self._image_rect.united(self._extent) if self.batched else QRectF())

    # --- selection, hover and drag -------------------------------------------------------------------------------

    def _sync_selection(self) -> None:
        assert self.editor is not None
        selection = tuple(i for i in self.editor.selection if i in self.editor.doc)
        old = self._selected
        self._selected = selection
        for gone in set(old) - set(selection):
            if gone in self.graphics:
                self.graphics[gone].set_state(selected=False)
            self._retire(gone)
        for new in selection:
            graphic = self._set_live(new)
            if graphic is not None:
                graphic.set_state(selected=True)
            self._update_hidden(new)
        self._update_handles()

    def _update_handles(self) -> None:
        points: list[Point] = []
        for graphic in (self.graphics[i] for i in self._selected if i in self.graphics):
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
            old, self._hover = self._hover, hover
            if old in self.graphics:
                self.graphics[old].set_state(hovered=False)
            if old is not None:
                self._retire(old)
            graphic = self._set_live(hover) if hover is not None else None
            if graphic is not None:
                graphic.set_state(hovered=True)
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
        stale = self._previewed - set(preview)
        changed = self._previewed != set(preview) or bool(preview)
        self._previewed = set(preview)
        for annotation_id in stale:
            if annotation_id in self.graphics:
                self.graphics[annotation_id].set_preview(None)
            self._retire(annotation_id)
        for annotation_id, value in preview.items():
            graphic = self._set_live(annotation_id)
            if graphic is not None:
                graphic.set_preview(value.shape)
            self._update_hidden(annotation_id)
        if changed and self._selected:
            self._update_handles()


def _style(annotation: Annotation) -> tuple[bool, bool]:
    """How the batch draws an annotation: as a prediction or not, and as a closed outline or not."""
    return annotation.source.is_model, BATCH_KINDS[annotation.kind]
