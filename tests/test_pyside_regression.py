"""Guard for the PySide6 6.12 + CPython 3.11 "Fatal Python error: none_dealloc" crash.

On 3.11 that combination aborts after about 5,000 QGraphicsItem.setPen calls; the canvas makes such calls for every
shape. Run here in-process: if the interpreter or PySide6 pin regresses, the test run itself dies.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene

ITEMS = 20_000


def test_many_set_pen_and_set_brush_calls_do_not_crash(qapp):
    scene = QGraphicsScene()
    pen = QPen(QColor("#e69f00"), 2)
    pen.setCosmetic(True)
    brush = QBrush(QColor(230, 159, 0, 64))
    items = []
    for i in range(ITEMS):
        item = QGraphicsRectItem(QRectF(i % 200 * 5, i // 200 * 5, 4, 4))
        item.setPen(pen)
        item.setBrush(brush)
        item.setPen(QPen(QColor("#56b4e9")))  # a fresh temporary each call, as restyling does
        scene.addItem(item)
        items.append(item)
    assert len(scene.items()) == ITEMS
    assert items[-1].pen().color() == QColor("#56b4e9")
    assert items[123].brush().color().alpha() == 64
