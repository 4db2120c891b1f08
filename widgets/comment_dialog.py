"""The new-comment dialog of review mode: the text, and where the thread is pinned.

The choices are what the task offers: the selected shape, the point under the pointer, the area on show (zoom onto
what the comment is about first), or nothing; on a video a range of frames (from the frame on show), on a recording
a time range (the selection, else the playhead). The dialog builds the pin sync/server/threads.py takes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


class CommentDialog(QDialog):
    """`choices` maps each offered place ("shape", "point", "area", "none") to its pin part; `frames` (first, last,
    count) or `times` (start, end, duration) add a range to the pin."""

    def __init__(self, parent: QWidget | None, choices: dict[str, dict[str, Any]],
                 frames: tuple[int, int, int] | None = None, times: tuple[float, float, float] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New comment"))
        self.choices = choices
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("What is wrong, or what to check"))
        self.place = QComboBox()
        words = {"shape": self.tr("the selected shape"), "point": self.tr("the point under the pointer"),
                 "area": self.tr("the area on show"), "none": self.tr("the whole task")}
        for key in choices:
            self.place.addItem(words[key], key)
        form = QFormLayout()
        form.addRow(self.tr("Pinned to"), self.place)
        self.frames: tuple[QSpinBox, QSpinBox] | None = None
        if frames is not None:
            self.frames = (QSpinBox(), QSpinBox())
            for frame_box, frame in zip(self.frames, frames[:2], strict=True):
                frame_box.setRange(0, max(frames[2] - 1, 0))
                frame_box.setValue(frame)
            form.addRow(self.tr("Frames"), _pair(*self.frames))
        self.times: tuple[QDoubleSpinBox, QDoubleSpinBox] | None = None
        if times is not None:
            self.times = (QDoubleSpinBox(), QDoubleSpinBox())
            for time_box, seconds in zip(self.times, times[:2], strict=True):
                time_box.setRange(0.0, max(times[2], 0.0))
                time_box.setDecimals(3)
                time_box.setSuffix(" s")
                time_box.setValue(seconds)
            form.addRow(self.tr("Time"), _pair(*self.times))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.text.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.text.toPlainText().strip()))

    def pin(self) -> dict[str, Any] | None:
        """The pin as chosen (None: pinned to nothing)."""
        pin = dict(self.choices[str(self.place.currentData())])
        if self.frames is not None:
            pin["frames"] = sorted(box.value() for box in self.frames)
        if self.times is not None:
            pin["times"] = sorted(round(box.value(), 3) for box in self.times)
        return pin or None

    def comment_text(self) -> str:
        return self.text.toPlainText().strip()


def _pair(first: QWidget, second: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(first)
    layout.addWidget(second)
    return row
