"""Graphics items that draw annotations: one item class per shape kind, a label tag, and the style rules.

Pens are cosmetic, so outlines stay 1-3 screen pixels at every zoom. Nothing here overrides `paint`: Qt draws the
items in C++, which keeps repaints of thousands of shapes out of Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from core.annotation import Annotation
from core.geometry import Point
from core.shapes import Box, Polygon, Shape

UNKNOWN_LABEL_COLOR = "#9e9e9e"
HUMAN_FILL_ALPHA = 64
MODEL_FILL_ALPHA = 20
SELECTED_FILL_ALPHA = 96


class BoxItem(QGraphicsRectItem):
    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Box)
        self.setRect(QRectF(shape.x, shape.y, shape.w, shape.h))


class PolygonItem(QGraphicsPolygonItem):
    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Polygon)
        self.setPolygon(points_to_polygon(shape.points))


class VertexPathItem(QGraphicsPathItem):
    """Fallback for shape kinds without an item of their own: the closed outline through its vertices."""

    def set_shape(self, shape: Shape) -> None:
        self.setPath(path_through(shape.vertices(), closed=True))


ShapeItem = BoxItem | PolygonItem | VertexPathItem
# Which item class draws which shape kind. A new kind adds one entry.
SHAPE_ITEMS: dict[str, Callable[[], ShapeItem]] = {"box": BoxItem, "polygon": PolygonItem}


def points_to_polygon(points: Sequence[Point]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


def path_through(points: Sequence[Point], closed: bool) -> QPainterPath:
    path = QPainterPath()
    if points:
        path.addPolygon(points_to_polygon(points))
        if closed:
            path.closeSubpath()
    return path


def outline_pen(color: QColor, *, width: float, model: bool) -> QPen:
    """Cosmetic pen; predictions get a dotted outline with round caps (dashes alone would read as "occluded")."""
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if model:
        pen.setStyle(Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([1.0, 2.0, 4.0, 2.0])
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def tag_text(annotation: Annotation) -> str:
    """The label tag; predictions carry their score as a badge ("car 87%")."""
    score = annotation.source.score
    if annotation.source.is_model and score is not None:
        return f"{annotation.label} {score * 100:.0f}%"
    return annotation.label


class TagItem(QGraphicsRectItem):
    """The label name on a coloured background at the shape's top-left corner, same size at every zoom."""

    PADDING = 2.0

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self._text = QGraphicsSimpleTextItem(self)

    def set_content(self, text: str, color: QColor, model: bool) -> None:
        self._text.setText(text)
        dark_text = color.lightnessF() > 0.55
        self._text.setBrush(QBrush(QColor("black") if dark_text else QColor("white")))
        box = self._text.boundingRect()
        height = box.height() + 2 * self.PADDING
        # Local units are screen pixels (the tag ignores zoom): sit just above the shape's top edge.
        self.setRect(QRectF(0, -height, box.width() + 2 * self.PADDING, height))
        self._text.setPos(self.PADDING, self.PADDING - height)
        background = QColor(color)
        if model:  # a prediction's badge: lighter background with a label-colour border
            background.setAlpha(150)
            border = QPen(color, 1)
            border.setCosmetic(True)
            self.setPen(border)
        self.setBrush(QBrush(background))

    def text(self) -> str:
        return self._text.text()


class AnnotationGraphic:
    """The items that show one annotation (its shape item and label tag), restyled by selection and hover."""

    def __init__(self, scene: QGraphicsScene, annotation: Annotation, color: str, z: float) -> None:
        self._scene = scene
        self.annotation = annotation
        self.color = QColor(color)
        self.selected = False
        self.hovered = False
        self.preview: Shape | None = None
        self.interpolated = False  # a video track's shape between keyframes: drawn lighter than a keyframe's
        self.item: ShapeItem = SHAPE_ITEMS.get(annotation.kind, VertexPathItem)()
        self.item.setZValue(z)
        self.item.setData(0, annotation.id)
        self.tag = TagItem(self.item)
        scene.addItem(self.item)
        self._apply_shape()
        self._apply_style()

    def update(self, annotation: Annotation, color: str) -> bool:
        """Show a new value of the same annotation, touching only what changed.

        Returns False when the shape kind changed: the caller then replaces this graphic.
        """
        if annotation.kind != self.annotation.kind:
            return False
        old, self.annotation = self.annotation, annotation
        new_color = QColor(color)
        if annotation.shape != old.shape:
            self._apply_shape()
        if (new_color != self.color or annotation.label != old.label or annotation.source != old.source
                or annotation.occluded != old.occluded):
            self.color = new_color
            self._apply_style()
        return True

    def set_state(self, *, selected: bool | None = None, hovered: bool | None = None) -> None:
        changed = False
        if selected is not None and selected != self.selected:
            self.selected, changed = selected, True
        if hovered is not None and hovered != self.hovered:
            self.hovered, changed = hovered, True
        if changed:
            self._apply_style()

    def set_interpolated(self, interpolated: bool) -> None:
        if interpolated != self.interpolated:
            self.interpolated = interpolated
            self._apply_style()

    def set_preview(self, shape: Shape | None) -> None:
        """Draw a drag in progress (or, with None, the annotation again) without changing the annotation."""
        if shape != self.preview:
            self.preview = shape
            self._apply_shape()

    def remove(self) -> None:
        if self.item.scene() is not None:
            self._scene.removeItem(self.item)

    def _apply_shape(self) -> None:
        shape = self.preview or self.annotation.shape
        self.item.set_shape(shape)
        bounds = shape.bounds()
        self.tag.setPos(bounds.x1, bounds.y1)

    def _apply_style(self) -> None:
        model = self.annotation.source.is_model
        width = 3.0 if (self.selected or self.hovered) else 1.0 if self.interpolated else 2.0
        pen = outline_pen(self.color, width=width, model=model)
        if self.annotation.occluded and not model:
            pen.setStyle(Qt.PenStyle.DashLine)  # occluded, as in CVAT
        self.item.setPen(pen)
        fill = QColor(self.color)
        alpha = SELECTED_FILL_ALPHA if self.selected else MODEL_FILL_ALPHA if model else HUMAN_FILL_ALPHA
        fill.setAlpha(alpha // 3 if self.interpolated and not self.selected else alpha)
        self.item.setBrush(QBrush(fill))
        self.tag.set_content(tag_text(self.annotation), self.color, model)
