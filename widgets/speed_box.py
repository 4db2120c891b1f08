"""The speed choice of the video and audio bars: a combo of speeds that says which one the user picked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget


class SpeedBox(QComboBox):
    chosen = Signal(float)

    def __init__(self, speeds: Sequence[float], tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.speeds = tuple(speeds)
        for s in self.speeds:
            self.addItem(f"{s:g}×", s)
        self.setCurrentIndex(self.speeds.index(1.0))
        self.setToolTip(tip)
        self.currentIndexChanged.connect(lambda i: self.chosen.emit(float(self.itemData(i))))

    def show_speed(self, speed: float) -> None:
        """Show the speed nearest `speed` without announcing it (the player changed it itself)."""
        self.blockSignals(True)
        self.setCurrentIndex(min(range(len(self.speeds)), key=lambda i: abs(self.speeds[i] - speed)))
        self.blockSignals(False)
