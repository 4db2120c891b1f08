"""Model families, each registered in `FAMILIES` by its module; importing this package registers them all."""

from inference.families import classify, dbnet, sam, yolo, yolo_obb, yolo_pose, yolo_seg
from inference.families.base import ALIASES, FAMILIES, Family, Prediction, Prepared

__all__ = ["ALIASES", "FAMILIES", "Family", "Prediction", "Prepared", "classify", "dbnet", "sam", "yolo", "yolo_obb",
           "yolo_pose", "yolo_seg"]
