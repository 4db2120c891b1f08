"""Editor commands that convert the selected shapes between vector and raster: polygon (box, rotated box) to mask,
and mask to polygons. Each conversion keeps the annotation's id, label, attributes, group and z, and is one undo step.

A mixin of `Editor`: its methods take the editor as a `ToolHost`.
"""

from __future__ import annotations

import dataclasses

from core.annotation import Annotation, new_id
from core.document import AddAnnotations, Batch, Command, UpdateAnnotations
from core.shapes import Mask, Polygon, mask_from_polygons, polygons_from_mask
from tools.arrange import selected
from tools.base import ToolHost
from tools.edits import next_group

OUTLINED = ("polygon", "box", "rotated_box")  # kinds whose vertices outline the area they cover


class ConvertCommands:
    def polygons_to_mask(self: ToolHost) -> int:
        """Turn each selected polygon, box or rotated box into a mask of the image's size; returns how many.

        Shapes whose label does not allow masks, and shapes covering no pixel centre, are left as they are.
        """
        width, height = self.image_size
        if width <= 0 or height <= 0:
            raise ValueError("polygon to mask: the image size is unknown, so a mask cannot be sized")
        changed = []
        for a in selected(self):
            if a.kind not in OUTLINED or not _allows(self, a, Mask.kind) or not self.pickable(a):
                continue
            mask = mask_from_polygons([a.shape.vertices()], width, height)
            if mask.area() > 0:
                changed.append(dataclasses.replace(a, shape=mask))
        if changed:
            self.execute(UpdateAnnotations(tuple(changed), "Polygon to mask"))
        return len(changed)

    def masks_to_polygons(self: ToolHost) -> int:
        """Trace each selected mask into polygons; returns how many masks were converted.

        The largest polygon keeps the annotation's id; the other parts become new annotations of the same label, tied
        to it by a group id. Masks whose label does not allow polygons, or with no part to trace, stay masks.
        """
        commands: list[Command] = []
        updated: list[Annotation] = []
        group = next_group(self.doc)
        for a in selected(self):
            if not isinstance(a.shape, Mask) or not _allows(self, a, Polygon.kind) or not self.pickable(a):
                continue
            traced = (Polygon.from_points(points) for points in polygons_from_mask(a.shape))
            outlines = sorted(traced, key=_area, reverse=True)
            if not outlines:
                continue
            if len(outlines) > 1 and a.group is None:
                a = dataclasses.replace(a, group=group)
                group += 1
            updated.append(dataclasses.replace(a, shape=outlines[0]))
            parts = tuple(
                dataclasses.replace(a, id=new_id(), shape=part, attributes=dict(a.attributes), author=self.author)
                for part in outlines[1:]
            )
            if parts:
                commands.append(AddAnnotations(parts, "Mask to polygons"))
        if updated:
            self.execute(Batch((UpdateAnnotations(tuple(updated), "Mask to polygons"), *commands), "Mask to polygons"))
        return len(updated)


def _area(polygon: Polygon) -> float:
    return polygon.area()


def _allows(host: ToolHost, a: Annotation, kind: str) -> bool:
    label = host.schema.get(a.label)
    return label.allows(kind) if label is not None else not host.schema.labels
