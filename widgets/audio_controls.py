"""The bar under a recording: play/pause, loop, speed, the time, what the view shows, and the selected segment's
details (label, start, end, duration, source) with its transcription, typed in place and stored as it is typed."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from core.annotation import Annotation
from tools.audio_editor import time_span
from widgets.speed_box import SpeedBox
from widgets.waveform import DISPLAYS
from widgets.waveform_render import clock

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
DISPLAY_TEXT = {"waveform": QT_TRANSLATE_NOOP("AudioControls", "Waveform"),  # DISPLAYS, translated where shown
                "spectrogram": QT_TRANSLATE_NOOP("AudioControls", "Spectrogram"),
                "both": QT_TRANSLATE_NOOP("AudioControls", "Both")}


class AudioControls(QWidget):
    play_clicked = Signal()
    loop_toggled = Signal(bool)
    speed_chosen = Signal(float)
    display_chosen = Signal(str)
    scale_chosen = Signal(str)  # the spectrogram's frequency scale: "linear" or "mel"
    text_edited = Signal(str, str)  # annotation id, text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play = QToolButton()
        self.play.setText("▶")
        self.play.setToolTip(self.tr("Play / pause (Space); Shift+Space plays the selection"))
        self.play.clicked.connect(self.play_clicked)
        self.loop = QCheckBox(self.tr("Loop"))
        self.loop.setToolTip(self.tr("Play the selection (or the selected segment) again and again (Shift+L)"))
        self.loop.toggled.connect(self.loop_toggled)
        self.speed = SpeedBox(SPEEDS, self.tr("Speed, pitch kept ([ and ])"))
        self.speed.chosen.connect(self.speed_chosen)
        self.time = QLabel()
        self.time.setMinimumWidth(170)
        self.display = QComboBox()
        for name in DISPLAYS:
            self.display.addItem(QCoreApplication.translate("AudioControls", DISPLAY_TEXT[name]), name)
        self.display.setToolTip(self.tr("What the view shows (Shift+S)"))
        self.display.currentIndexChanged.connect(lambda i: self.display_chosen.emit(self.display.itemData(i)))
        self.scale = QComboBox()
        self.scale.addItem(self.tr("Linear Hz"), "linear")
        self.scale.addItem(self.tr("Mel"), "mel")
        self.scale.setToolTip(self.tr("The spectrogram's frequency scale"))
        self.scale.currentIndexChanged.connect(lambda i: self.scale_chosen.emit(self.scale.itemData(i)))
        self.tier = QLabel()
        self.details = QLabel()
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("Transcription of the selected segment (F2)"))
        self.text.setClearButtonEnabled(True)
        self.text.textEdited.connect(self._typed)
        self.text.returnPressed.connect(self._done)
        top = QHBoxLayout()
        for w in (self.play, self.loop, self.speed, self.time, self.display, self.scale, self.tier):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.text)
        for w in (self.play, self.loop, self.speed, self.display, self.scale):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the waveform
        self._segment: str | None = None
        self.return_focus: QWidget | None = None
        self.show_segment(None)

    def show_time(self, t: float, duration: float) -> None:
        self.time.setText(f"{clock(t, 0.001)} / {clock(duration, 1)}")

    def set_playing(self, playing: bool) -> None:
        self.play.setText("⏸" if playing else "▶")

    def set_speed(self, speed: float) -> None:
        self.speed.show_speed(speed)

    def set_display(self, display: str) -> None:
        self.display.blockSignals(True)
        self.display.setCurrentIndex(DISPLAYS.index(display))
        self.display.blockSignals(False)

    def set_scale(self, scale: str) -> None:
        """Show `scale` chosen ("linear" or "mel"; anything else leaves the choice as it is)."""
        index = self.scale.findData(scale)
        if index >= 0:
            self.scale.blockSignals(True)
            self.scale.setCurrentIndex(index)
            self.scale.blockSignals(False)

    def show_tier(self, tier: str) -> None:
        self.tier.setText(self.tr("Tier: {0}").format(tier or self.tr("segments")))

    def show_segment(self, ann: Annotation | None) -> None:
        """The details of the one selected segment (or nothing); its text goes in the field unless being typed."""
        self._segment = ann.id if ann is not None else None
        self.text.setEnabled(ann is not None)
        if ann is None:
            self.details.setText("")
            if not self.text.hasFocus():
                self.text.clear()
            return
        start, end = time_span(ann)
        source = (self.tr("model {0}").format(ann.source.model_id or "").strip() if ann.source.is_model
                  else self.tr("human"))
        if ann.source.is_model and ann.source.score is not None:
            source += f" {ann.source.score:.2f}"
        self.details.setText(f"{ann.label}  ·  {clock(start, 0.001)} – {clock(end, 0.001)}  ·  "
                             f"{end - start:.3f} s  ·  {source}")
        text = getattr(ann.shape, "text", "")
        if self.text.text() != text and not self.text.hasFocus():
            self.text.setText(text)

    def edit_text(self) -> None:
        if self._segment is not None:
            self.text.setFocus()
            self.text.selectAll()

    def _typed(self, text: str) -> None:
        if self._segment is not None:
            self.text_edited.emit(self._segment, text)

    def _done(self) -> None:
        if self.return_focus is not None:
            self.return_focus.setFocus()
