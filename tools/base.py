"""What every tool shares: the overlay it shows, the host (editor) services it uses, and a no-op base class."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from core.annotation import Annotation
from core.document import AnnotationDoc, Command
from core.geometry import Point, Rect
from core.schema import LabelSchema
from core.shapes import Shape
from tools.events import Key, Pointer

HANDLE_PX = 6.0  # screen pixels within which a vertex, handle or polygon edge is grabbed
HIT_PX = 3.0  # screen pixels of slack when picking a shape, so thin shapes and outlines can be hit
DRAG_PX = 3.0  # screen pixels a press must travel before it counts as a drag (no accidental moves)
MIN_SIZE = 2.0  # image pixels: a drawn or resized shape narrower than this is discarded as a slip


@dataclass(frozen=True)
class BrushOverlay:
    """The brush or eraser: its circle at the cursor, and the stroke painted so far (not yet in the document)."""

    radius: float  # image pixels
    erase: bool
    at: Point | None = None  # cursor position, None while the pointer is off the image
    stroke: tuple[Point, ...] = ()  # centres of the stroke in progress; every pixel within `radius` of it is painted


@dataclass(frozen=True)
class Overlay:
    """What the canvas draws on top of the stored shapes, besides the selection."""

    drawing: Shape | None = None  # shape being drawn; an open polygon includes the cursor point as its last vertex
    drawing_label: str | None = None
    rubber_band: Rect | None = None  # selection rectangle dragged in the select tool
    hover_id: str | None = None  # shape under the cursor
    hover_handle: int | None = None  # vertex index under the cursor on the (single) selected shape
    insert_point: Point | None = None  # where a double-click (or shift+click) would insert a vertex
    cursor: str = "arrow"  # "arrow" | "crosshair" | "move" | "size" | "pointing"
    preview: dict[str, Annotation] = field(default_factory=dict)  # id -> value to draw instead of the stored one
    rotation_handle: Point | None = None  # the rotation handle of the single selected rotated box (select tool)
    keypoint_next: str | None = None  # name of the keypoint the next click places (keypoints tool)
    brush: BrushOverlay | None = None  # brush and eraser tools
    hint: str = ""  # one line for the status bar: what the gesture in progress expects next
    prompts: tuple[tuple[float, float, bool], ...] = ()  # segment tool: clicks (x, y, include) behind `drawing`


class ToolHost(Protocol):
    """The editor services a tool uses; tools never touch the undo stack or subscribers directly."""

    @property
    def doc(self) -> AnnotationDoc: ...

    @property
    def selection(self) -> tuple[str, ...]: ...

    @property
    def current_label(self) -> str: ...

    @property
    def schema(self) -> LabelSchema: ...

    @property
    def image_size(self) -> tuple[int, int]: ...

    @property
    def brush_size(self) -> float: ...

    def set_brush_size(self, size: float) -> None: ...

    @property
    def author(self) -> str: ...

    def set_label(self, name: str) -> bool: ...

    def pickable(self, annotation: Annotation) -> bool: ...

    def select(self, ids: Iterable[str]) -> None: ...

    def execute(self, command: Command, merge_key: object | None = None) -> None: ...

    def new_annotation(self, shape: Shape) -> Annotation | None: ...

    def clamp(self, p: Point) -> Point: ...

    def clamp_move(self, bounds: Rect, dx: float, dy: float) -> tuple[float, float]: ...

    def screen_px(self, pixels: float) -> float: ...


class Tool:
    """Base of all tools: ignores every event. Subclasses override what they handle."""

    name: ClassVar[str] = ""
    cursor: ClassVar[str] = "arrow"

    def __init__(self, host: ToolHost) -> None:
        self.host = host

    def press(self, p: Pointer) -> None:
        """A button went down."""

    def move(self, p: Pointer) -> None:
        """The pointer moved (with or without a button down)."""

    def release(self, p: Pointer) -> None:
        """A button went up."""

    def double_click(self, p: Pointer) -> None:
        """Sent instead of the second press of a double-click (as Qt does), so by default it is that press."""
        self.press(p)

    def key(self, k: Key) -> bool:
        """Handle a key; False lets the editor's own key table have it."""
        return False

    def interrupt(self) -> None:
        """Drop any gesture that refers to stored shapes, because the document is about to change under it."""

    def cancel(self) -> bool:
        """Cancel the gesture in progress (Esc); False when there was none."""
        return False

    def overlay(self) -> Overlay:
        return Overlay(cursor=self.cursor)
