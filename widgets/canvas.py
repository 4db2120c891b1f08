"""The image canvas: shows an image and an Editor's annotations, zooms and pans, and turns Qt input into tool events.

Scene coordinates are image pixel coordinates (the image item sits at the origin, unscaled), so mapping a mouse
position to the scene gives the Pointer's x, y directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QKeyCombination, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QKeyEvent, QKeySequence, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QVBoxLayout, QWidget

from core.media import decode_image
from core.pyramid import Pyramid, PyramidError
from core.pyramid_cache import image_size, is_huge
from tools.base import Overlay
from tools.editor import GESTURES, Editor
from tools.events import Button, Key, Pointer
from widgets.annotation_layer import IMAGE_Z, AnnotationLayer
from widgets.frame_item import FrameItem
from widgets.image_layer import ImageFormatError
from widgets.image_loader import PyramidLoader
from widgets.image_tiles import PyramidItem
from widgets.theme import color

ZOOM_STEP = 1.25
SETTLE_MS = 150  # a zoom gesture is over when the scale has not changed for this long: render sharp tiles then
MIN_SCALE = 1 / 64
MAX_SCALE = 64.0
_BUTTONS = {
    Qt.MouseButton.LeftButton: Button.LEFT,
    Qt.MouseButton.RightButton: Button.RIGHT,
    Qt.MouseButton.MiddleButton: Button.MIDDLE,
}
_CURSORS = {
    "arrow": Qt.CursorShape.ArrowCursor,
    "crosshair": Qt.CursorShape.CrossCursor,
    "move": Qt.CursorShape.SizeAllCursor,
    "size": Qt.CursorShape.SizeFDiagCursor,
    "pointing": Qt.CursorShape.PointingHandCursor,
}


def combination(event: QKeyEvent) -> str:
    """The pressed combination as QKeySequence text ("Ctrl+Z", "Shift+Tab"), the spelling the keymap's keys get."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    key = Qt.Key.Key_Tab if event.key() == Qt.Key.Key_Backtab else Qt.Key(event.key())
    return QKeySequence(QKeyCombination(mods, key)).toString(QKeySequence.SequenceFormat.PortableText)


class ImageCanvas(QGraphicsView):
    """Image plus annotations. Give it pixels with set_image and an editing session with set_editor."""

    cursor_moved = Signal(float, float)  # image coordinates under the mouse
    zoom_changed = Signal(float)  # screen pixels per image pixel
    image_ready = Signal()  # a huge image's complete pyramid is shown (its overview may have been shown before)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scene = QGraphicsScene(self)
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setScene(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # see real pixels when zoomed in
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)  # set_scale anchors itself
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._image_item = PyramidItem(ZOOM_STEP)
        self._image_item.setZValue(IMAGE_Z)
        scene.addItem(self._image_item)
        self.frame_item = FrameItem()  # a video's frame, drawn instead of the pyramid (widgets/frame_item.py)
        self.frame_item.setZValue(IMAGE_Z)
        scene.addItem(self.frame_item)
        self.space_pans = True  # off for a video, where Space plays and pauses (middle-drag still pans)
        self._image_size = (0, 0)
        self.loader = PyramidLoader(self)
        self.loader.overview.connect(self._pyramid_arrived)
        self.loader.ready.connect(self._pyramid_arrived)
        self.loader.failed.connect(self._pyramid_failed)
        self._request = 0  # number of the latest open_image, so a late result for another image is ignored
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.timeout.connect(self.settle_zoom)
        self.layer = AnnotationLayer(scene, on_overlay=self._overlay_changed)
        self.message = QLabel(self.viewport())
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        QVBoxLayout(self.viewport()).addWidget(self.message)
        self.message.hide()
        self._apply_theme()
        self._space_held = False
        self._key_tried: tuple[int, int, bool] | None = None  # (key, modifiers, handled) from ShortcutOverride
        self._tool_keys: dict[str, Key] = {}  # combination -> the key of the tools' grammar it sends (set_tool_keys)
        self._pan_from: QPoint | None = None
        self._last_pointer: tuple[float, float] | None = None
        self._fitted = False  # while true, the image is re-fitted when the view is resized

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # a theme was applied (widgets/theme.py)
            self._apply_theme()
        super().changeEvent(event)

    def _apply_theme(self) -> None:
        """Dark-ish in either theme (it shows pictures), in the shade of the theme in force."""
        self.setBackgroundBrush(QBrush(color("canvas")))
        self.message.setStyleSheet(f"color: {color('canvas_text').name()}; font-size: 14px; padding: 24px")

    # --- content -------------------------------------------------------------------------------------------------
    def set_image(self, array: np.ndarray) -> None:
        """Show an HxW / HxWx3 (BGR) / HxWx4 (BGRA) uint8 or uint16 image; 16-bit data is percentile-stretched."""
        try:
            pyramid = Pyramid.from_array(array)
        except PyramidError as exc:
            raise ImageFormatError(str(exc)) from None
        self._request += 1
        self.frame_item.set_frame(None)
        self._show_pyramid(pyramid)

    def show_frame(self, array: np.ndarray) -> None:
        """Show one video frame (HxWx3 BGR uint8) in place of the image; the view keeps its zoom."""
        if self._image_item.pyramid is not None:
            self._image_item.set_pyramid(None)
        self._request += 1
        self.frame_item.set_frame(array)
        self._set_image_size(array.shape[1], array.shape[0])
        self.message.hide()

    def open_image(self, path: str | Path, content_hash: str | None = None) -> None:
        """Show an image file. One over HUGE_PIXELS is shown from a tile pyramid cached on disk: built in the
        background on first open (a JPEG's overview appears first), read back at once afterwards; `image_ready`
        fires when it is complete. Smaller images are decoded here. MediaError/PyramidError for unreadable files.
        """
        width, height = image_size(path)
        if not is_huge(width, height):
            self.set_image(decode_image(path))
            return
        self._request += 1
        cached = self.loader.cache.open(path, content_hash)
        if cached is not None:
            self._show_pyramid(cached)
            self.image_ready.emit()
            return
        self._image_item.set_pyramid(None)
        self._set_image_size(width, height)
        self.message.setText(self.tr("Preparing {0} ({1:.0f} MP) for display…").format(Path(path).name,
                                                                                  width * height / 1e6))
        self.message.show()
        self.loader.start(self._request, path, content_hash)

    def _pyramid_arrived(self, request: int, pyramid: Pyramid) -> None:
        if request == self._request and (self._image_item.pyramid is None or not self._image_item.pyramid.complete):
            self._show_pyramid(pyramid)
            if pyramid.complete:
                self.image_ready.emit()

    def _pyramid_failed(self, request: int, reason: str) -> None:
        if request == self._request:
            self.show_message(f"Cannot show the image: {reason}")

    def _show_pyramid(self, pyramid: Pyramid) -> None:
        self.frame_item.set_frame(None)
        self._image_item.set_pyramid(pyramid)
        self._set_image_size(pyramid.width, pyramid.height)
        self.message.hide()

    def _set_image_size(self, width: int, height: int) -> None:
        if (width, height) != self._image_size:
            self._image_size = (width, height)
            self.setSceneRect(self.image_rect())
            self.layer.set_image_rect(self.image_rect())

    def show_message(self, text: str) -> None:
        """Show a note instead of an image (no tasks yet, an unreadable file); set_image hides it again."""
        self._request += 1
        self._image_item.set_pyramid(None)
        self.frame_item.set_frame(None)
        self._set_image_size(0, 0)
        self.message.setText(text)
        self.message.show()

    def image_rect(self) -> QRectF:
        return QRectF(0, 0, *self._image_size)

    def image_level(self) -> int | None:
        """The pyramid level drawn at the current zoom (0 is full resolution), or None without an image."""
        pyramid = self._image_item.pyramid
        return pyramid.level_for_scale(self.scale_factor()) if pyramid is not None else None

    def set_editor(self, editor: Editor | None) -> None:
        self.layer.set_editor(editor)
        if editor is not None:
            editor.set_view_scale(self.scale_factor())

    @property
    def editor(self) -> Editor | None:
        return self.layer.editor

    # --- zoom ----------------------------------------------------------------------------------------------------
    def scale_factor(self) -> float:
        """Screen pixels per image pixel."""
        return float(self.transform().m11())

    def set_scale(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom to an absolute scale, keeping the image point under `anchor` (view coordinates) in place."""
        self._fitted = False
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        factor = scale / self.scale_factor()
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        before = self.mapToScene(anchor.toPoint())
        self.scale(factor, factor)
        after = self.mapToScene(anchor.toPoint())
        # Scroll so the image point that was under the anchor is under it again (when the image overflows the view).
        for bar, delta in (
            (self.horizontalScrollBar(), before.x() - after.x()),
            (self.verticalScrollBar(), before.y() - after.y()),
        ):
            bar.setValue(bar.value() + round(delta * scale))
        self._zoomed()

    def zoom_in(self) -> None:
        self.set_scale(self.scale_factor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_scale(self.scale_factor() / ZOOM_STEP)

    def fit_to_view(self) -> None:
        """Show the whole image, as large as the viewport allows."""
        if not self.image_rect().isEmpty():
            self.fitInView(self.image_rect(), Qt.AspectRatioMode.KeepAspectRatio)
            self._zoomed()
            self._fitted = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit_to_view()

    def actual_size(self) -> None:
        """One image pixel per screen pixel, keeping the centre of the view."""
        self.set_scale(1.0)

    def _zoomed(self) -> None:
        scale = self.scale_factor()
        if self.editor is not None:
            self.editor.set_view_scale(scale)
        self.settle_zoom()  # a zoom by command (fit, 1:1, +/-) is drawn sharp at once; a wheel gesture defers it
        self.zoom_changed.emit(scale)

    def settle_zoom(self) -> None:
        """End a wheel zoom gesture: draw sharp tiles at the new zoom. Until now a step drew the tiles prefetched for
        it, or, where they were not ready, the last zoom's tiles scaled (a blit), and the image swapped in sharp
        tiles as the prefetch thread delivered them. Runs by itself SETTLE_MS after the last step."""
        self._settle_timer.stop()
        for item in (self._image_item, self.layer.batch):
            item.deferring = False
            item.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_scale(self.scale_factor() * ZOOM_STEP**steps, event.position())
            self._image_item.deferring = self.layer.batch.deferring = True
            self._settle_timer.start(SETTLE_MS)
        event.accept()

    # --- mouse ---------------------------------------------------------------------------------------------------
    def pointer(self, event: QMouseEvent, button: Qt.MouseButton | None = None) -> Pointer:
        """The tools' Pointer (image coordinates) for a Qt mouse event."""
        p = self.mapToScene(event.position().toPoint())
        mods = event.modifiers()
        qt_button = button if button is not None else event.button()
        return Pointer(
            p.x(),
            p.y(),
            _BUTTONS.get(qt_button, Button.LEFT),
            shift=bool(mods & Qt.KeyboardModifier.ShiftModifier),
            ctrl=bool(mods & Qt.KeyboardModifier.ControlModifier),
            alt=bool(mods & Qt.KeyboardModifier.AltModifier),
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space_held):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        elif self.editor is not None:
            self.editor.press(self.pointer(event))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        held = event.buttons()
        button = next((b for b in _BUTTONS if held & b), Qt.MouseButton.LeftButton)
        p = self.pointer(event, button)
        self._last_pointer = p.point
        if self.editor is not None:
            self.editor.move(p)
            self._update_crosshair()
        self.cursor_moved.emit(p.x, p.y)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self._apply_cursor()
        elif self.editor is not None:
            self.editor.release(self.pointer(event))
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.editor is not None and event.button() == Qt.MouseButton.LeftButton and not self._space_held:
            self.editor.double_click(self.pointer(event))
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:
        self._last_pointer = None
        self._update_crosshair()
        super().leaveEvent(event)

    # --- keys ----------------------------------------------------------------------------------------------------
    def set_tool_keys(self, keys: Mapping[str, str]) -> None:
        """The keymap's drawing keys (combination -> drawing action, desktop/keymap.py `tool_keys`): the only keys
        offered to the active tool; every other key is a window shortcut (arrows, Tab, Delete: editor commands)."""
        self._tool_keys = {QKeySequence(k).toString(QKeySequence.SequenceFormat.PortableText): GESTURES[action]
                           for k, action in keys.items() if action in GESTURES}

    def event(self, event: QEvent) -> bool:
        """Offer each drawing key to the tool before the window's shortcuts see it (Qt asks with ShortcutOverride).

        Handled keys are accepted here, so no shortcut fires and the key press that follows is swallowed; keys the
        tool does not take go on to the window's shortcuts (Enter: accept a prediction), or up to the parent.
        """
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            handled = self._offer_key(event)
            self._key_tried = (event.key(), event.modifiers().value, handled)
            if handled:
                event.accept()
                return True
        return super().event(event)

    def _offer_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Space and not event.modifiers() and self.space_pans:
            return True  # space held pans: never a shortcut while the canvas has focus
        key = self._tool_keys.get(combination(event))
        return key is not None and self.editor is not None and self.editor.key(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Drawing keys go to the tool first; what it does not take goes up to the parent."""
        tried, self._key_tried = self._key_tried, None
        if event.key() == Qt.Key.Key_Space and not event.modifiers() and self.space_pans:
            if not event.isAutoRepeat():
                self._space_held = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if tried is not None and tried[:2] == (event.key(), event.modifiers().value):
            handled = tried[2]  # already offered to the editor by the ShortcutOverride of this very press
        else:
            handled = self._offer_key(event)
        if handled:
            event.accept()
        else:
            event.ignore()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self._apply_cursor()
            event.accept()
            return
        event.ignore()

    def focusOutEvent(self, event: QEvent) -> None:
        self._space_held = False  # the release may go to another widget
        super().focusOutEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab cycles shapes in the editor, not keyboard focus between widgets."""
        return False

    # --- overlay feedback -----------------------------------------------------------------------------------------
    def _overlay_changed(self, overlay: Overlay) -> None:
        self._apply_cursor(overlay)
        self._update_crosshair()

    def _apply_cursor(self, overlay: Overlay | None = None) -> None:
        if self._pan_from is not None:
            return
        if self._space_held:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if overlay is None and self.editor is not None:
            overlay = self.editor.overlay
        name = overlay.cursor if overlay is not None else "arrow"
        self.viewport().setCursor(_CURSORS.get(name, Qt.CursorShape.ArrowCursor))

    def _update_crosshair(self) -> None:
        box_tool = self.editor is not None and self.editor.tool == "box"
        point = self._last_pointer if box_tool and self._pan_from is None else None
        self.layer.overlay.set_crosshair(point, self.image_rect())
