"""A video task in the window: the player under the canvas, the timeline, and the frame and track commands.

The window asks `show` for every task it opens; for a video this opens the decoder (off the UI thread from then on:
widgets/video_player.py), turns the session's editor into a VideoEditor (tools/video_editor.py) on the frame last
seen, and switches the keymap to the video scope, where D steps a frame instead of a task and Space plays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QInputDialog, QSplitter, QVBoxLayout, QWidget

from core.annotation import Task
from core.media import MediaError
from core.video import VideoDecoder, VideoError
from desktop.jobs import Job, JobState
from inference.tracking import Propagation, track_object
from sync.client.media import MediaPending
from sync.client.video import video_index, video_source
from tools.video_editor import VideoEditor
from widgets.messages import translated
from widgets.timeline import Timeline, TimelineRow
from widgets.video_controls import VideoControls
from widgets.video_player import VideoPlayer

PROPAGATE_FRAMES = 50  # the propagate dialog's first offer, as CVAT's
TRACKER_CACHE_MB = 64  # the tracker's decoder reads forward once: a small cache does

if TYPE_CHECKING:
    from desktop.window_api import VideoWindow

translate = QCoreApplication.translate


class VideoController:
    """The player, its bar and the timeline of the open video task; idle (hidden) on image tasks."""

    def __init__(self, window: VideoWindow) -> None:
        self.window = window
        self.player = VideoPlayer(window.canvas)
        self.controls = VideoControls()
        self.timeline = Timeline()
        self.bar = QWidget()  # the player bar over the timeline, under the canvas; hidden on image tasks
        layout = QVBoxLayout(self.bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self.timeline, 1)
        self.view = QSplitter(Qt.Orientation.Vertical)  # the window's central widget: drag to give rows room
        self.view.addWidget(window.canvas)
        self.view.addWidget(self.bar)
        self.view.setStretchFactor(0, 1)
        self.view.setChildrenCollapsible(False)
        self.view.setSizes([700, 150])
        self.task: Task | None = None
        self.editor: VideoEditor | None = None
        self.last_frame: dict[int, int] = {}  # task id -> frame, to come back where one left a video
        self._fit = False
        self._show_bar(False)
        self.player.frame_shown.connect(self._frame_shown)
        self.player.frame_failed.connect(lambda n, why: window.statusBar().showMessage(
            translate("video", "Frame {0}: {1}").format(n, why), 6000))
        self.player.playing_changed.connect(self.controls.set_playing)
        self.controls.play_clicked.connect(self.player.toggle)
        self.controls.frame_entered.connect(self._frame_entered)
        self.controls.speed_chosen.connect(self.player.set_speed)
        self.controls.one_frame_toggled.connect(self._one_frame)
        self.timeline.scrubbed.connect(self._scrubbed)
        self.timeline.track_clicked.connect(self._track_clicked)

    @property
    def active(self) -> bool:
        return self.task is not None

    def show(self, task: Task, frame: int | None = None) -> bool:
        """Open a video task (after the session opened it); False when the task is no video, with the player idle."""
        session = self.window.session
        if task.kind != "video" or session is None or session.editor is None:
            self.leave()
            return False
        same = self.task is not None and self.task.id == task.id and self.player.decoder is not None
        kept = self.editor.selection if same and self.editor is not None else ()  # view ids: tracks, not rows
        if not same:
            self.leave()
            if not self._open(task):
                return True
        start = frame if frame is not None else self.last_frame.get(task.id, self.player.wanted if same else 0)
        start = min(max(start, 0), max(0, task.frames - 1))
        editor = VideoEditor.from_editor(session.editor, self.player.frames or task.frames, start)
        editor.select(kept)
        session.editor = self.editor = editor
        editor.subscribe(self._editor_changed)
        self.task = task
        self._rows()
        self.controls.one_frame.setChecked(editor.one_frame_shapes)
        self.player.seek(start)
        return True

    def leave(self) -> None:
        """Back to images: the decoder closed, the bar hidden, the keys of the image scope."""
        if self.task is not None and self.player.wanted >= 0:
            self.last_frame[self.task.id] = self.player.wanted
        self.player.close()
        self.task = self.editor = None
        self._show_bar(False)

    def wait_shown(self, timeout: float = 10.0) -> bool:
        return not self.active or self.player.wait_shown(timeout)

    def handlers(self) -> dict[str, Callable[[], object]]:
        p = self.player
        return {
            "frame.next": lambda: p.step(1), "frame.previous": lambda: p.step(-1),
            "frame.forward": lambda: p.step(10), "frame.back": lambda: p.step(-10),
            "frame.first": lambda: p.step(-p.frames), "frame.last": lambda: p.step(p.frames),
            "frame.goto": self.controls.focus_frame, "video.play": p.toggle,
            "video.faster": lambda: self.controls.set_speed(p.faster(1)),
            "video.slower": lambda: self.controls.set_speed(p.faster(-1)),
            "frame.next_annotated": lambda: self._annotated(1),
            "frame.previous_annotated": lambda: self._annotated(-1),
            "keyframe.next": lambda: self._keyframe(1), "keyframe.previous": lambda: self._keyframe(-1),
            "keyframe.toggle": lambda: self._track_command(VideoEditor.toggle_keyframe),
            "track.outside": lambda: self._track_command(VideoEditor.set_outside),
            "track.occluded": lambda: self._track_command(VideoEditor.toggle_occluded),
            "track.one_frame": lambda: self.controls.one_frame.toggle(),
            "track.split": lambda: self._track_command(VideoEditor.split_track),
            "track.merge": lambda: self._track_command(VideoEditor.merge_tracks),
            "track.propagate": self._propagate,
            "track.forward": lambda: self.track_object(1), "track.backward": lambda: self.track_object(-1),
            "video.next_task": lambda: self.window.go(1), "video.previous_task": lambda: self.window.go(-1),
        }  # fmt: skip

    def track_object(self, step: int) -> Job | None:
        """Follow the selected track's object from this frame (step +1 forward, -1 back) with a tracker on a worker,
        its own decoder beside the player's; the result arrives as one undo step of automatic keyframes."""
        editor, task, session = self.editor, self.task, self.window.session
        start = editor.track_start() if editor is not None else None
        if editor is None or task is None or session is None or start is None or self.player.index is None:
            return None
        track_id, shape, frame = start
        count = (self.player.frames - 1 - frame) if step > 0 else frame
        if count <= 0:
            self.window.statusBar().showMessage(translate("video", "No frames that way"), 3000)
            return None
        source, index = video_source(task, session.media_cache), self.player.index

        def run(state: JobState) -> Propagation:
            with VideoDecoder(source, index, cache_mb=TRACKER_CACHE_MB) as decoder:
                return track_object(decoder, shape, frame, count, step, state.cancelled, track_id=track_id,
                                    progress=state.set_progress)

        job = Job("Tracking", run, self.window.canvas)
        job.finished.connect(lambda result: self._tracked(task.id, track_id, result))
        job.failed.connect(lambda message: self.window.statusBar().showMessage(
            translate("video", "Tracking failed: {0}").format(message), 6000))
        self.window.progress.track(job)
        self.window.jobs.append(job)
        job.start()
        return job

    # --- internals ------------------------------------------------------------------------------------------------

    def _tracked(self, task_id: int, track_id: str, result: Propagation) -> None:
        if self.editor is None or self.task is None or self.task.id != task_id:
            return  # the user went on to another task: its result is dropped, nothing was stored
        if self.editor.take_tracked(track_id, result.track):
            self._rows()
        done = translate("video", "Tracked to frame {0}").format(result.last_frame)
        why = translated(result.message)
        self.window.statusBar().showMessage(f"{done}: {why}" if why else done, 6000)

    def _open(self, task: Task) -> bool:
        session = self.window.session
        assert session is not None
        canvas = self.window.canvas
        cache = session.media_cache
        try:
            index = video_index(session.reader, task, cache)  # stored by add, or by the sync round that downloaded it
            self.player.open(video_source(task, cache), index)
        except MediaPending as exc:
            canvas.show_message(f"{task.name}: {translated(exc.reason)}")
            return False
        except MediaError as exc:
            canvas.show_message(f"Cannot show {task.name}: {translated(exc.reason)}")
            return False
        except (VideoError, ValueError, OSError) as exc:
            canvas.show_message(f"Cannot show {task.name}: {translated(exc)}")
            return False
        self._fit = True
        self.controls.set_length(index.frames, index.fps)
        self.timeline.set_length(index.frames)
        self._show_bar(True)
        return True

    def _show_bar(self, shown: bool) -> None:
        self.bar.setVisible(shown)
        self.window.canvas.space_pans = not shown

    def _frame_shown(self, frame: int, image: np.ndarray) -> None:
        self.window.canvas.show_frame(image)
        if self._fit:  # the first frame of a video opened: the whole frame in view, as for an image
            self._fit = False
            self.window.canvas.fit_to_view()
        if self.editor is not None:
            self.editor.set_frame(frame)
        self._show_position(frame)

    def _show_position(self, frame: int) -> None:
        index = self.player.index
        seconds = index.time_s(frame) if index is not None else 0.0
        editor = self.editor
        track = editor.selected_track() if editor is not None else None
        note = ""
        if track is not None:
            key = track.keyframe_at(frame)
            keyed = (translate("VideoController", "◆ keyframe") if key is not None
                     else translate("VideoController", "◇ interpolated"))
            note = keyed if track.at(frame) else translate("VideoController", "outside")
        self.controls.show_frame(frame, seconds, note)
        self.timeline.set_playhead(frame)
        if self.task is not None:
            self.last_frame[self.task.id] = frame

    def _frame_entered(self, frame: int) -> None:
        self.player.pause()
        self.player.seek(frame)
        self.window.canvas.setFocus()

    def _scrubbed(self, frame: int) -> None:
        self.player.pause()
        self.player.seek(frame)

    def _track_clicked(self, track_id: str) -> None:
        if self.editor is not None:
            self.editor.current_track = track_id
            self.editor.select((track_id,) if track_id in self.editor.doc else ())
            self.timeline.set_selected(frozenset({track_id}))

    def _keyframe(self, step: int) -> None:
        frame = self.editor.keyframe_near(step) if self.editor is not None else None
        if frame is None:
            self.window.statusBar().showMessage(translate("VideoController", "No keyframe that way"), 3000)
            return
        self.player.pause()
        self.player.seek(frame)

    def _annotated(self, step: int) -> None:
        frame = self.editor.annotated_near(step) if self.editor is not None else None
        if frame is None:
            self.window.statusBar().showMessage(translate("video", "No annotated frame that way"), 3000)
            return
        self.player.pause()
        self.player.seek(frame)

    def _track_command(self, command: Callable[[VideoEditor], bool]) -> None:
        if self.editor is not None:
            command(self.editor)

    def _propagate(self) -> None:
        if self.editor is None or self.editor.selected_track() is None:
            self._track_command(VideoEditor.propagate)  # says what to select
            return
        left = self.player.frames - 1 - self.editor.frame
        count, ok = QInputDialog.getInt(self.window.canvas.window(), "Propagate",
                                        "Copy the shape onto the next frames:", min(PROPAGATE_FRAMES, left), 1,
                                        max(1, left))
        if ok:
            self.editor.propagate(count)

    def _one_frame(self, on: bool) -> None:
        if self.editor is not None:
            self.editor.one_frame_shapes = on

    def _editor_changed(self, what: str) -> None:
        editor = self.editor
        if editor is None:
            return
        if what == "tracks":
            self._rows()
        elif what == "selection":
            track = editor.selected_track()
            self.timeline.set_selected(frozenset({track.id}) if track is not None else frozenset())
            self._show_position(self.player.frame if self.player.frame >= 0 else 0)
        elif what == "refused" and editor.refusal:
            self.window.statusBar().showMessage(editor.refusal, 5000)

    def _rows(self) -> None:
        editor = self.editor
        if editor is None:
            return
        last = max(0, editor.frames - 1)
        rows = []
        for number, track in enumerate(editor.tracks, 1):
            label = editor.schema.get(track.label)
            end = track.span[1] if track.span[1] < last else last
            rows.append(TimelineRow(track.id, f"{number} {track.label}", label.color if label else "#9e9e9e",
                                    np.asarray(track.keyframe_frames, dtype=np.int64), track.outside_ranges(last),
                                    track.keyframe_frames[0], end))
        self.timeline.set_rows(rows)
        selected = editor.selected_track()
        self.timeline.set_selected(frozenset({selected.id}) if selected is not None else frozenset())
