"""An audio task in the window: the waveform view with its tier lanes, the playback, and the segment commands.

The window asks `show` for every task it opens; for a recording this turns the session's editor into an AudioEditor
(tools/audio_editor.py), draws the stored peaks pyramid at once (or decodes it on a worker, the view filling in as
it goes, for a synced recording opened before its pyramid was built), and switches the keymap to the audio scope,
where Space plays, digits label the dragged range and Left/Right move the playhead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.annotation import Task
from core.audio import PeaksPyramid, stream_peaks
from core.audio.spectrogram import SpectrogramSettings
from core.media import MediaError
from desktop.jobs import Job, JobState
from sync.client.audio import audio_source
from sync.client.media import MediaPending
from tools.audio_editor import AudioEditor, time_span
from widgets.audio_controls import AudioControls
from widgets.audio_playback import AudioPlayback
from widgets.messages import translated
from widgets.sample_reader import SampleReader
from widgets.spectrogram_layer import SpectrogramLayer
from widgets.waveform import DISPLAYS, WaveformView

if TYPE_CHECKING:
    from desktop.settings import Settings
    from desktop.window_api import AudioWindow

STEP_S, FAR_S = 1.0, 10.0  # Left/Right and Shift+Left/Right move the playhead this far


translate = QCoreApplication.translate


class _Snapshots(QObject):
    """Carries the decoder's snapshots from its worker to the UI thread (a queued signal)."""

    arrived = Signal(object)  # PeaksPyramid


class AudioController:
    """The waveform, its bar and the playback of the open recording; idle on other tasks."""

    def __init__(self, window: AudioWindow) -> None:
        self.window = window
        self.waveform = WaveformView()
        self.controls = AudioControls()
        self.controls.return_focus = self.waveform
        self.playback = AudioPlayback(self.waveform)
        self.view = QWidget()  # the window shows it instead of the canvas on audio tasks
        layout = QVBoxLayout(self.view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.waveform, 1)
        layout.addWidget(self.controls)
        self.task: Task | None = None
        self.editor: AudioEditor | None = None
        self.last_time: dict[int, float] = {}  # task id -> playhead, to come back where one left a recording
        self._samples: SampleReader | None = None
        self._pyramid_job: Job | None = None
        self.waveform.seek_requested.connect(self.seek)
        self.waveform.text_requested.connect(self._edit_text)
        self.waveform.refused.connect(lambda why: self._say(why))
        self.controls.play_clicked.connect(self.toggle)
        self.controls.speed_chosen.connect(self.playback.set_speed)
        self._restore_display(window.settings)
        self.controls.display_chosen.connect(self._display)
        self.controls.scale_chosen.connect(self._scale)
        self.controls.text_edited.connect(self._text_edited)
        self.playback.position_changed.connect(self._position)
        self.playback.playing_changed.connect(self.controls.set_playing)
        self.playback.no_device.connect(lambda message: self._say(message, 8000))
        self.playback.error.connect(lambda message: self._say(message, 8000))

    @property
    def active(self) -> bool:
        return self.task is not None

    @property
    def position(self) -> float:
        return self.waveform.playhead

    def show(self, task: Task, time: float | None = None) -> bool:
        """Open an audio task (after the session opened it); False when the task is no recording."""
        session = self.window.session
        if task.kind != "audio" or session is None or session.editor is None:
            self.leave()
            return False
        opened = self.waveform.pyramid is not None or self._pyramid_job is not None  # not while waiting for sync
        same = self.task is not None and self.task.id == task.id and opened
        kept = self.editor.selection if same and self.editor is not None else ()
        if not same:
            self.leave()
            self.task = task
            self._open(task)
        duration = self.waveform.axis.duration
        editor = AudioEditor.from_editor(session.editor, duration)
        if same and self.editor is not None:
            editor.tier, editor.time_selection = self.editor.tier, self.editor.time_selection
        editor.select(kept)
        session.editor = self.editor = editor
        editor.subscribe(self._editor_changed)
        self.waveform.set_editor(editor)
        self.controls.show_tier(editor.tier)
        self._editor_changed("selection")
        start = time if time is not None else None if same else self.last_time.get(task.id)
        if start is not None:
            self.seek(start)
        return True

    def leave(self) -> None:
        """Away from audio: playback and readers closed, the view emptied."""
        if self.task is not None:
            self.last_time[self.task.id] = self.position
        self.playback.close()
        if self._samples is not None:
            self._samples.close()
            self._samples = None
        if self.waveform.spectrogram is not None:
            self.waveform.spectrogram.close()
            self.waveform.spectrogram = None
        if self._pyramid_job is not None:
            self._pyramid_job.cancel()
            self._pyramid_job = None
        self.task = self.editor = None
        self.waveform.set_editor(None)
        self.waveform.set_recording(0.0, None, None)

    def seek(self, t: float) -> None:
        t = min(max(t, 0.0), self.waveform.axis.duration)
        self.playback.seek(t)
        self._position(t)

    def toggle(self) -> None:
        self.playback.toggle()

    def play_selection(self) -> None:
        """Shift+Space: the dragged range, else the selected segment, once (or looped with Loop on)."""
        span = self._span()
        if span is None:
            self._say(translate("AudioController", "Select a time range or a segment to play it"))
            return
        self.playback.play(span[0], span[1], loop=self.controls.loop.isChecked())

    def handlers(self) -> dict[str, Callable[[], object]]:
        w = self.waveform
        return {
            "audio.play": self.toggle, "audio.play_selection": self.play_selection,
            "audio.loop": self.controls.loop.toggle,
            "audio.faster": lambda: self._speed(1), "audio.slower": lambda: self._speed(-1),
            "audio.region": lambda: self._edit(lambda e: e.segment_from_selection()),
            "audio.mark": lambda: self._edit(lambda e: e.mark(self.position)),
            "audio.split": lambda: self._edit(self._split),
            "audio.merge": lambda: self._edit(lambda e: e.merge()),
            "audio.next_segment": lambda: self._jump(1), "audio.previous_segment": lambda: self._jump(-1),
            "audio.forward": lambda: self.seek(self.position + STEP_S),
            "audio.back": lambda: self.seek(self.position - STEP_S),
            "audio.forward_far": lambda: self.seek(self.position + FAR_S),
            "audio.back_far": lambda: self.seek(self.position - FAR_S),
            "audio.start": lambda: self.seek(0.0), "audio.end": lambda: self.seek(w.axis.duration),
            "audio.zoom_selection": self._zoom_selection,
            "audio.next_tier": lambda: self._edit(lambda e: e.step_tier(1)),
            "audio.previous_tier": lambda: self._edit(lambda e: e.step_tier(-1)),
            "audio.text": self._edit_selected_text,
            "audio.display": self._next_display,
        }  # fmt: skip

    def view_call(self, name: str) -> bool:
        """The window's zoom keys on the waveform: "fit", "zoom_in", "zoom_out"; False when no recording is open."""
        if not self.active:
            return False
        if name == "fit":
            self.waveform.fit()
        else:
            self.waveform.zoom(2.0 if name == "zoom_in" else 0.5)
        return True

    # --- internals ------------------------------------------------------------------------------------------------

    def _open(self, task: Task) -> None:
        session = self.window.session
        assert session is not None
        cache = session.media_cache
        try:
            audio_source(task, cache)  # pending or locked: say so now, not from a worker
        except MediaPending as exc:
            self.waveform.set_recording(0.0, None, None)
            self.waveform.show_message(f"{task.name}: {translated(exc.reason)}")
            return
        except MediaError as exc:
            self.waveform.set_recording(0.0, None, None)
            self.waveform.show_message(
                translate("AudioController", "Cannot play {0}: {1}").format(task.name, translated(exc.reason)))
            return
        data = session.reader.audio_peaks(task.content_hash) if task.content_hash else None
        if data is None:
            self._build_pyramid(task)
            return
        self._recording(task, PeaksPyramid.from_bytes(data))

    def _recording(self, task: Task, pyramid: PeaksPyramid) -> None:
        session = self.window.session
        assert session is not None
        cache = session.media_cache

        def opener() -> object:
            return audio_source(task, cache)

        self._samples = SampleReader(opener, pyramid.sample_rate, self.waveform)
        self._samples.failed.connect(lambda message: self._say(message, 6000))
        duration = task.frames / pyramid.sample_rate if task.frames else pyramid.duration_s  # a snapshot is shorter
        scale = self.controls.scale.currentData()
        layer = SpectrogramLayer(opener, pyramid.sample_rate, pyramid.channels, duration,
                                 SpectrogramSettings(scale=scale), parent=self.waveform)
        layer.changed.connect(self.waveform.update)
        layer.failed.connect(lambda message: self._say(message, 6000))
        self.waveform.set_recording(duration, pyramid, self._samples)
        self.waveform.spectrogram = layer
        self.playback.open(opener, pyramid.sample_rate, pyramid.channels, duration)
        self.controls.show_time(0.0, duration)
        if self.editor is not None:
            self.editor.duration_s = duration

    def _build_pyramid(self, task: Task) -> None:
        """A synced recording whose pyramid is not stored yet: decoded on a worker, the view drawing each snapshot
        of the decoded part as it comes (the first within ~25 ms), then stored through the session's writer."""
        session = self.window.session
        assert session is not None
        cache = session.media_cache
        self.waveform.set_recording(0.0, None, None)
        self.waveform.show_message(translate("AudioController", "Reading {0}…").format(task.name))
        snapshots = _Snapshots(self.waveform)
        snapshots.arrived.connect(lambda pyramid: self._snapshot(task, pyramid))

        def run(state: JobState) -> PeaksPyramid:
            def progress(fraction: float) -> None:
                state.set_progress(int(fraction * 1000), 1000)

            last = None
            for last in stream_peaks(audio_source(task, cache), progress=progress, cancel=state.cancelled):
                snapshots.arrived.emit(last)
            assert last is not None  # stream_peaks ends with the complete pyramid, or raises
            return last

        job = Job(translate("AudioController", "Reading {0}").format(task.name), run, self.waveform)
        job.finished.connect(lambda pyramid: self._pyramid_built(task, pyramid))
        job.failed.connect(lambda message: self.waveform.show_message(
            translate("AudioController", "Cannot play {0}: {1}").format(task.name, message)))
        self.window.progress.track(job)
        self.window.jobs.append(job)
        self._pyramid_job = job
        job.start()

    def _snapshot(self, task: Task, pyramid: PeaksPyramid) -> None:
        if self.task is None or self.task.id != task.id:
            return
        if self.waveform.pyramid is None:
            self._recording(task, pyramid)
        else:
            self.waveform.set_pyramid(pyramid)

    def _pyramid_built(self, task: Task, pyramid: PeaksPyramid) -> None:
        self._pyramid_job = None
        session = self.window.session
        if session is not None and task.content_hash:
            session.writer.call(session.writer_ws.store_audio_peaks, task.content_hash, pyramid.sample_rate,
                                pyramid.channels, pyramid.samples, pyramid.to_bytes())
        self._snapshot(task, pyramid)

    def _position(self, t: float) -> None:
        self.waveform.set_playhead(t, follow=self.playback.playing)
        self.controls.show_time(t, self.waveform.axis.duration)

    def _editor_changed(self, topic: str) -> None:
        editor = self.editor
        if editor is None:
            return
        if topic in ("selection", "doc"):
            chosen = [editor.doc.get(i) for i in editor.selection]
            self.controls.show_segment(chosen[0] if len(chosen) == 1 else None)
        if topic == "tool":
            self.controls.show_tier(editor.tier)

    def _edit(self, command: Callable[[AudioEditor], object]) -> None:
        if self.editor is not None:
            command(self.editor)
            self.waveform.update()

    def _split(self, editor: AudioEditor) -> None:
        """S: the selected segment, else the one under the playhead on the current tier, cut at the playhead."""
        t = self.position
        chosen = [editor.doc.get(i) for i in editor.selection]
        under = [a for a in editor.on_tier(editor.tier) if time_span(a)[0] < t < time_span(a)[1]]
        target = chosen[0] if len(chosen) == 1 else under[0] if under else None
        if target is None:
            self._say(translate("AudioController", "Split: put the playhead inside a segment"))
            return
        editor.split(target.id, t)

    def _jump(self, step: int) -> None:
        """Tab / Alt+arrows: select the next or previous segment of the current tier and move the playhead to it."""
        if self.editor is None:
            return
        found = self.editor.neighbour(self.position, step)
        if found is None:
            self._say(translate("AudioController", "No more segments on this tier"), 2000)
            return
        self.editor.select((found.id,))
        self.seek(time_span(found)[0])
        self.waveform.axis.follow(time_span(found)[0])

    def _zoom_selection(self) -> None:
        span = self._span()
        if span is not None:
            self.waveform.axis.show(*span)
            self.waveform.update()

    def _span(self) -> tuple[float, float] | None:
        editor = self.editor
        if editor is None:
            return None
        if editor.time_selection is not None:
            return editor.time_selection
        chosen = [editor.doc.get(i) for i in editor.selection]
        return time_span(chosen[0]) if len(chosen) == 1 else None

    def _speed(self, step: int) -> None:
        speeds = self.controls.speed
        index = min(max(speeds.currentIndex() + step, 0), speeds.count() - 1)
        speeds.setCurrentIndex(index)

    def _restore_display(self, settings: Settings) -> None:
        display = settings.audio_display if settings.audio_display in DISPLAYS else DISPLAYS[0]
        self.waveform.set_display(display)
        self.controls.set_display(display)
        self.controls.set_scale(settings.spectrogram_scale)

    def _next_display(self) -> None:
        display = DISPLAYS[(DISPLAYS.index(self.waveform.display) + 1) % len(DISPLAYS)]
        self.controls.set_display(display)
        self._display(display)

    def _display(self, display: str) -> None:
        self.waveform.set_display(display)
        self.window.settings.audio_display = display

    def _scale(self, scale: str) -> None:
        self.window.settings.spectrogram_scale = scale
        layer = self.waveform.spectrogram
        if layer is not None:
            layer.set_settings(dataclasses.replace(layer.settings, scale=scale))

    def _edit_text(self, annotation_id: str) -> None:
        if self.editor is not None:
            self.editor.select((annotation_id,))
            self.controls.edit_text()

    def _edit_selected_text(self) -> None:
        if self.editor is not None and len(self.editor.selection) == 1:
            self.controls.edit_text()

    def _text_edited(self, annotation_id: str, text: str) -> None:
        if self.editor is not None and annotation_id in self.editor.doc:
            self.editor.set_text(annotation_id, text)

    def _say(self, message: str, ms: int = 4000) -> None:
        self.window.statusBar().showMessage(message, ms)
