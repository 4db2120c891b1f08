"""The one table of tools, name -> class. A new tool adds a line here; nothing else branches on the tool."""

from __future__ import annotations

from tools.base import Tool
from tools.box import BoxTool
from tools.polygon import PolygonTool
from tools.select import SelectTool

TOOLS: dict[str, type[Tool]] = {cls.name: cls for cls in (SelectTool, BoxTool, PolygonTool)}
