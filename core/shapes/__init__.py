"""Annotation geometries as immutable values, registered by kind in one table (`SHAPE_KINDS`).

Importing this package registers every kind: box, polygon, polyline, point, rotated box, ellipse, keypoints, mask,
tag, and the audio time shapes segment and instant. A new kind is a class with the `Shape` methods, decorated with
`@register_shape`, imported here.
"""

from core.shapes.base import SHAPE_KINDS, Shape, ShapeError, register_shape, shape_from_json
from core.shapes.keypoints import Keypoints, Visibility
from core.shapes.mask import Mask, mask_from_polygons, polygons_from_mask
from core.shapes.rotated import Ellipse, RotatedBox
from core.shapes.segment import Instant, Segment, TimeShape
from core.shapes.simple import Box, PointShape, Polygon, Polyline
from core.shapes.tag import Tag

__all__ = [
    "SHAPE_KINDS",
    "Box",
    "Ellipse",
    "Instant",
    "Keypoints",
    "Mask",
    "PointShape",
    "Polygon",
    "Polyline",
    "RotatedBox",
    "Segment",
    "Shape",
    "ShapeError",
    "Tag",
    "TimeShape",
    "Visibility",
    "mask_from_polygons",
    "polygons_from_mask",
    "register_shape",
    "shape_from_json",
]
