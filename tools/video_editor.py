"""A video task's editor: the tools edit the shapes of the current frame, and every edit becomes row edits on tracks.

`doc` is the frame view, what the canvas shows on the current frame: each track alive there, under its track id
(its keyframe's shape, or the shape interpolated between two keyframes), the one-frame shapes of that frame and the
video's tags. So the tools, the hit index, the shape list and the attribute editor work as they do on an image.
`rows` holds the task's stored annotations (a track is one row per keyframe, core/tracks/rows.py).

An edit is tried on a copy of the frame view; the difference is turned into row edits (a moved or reshaped track
shape sets a keyframe on this frame, a deleted track shape deletes the track, a drawn shape starts a track) and those
are ONE undo step on `rows`, handed to `on_commit` at once like any image edit. Qt-free.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from core.annotation import Annotation, new_id
from core.document import AnnotationDoc, Change, ChangeOp, Command
from core.schema import LabelSchema
from core.shapes import Shape
from core.tracks import Keyframe, RowEdits, Track, TrackError, TrackSet, row_edits, track_from_rows
from tools.editor import Editor

_VIEW_ONLY = ("hidden", "locked", "z")  # row fields a track keeps the same on every keyframe row


class VideoEditor(Editor):
    """An Editor whose document is one frame of a video; see the module docstring."""

    def __init__(self, rows: AnnotationDoc, schema: LabelSchema, *, frames: int, frame: int = 0,
                 **kwargs: Any) -> None:
        self.rows = rows
        self.schema = schema
        self.frames = max(1, frames)
        self.frame = min(max(frame, 0), self.frames - 1)
        self.one_frame_shapes = False  # draw shapes on this frame only instead of starting tracks
        self.tracks = TrackSet()
        self.problems: dict[str, str] = {}  # track id -> why its rows are not one track (left out)
        self.refusal = ""  # why the last edit was refused (the app shows it)
        self.current_track: str | None = None  # the last track selected: keyframe keys act on it
        self.last_changed_tracks: frozenset[str] = frozenset()
        self._keyframes_shown: set[str] = set()  # view ids that are on a keyframe of their track this frame
        self._by_track: dict[str, dict[int, Annotation]] = {}
        self._loose: dict[int | None, dict[str, Annotation]] = {}
        self._where: dict[str, tuple[str | None, int | None]] = {}  # row id -> (track, frame)
        for row in rows:
            self._index_row(row)
        for track_id in list(self._by_track):
            self._rebuild_track(track_id)
        super().__init__(AnnotationDoc(rows.task_id, self._frame_view()), schema, **kwargs)

    @classmethod
    def from_editor(cls, editor: Editor, frames: int, frame: int = 0) -> VideoEditor:
        """The same task's editor turned video: the app's session builds plain editors (desktop/session.py)."""
        video = cls(editor.doc, editor.schema, author=editor.author, image_size=editor.image_size,
                    on_commit=editor._on_commit, clipboard=editor.clipboard, frames=frames, frame=frame)
        video.set_tool(editor.tool)
        if editor.current_label and editor.schema.get(editor.current_label):
            video.set_label(editor.current_label)
        video.hidden_labels, video.locked_labels = editor.hidden_labels, editor.locked_labels
        video.all_hidden, video.brush_size, video.score_threshold = (editor.all_hidden, editor.brush_size,
                                                                     editor.score_threshold)
        return video

    @property
    def stored(self) -> AnnotationDoc:
        return self.rows

    # --- frames ---------------------------------------------------------------------------------------------------

    def set_frame(self, frame: int) -> None:
        """Show another frame: the view's shapes change (a drag in progress is dropped, it belongs to the old one)."""
        frame = min(max(frame, 0), self.frames - 1)
        if frame == self.frame:
            return
        self._tool.interrupt()
        self.frame = frame
        self._refresh_view()
        self.select(self._selection)
        self._notify("doc")
        self._refresh_overlay()

    def is_keyframe(self, annotation_id: str) -> bool | None:
        """True: a track's keyframe on this frame; False: a track's interpolated (or held) shape; None: no track's."""
        if annotation_id not in self.tracks:
            return None
        return annotation_id in self._keyframes_shown

    def selected_track(self) -> Track | None:
        tracks = [i for i in self._selection if i in self.tracks]
        track_id = tracks[-1] if tracks else self.current_track
        return self.tracks.get(track_id) if track_id else None

    def keyframe_near(self, step: int) -> int | None:
        """The frame of the next (step > 0) or previous keyframe of the selected track, else of any track."""
        track = self.selected_track()
        candidates = [track] if track is not None else list(self.tracks)
        found = [k.frame for t in candidates
                 if (k := t.next_keyframe(self.frame) if step > 0 else t.previous_keyframe(self.frame)) is not None]
        if not found:
            return None
        return min(found) if step > 0 else max(found)

    def annotated_near(self, step: int) -> int | None:
        """The next (step > 0) or previous frame that holds something set by hand or model: any track's keyframe or
        a one-frame shape."""
        found = [f for f in self._loose if f is not None and self._loose[f] and (f > self.frame if step > 0
                                                                                 else f < self.frame)]
        for track in self.tracks:
            k = track.next_keyframe(self.frame) if step > 0 else track.previous_keyframe(self.frame)
            if k is not None:
                found.append(k.frame)
        if not found:
            return None
        return min(found) if step > 0 else max(found)

    # --- track commands -------------------------------------------------------------------------------------------

    def toggle_keyframe(self) -> bool:
        """K: make the selected track's shape here a keyframe, or remove the keyframe here (one undo step)."""
        track = self._track_here("Toggle keyframe")
        if track is None:
            return False
        if track.keyframe_at(self.frame) is not None:
            try:
                changed = track.without_keyframe(self.frame)
            except TrackError:
                return self._refuse("This is the track's only keyframe: delete the track instead")
            return self._edit_track(track, changed, "Remove keyframe")
        state = track.at(self.frame)
        if state is None:
            return self._refuse("The track is outside on this frame")
        keyframe = Keyframe(self.frame, state.shape, occluded=state.occluded, attributes=state.attributes)
        return self._edit_track(track, track.with_keyframe(keyframe), "Set keyframe")

    def set_outside(self) -> bool:
        """The selected track leaves the view from this frame on (an outside keyframe here; one undo step)."""
        track = self._track_here("Outside")
        if track is None:
            return False
        state = track.at(self.frame, with_outside=True)
        if state is None:
            return self._refuse("The track has not started on this frame")
        keyframe = Keyframe(self.frame, state.shape, outside=True, occluded=state.occluded, attributes=state.attributes)
        return self._edit_track(track, track.with_keyframe(keyframe), "Outside from here")

    def split_track(self) -> bool:
        """The selected track in two at this frame: the old one goes outside here, a new one goes on (one step)."""
        track = self._track_here("Split")
        if track is None:
            return False
        try:
            head, tail = track.split(self.frame)
        except TrackError as exc:
            return self._refuse(str(exc))
        return self._edit_tracks([(track, head), (None, tail)], "Split track")

    def merge_tracks(self) -> bool:
        """The selected tracks as one: the first selected keeps its id and, where both have a keyframe, its own."""
        chosen = [self.tracks.get(i) for i in self._selection if i in self.tracks]
        tracks = [t for t in chosen if t is not None]
        if len(tracks) < 2:
            return self._refuse("Merge: select two or more tracks (Ctrl+click)")
        merged = tracks[0]
        try:
            for other in tracks[1:]:
                merged = merged.merge(other)
        except TrackError as exc:
            return self._refuse(str(exc))
        return self._edit_tracks([(tracks[0], merged), *((t, None) for t in tracks[1:])], "Merge tracks")

    def propagate(self, count: int) -> bool:
        """The selected track's shape here copied as keyframes onto the next `count` frames (CVAT's propagate)."""
        track = self._track_here("Propagate")
        if track is None:
            return False
        count = min(count, self.frames - 1 - self.frame)
        if count <= 0:
            return self._refuse("Propagate: this is the last frame")
        try:
            changed = track.propagated(self.frame, count)
        except TrackError as exc:
            return self._refuse(str(exc))
        return self._edit_track(track, changed, "Propagate")

    def track_start(self) -> tuple[str, Shape, int] | None:
        """What a tracker starts from: the selected track's id, its shape on this frame, and this frame."""
        track = self._track_here("Track")
        if track is None:
            return None
        state = track.at(self.frame)
        if state is None:
            self._refuse("Track: the track is outside on this frame")
            return None
        return track.id, state.shape, self.frame

    def take_tracked(self, track_id: str, tracked: Track) -> bool:
        """A tracker's keyframes (all but its first, the start shape) into the track, replacing the keyframes in the
        range it covered: one undo step."""
        track = self.tracks.get(track_id)
        if track is None or len(tracked.keyframes) < 2:
            return False
        frames = tracked.keyframe_frames[1:]
        first, last = min(frames), max(frames)
        kept = [k for k in track.keyframes if not first <= k.frame <= last]
        merged = dataclasses.replace(track, keyframes=(*kept, *tracked.keyframes[1:]))
        return self._edit_track(track, merged, "Track object")

    def toggle_occluded(self) -> bool:
        """The selected track is (or is no longer) hidden behind something from this frame: a keyframe here."""
        track = self._track_here("Occluded")
        state = track.at(self.frame) if track is not None else None
        if track is None or state is None:
            return False
        keyframe = Keyframe(self.frame, state.shape, occluded=not state.occluded, attributes=state.attributes)
        return self._edit_track(track, track.with_keyframe(keyframe), "Toggle occluded")

    # --- edits: the frame view's change as row edits -------------------------------------------------------------

    def execute(self, command: Command, merge_key: object | None = None) -> None:
        self._tool.interrupt()
        self.refusal = ""
        trial = AnnotationDoc(self.doc.task_id, self.doc)
        command.apply(trial)
        try:
            edits = self._row_edits(trial)
        except TrackError as exc:
            self._refuse(str(exc))
            self._notify("doc")  # the views drop the tool's preview and show the stored shapes again
            return
        if edits:
            self._stack.execute(self.rows, edits.command(command.description), merge_key)
            self._committed()

    def undo(self) -> str | None:
        self._tool.interrupt()
        description = self._stack.undo(self.rows)
        if description is not None:
            self._committed()
        return description

    def redo(self) -> str | None:
        self._tool.interrupt()
        description = self._stack.redo(self.rows)
        if description is not None:
            self._committed()
        return description

    def select(self, ids: Iterable[str]) -> None:
        super().select(ids)
        tracks = [i for i in self._selection if i in self.tracks]
        if tracks:
            self.current_track = tracks[-1]

    def _row_edits(self, trial: AnnotationDoc) -> RowEdits:
        before = {a.id: a for a in self.doc}
        after = {a.id: a for a in trial}
        edits = RowEdits()
        for gone in before.keys() - after.keys():
            if gone in self._by_track:
                edits.deleted += [row.id for row in self._by_track[gone].values()]  # Delete removes the whole track
            else:
                edits.deleted.append(gone)
        for view_id, new in after.items():
            old = before.get(view_id)
            if old is None:
                edits.added.append(self._new_row(new))
            elif dataclasses.replace(new, revision=old.revision) != old:
                if view_id in self.tracks:
                    edits.extend(self._track_edits(old, new))
                else:
                    edits.updated.append(dataclasses.replace(new, frame=old.frame, track=None))
        return edits

    def _new_row(self, a: Annotation) -> Annotation:
        """A shape added on this frame: a tag is the video's, a shape starts a track (or stays on this frame)."""
        if a.kind == "tag":
            return dataclasses.replace(a, frame=None, track=None, outside=False)
        if self.one_frame_shapes:
            return dataclasses.replace(a, frame=self.frame, track=None, outside=False)
        return dataclasses.replace(a, id=new_id(), frame=self.frame, track=a.id, outside=False)

    def _track_edits(self, old: Annotation, new: Annotation) -> RowEdits:
        track = self.tracks.get(old.id)
        assert track is not None
        per_track = self.schema.track_attributes(new.label)
        own = {k: v for k, v in new.attributes.items() if k in per_track}
        per_frame = {k: v for k, v in new.attributes.items() if k not in per_track}
        changed = dataclasses.replace(track, label=new.label, group=new.group, source=new.source,
                                      attributes=own or dict(track.attributes))
        old_frame = {k: v for k, v in old.attributes.items() if k not in per_track}
        if new.shape != old.shape or new.occluded != old.occluded or per_frame != old_frame:
            changed = changed.with_keyframe(Keyframe(self.frame, new.shape, occluded=new.occluded,
                                                     attributes=per_frame))
        edits = row_edits(self.rows.task_id, self._by_track[old.id].values(), changed, self.author)
        view_only = {name: getattr(new, name) for name in _VIEW_ONLY}
        if view_only != {name: getattr(old, name) for name in _VIEW_ONLY}:
            touched = {row.id for row in edits.updated}
            edits.updated += [row for row in self._by_track[old.id].values() if row.id not in touched]
            edits.updated = [dataclasses.replace(row, **view_only) for row in edits.updated]
            edits.added = [dataclasses.replace(row, **view_only) for row in edits.added]
        return edits

    def _track_here(self, what: str) -> Track | None:
        track = self.selected_track()
        if track is None:
            self._refuse(f"{what}: select a track first")
        return track

    def _edit_track(self, old: Track, new: Track, description: str) -> bool:
        return self._edit_tracks([(old, new)], description)

    def _edit_tracks(self, changes: list[tuple[Track | None, Track | None]], description: str) -> bool:
        """Tracks changed (old, new), added (None, new) or deleted (old, None) as one undo step."""
        edits = RowEdits()
        for old, new in changes:
            stored = self._by_track[old.id].values() if old is not None else ()
            edits.extend(row_edits(self.rows.task_id, stored, new, self.author))
        if not edits:
            return False
        self._tool.interrupt()
        self._stack.execute(self.rows, edits.command(description))
        self._committed()
        return True

    def _refuse(self, reason: str) -> bool:
        self.refusal = reason
        self._notify("refused")
        return False

    def _committed(self) -> None:
        changes = self.rows.take_changes()
        self._absorb(changes)
        self._refresh_view()
        self.select(self._selection)
        if changes and self._on_commit is not None:
            self._on_commit(changes)
        self._notify("doc")
        if self.last_changed_tracks:
            self._notify("tracks")
        self._refresh_overlay()

    # --- rows, tracks and the frame view --------------------------------------------------------------------------

    def _index_row(self, row: Annotation) -> None:
        if row.track is not None and row.frame is not None:
            self._by_track.setdefault(row.track, {})[row.frame] = row
        else:
            self._loose.setdefault(row.frame, {})[row.id] = row
        self._where[row.id] = (row.track if row.frame is not None else None, row.frame)

    def _unindex_row(self, row_id: str) -> str | None:
        where = self._where.pop(row_id, None)
        if where is None:
            return None
        track_id, frame = where
        if track_id is not None and frame is not None:
            rows = self._by_track.get(track_id, {})
            if frame in rows and rows[frame].id == row_id:
                del rows[frame]
            return track_id
        self._loose.get(frame, {}).pop(row_id, None)
        return None

    def _absorb(self, changes: list[Change]) -> None:
        touched: set[str] = set()
        for change in changes:
            row = change.annotation
            old_track = self._unindex_row(row.id)
            if old_track is not None:
                touched.add(old_track)
            if change.op is ChangeOp.UPSERT:
                self._index_row(row)
                if row.track is not None and row.frame is not None:
                    touched.add(row.track)
        for track_id in touched:
            self._rebuild_track(track_id)
        self.last_changed_tracks = frozenset(touched)

    def _rebuild_track(self, track_id: str) -> None:
        rows = self._by_track.get(track_id)
        self.problems.pop(track_id, None)
        if not rows:
            self._by_track.pop(track_id, None)
            self.tracks.remove(track_id)
            return
        try:
            self.tracks.put(track_from_rows(sorted(rows.values(), key=lambda r: r.frame or 0),
                                            self.schema.track_attributes))
        except TrackError as exc:
            self.tracks.remove(track_id)
            self.problems[track_id] = str(exc)

    def _frame_view(self) -> list[Annotation]:
        frame = self.frame
        view: list[Annotation] = []
        self._keyframes_shown = set()
        for track, state in self.tracks.shapes_at(frame):
            rows = self._by_track[track.id]
            frames = track.keyframe_frames  # sorted: the keyframe at or before `frame` by bisection, not a scan
            base = rows.get(frame) or rows[frames[bisect_right(frames, frame) - 1]]
            if state.keyframe:
                self._keyframes_shown.add(track.id)
            # Built field by field, not by dataclasses.replace: this runs for every track on every frame shown.
            view.append(Annotation(
                id=track.id, task_id=base.task_id, label=track.label, shape=state.shape,
                attributes={**state.attributes, **track.attributes}, author=base.author, source=track.source,
                revision=base.revision, group=base.group, z=base.z, hidden=base.hidden, locked=base.locked,
                frame=base.frame, track=base.track, occluded=state.occluded))
        view += self._loose.get(frame, {}).values()
        view += self._loose.get(None, {}).values()
        return view

    def _refresh_view(self) -> None:
        """Bring `doc` to the current frame's view, touching only what differs (the hit index follows it)."""
        wanted = {a.id: a for a in self._frame_view()}
        changed = [i for i in self.doc.ids() if i not in wanted]
        for gone in changed:
            self.doc.remove(gone)
        for view_id, a in wanted.items():
            if view_id not in self.doc:
                self.doc.put(a)
                changed.append(view_id)
                continue
            if _differs(a, self.doc.get(view_id)):
                self.doc.put(a)
                changed.append(view_id)
        self.doc.take_changes()  # the view is not stored: the rows are
        self.last_changed_ids = frozenset(changed)


_COMPARED = ("shape", "occluded", "label", "attributes", "source", "hidden", "locked", "z", "group", "frame", "track",
             "outside", "author")


def _differs(a: Annotation, b: Annotation) -> bool:
    """Whether two values of one view id look different (cheaper than a dataclass copy and compare: per frame)."""
    return a.shape != b.shape or any(getattr(a, name) != getattr(b, name) for name in _COMPARED[1:])
