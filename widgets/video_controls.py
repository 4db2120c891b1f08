"""The player bar under a video: play/pause, the frame number (type one and Enter to jump), speed, time, and
whether a drawn shape starts a track or stays on its frame."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from widgets.speed_box import SpeedBox
from widgets.video_player import SPEEDS


class VideoControls(QWidget):
    play_clicked = Signal()
    frame_entered = Signal(int)
    speed_chosen = Signal(float)
    one_frame_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play = QToolButton()
        self.play.setText("▶")
        self.play.setToolTip(self.tr("Play / pause (Space)"))
        self.play.clicked.connect(self.play_clicked)
        self.frame = QSpinBox()
        self.frame.setKeyboardTracking(False)  # jump on Enter or the arrows, not on every digit typed
        self.frame.setToolTip(self.tr("Frame number: type one and press Enter (G)"))
        self.frame.setMinimumWidth(80)
        self.frame.valueChanged.connect(self._entered)
        self.total = QLabel()
        self.speed = SpeedBox(SPEEDS, self.tr("Speed ([ and ])"))
        self.speed.chosen.connect(self.speed_chosen)
        self.time = QLabel()
        self.keyframe = QLabel()
        self.one_frame = QCheckBox(self.tr("One-frame shapes"))
        self.one_frame.setToolTip(self.tr("Off: a drawn shape starts a track with a keyframe here; on: it is on this "
                                          "frame only (Shift+N)"))
        self.one_frame.toggled.connect(self.one_frame_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for w in (self.play, QLabel(self.tr("Frame")), self.frame, self.total, self.speed, self.time, self.keyframe):
            layout.addWidget(w)
        layout.addStretch(1)
        layout.addWidget(self.one_frame)
        for button in (self.play, self.speed, self.one_frame):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the canvas
        self._updating = False

    def set_length(self, frames: int, fps: float) -> None:
        self._fps = fps
        self._updating = True
        self.frame.setRange(0, max(0, frames - 1))
        self._updating = False
        self.total.setText(f"/ {frames - 1}")

    def show_frame(self, frame: int, seconds: float, keyframe: str = "") -> None:
        self._updating = True
        self.frame.setValue(frame)
        self._updating = False
        minutes, rest = divmod(seconds, 60)
        self.time.setText(f"{int(minutes):02d}:{rest:06.3f}")
        self.keyframe.setText(keyframe)

    def set_playing(self, playing: bool) -> None:
        self.play.setText("⏸" if playing else "▶")

    def set_speed(self, speed: float) -> None:
        self.speed.show_speed(speed)

    def focus_frame(self) -> None:
        self.frame.setFocus()
        self.frame.selectAll()

    def _entered(self, value: int) -> None:
        if not self._updating:
            self.frame_entered.emit(value)
