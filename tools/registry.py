"""The one table of tools, name -> class. A new tool adds a line here; nothing else branches on the tool."""

from __future__ import annotations

from tools.base import Tool
from tools.box import BoxTool
from tools.brush import BrushTool, EraserTool
from tools.ellipse import EllipseTool
from tools.keypoints import KeypointsTool
from tools.point import PointTool
from tools.polygon import PolygonTool
from tools.polyline import PolylineTool
from tools.rotated_box import RotatedBoxTool
from tools.segment import SegmentTool
from tools.select import SelectTool

TOOLS: dict[str, type[Tool]] = {
    cls.name: cls
    for cls in (
        SelectTool,
        BoxTool,
        PolygonTool,
        PolylineTool,
        PointTool,
        RotatedBoxTool,
        EllipseTool,
        KeypointsTool,
        BrushTool,
        EraserTool,
        SegmentTool,
    )
}
