"""Tracks as the workspace stores them: one annotation row per keyframe, tied by its track id.

Storing keyframes as rows is what lets sync merge two annotators' edits of different keyframes (docs/sync.md); this
module turns rows into `Track` values for the player and the formats, and a changed track back into the row edits
that make it, keeping each surviving keyframe's row id so that an edit is an update, never a delete and re-add.

Per-track attribute values (the schema's non-`mutable` ones) are written on every keyframe row and read from the
first; per-frame values live on their keyframe's row only. A keyframe made by a tracker (`auto`) on a person's track
is a row whose source is the model `AUTO`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.annotation import Annotation, Source, SourceKind, new_id
from core.document import AddAnnotations, Batch, Command, DeleteAnnotations, UpdateAnnotations
from core.tracks.checks import TrackError
from core.tracks.track import Keyframe, Track

AUTO = "tracker"  # model_id of the keyframes a tracker set on a person's track
AUTO_SOURCE = Source(SourceKind.MODEL, None, AUTO)

# The names of a label's per-track (not mutable) attributes; the schema gives them (Schema.track_attributes).
TrackAttributes = Callable[[str], frozenset[str]]


def _all_per_frame(label: str) -> frozenset[str]:
    return frozenset()


@dataclass
class RowEdits:
    """The row changes that turn the stored keyframes of a track into a new state."""

    added: list[Annotation] = field(default_factory=list)
    updated: list[Annotation] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # annotation ids

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def command(self, description: str) -> Command:
        """The edits as one undo step on a task's AnnotationDoc."""
        return Batch((DeleteAnnotations(tuple(self.deleted), description), UpdateAnnotations(tuple(self.updated),
                      description), AddAnnotations(tuple(self.added), description)), description)

    def extend(self, other: RowEdits) -> None:
        self.added += other.added
        self.updated += other.updated
        self.deleted += other.deleted


def split_rows(rows: Iterable[Annotation]) -> tuple[dict[str, list[Annotation]], list[Annotation]]:
    """Rows by track id (each list sorted by frame), and the rows that are no track's (images, one-frame shapes)."""
    tracks: dict[str, list[Annotation]] = defaultdict(list)
    loose = []
    for row in rows:
        if row.track is None or row.frame is None:
            loose.append(row)
        else:
            tracks[row.track].append(row)
    for keyframes in tracks.values():
        keyframes.sort(key=lambda r: r.frame or 0)
    return dict(tracks), loose


def track_from_rows(rows: list[Annotation], per_track: TrackAttributes = _all_per_frame) -> Track:
    """The track of one track id's rows; TrackError when they cannot be one track (kinds or frames that clash)."""
    first = min(rows, key=lambda r: r.frame or 0)
    own = per_track(first.label)
    track_source = next((r.source for r in rows if r.source != AUTO_SOURCE), first.source)
    keyframes = [
        Keyframe(
            frame=row.frame or 0,
            shape=row.shape,
            outside=row.outside,
            occluded=row.occluded,
            auto=row.source == AUTO_SOURCE and track_source != AUTO_SOURCE,
            attributes={k: v for k, v in row.attributes.items() if k not in own},
        )
        for row in rows
    ]
    attributes = {k: v for k, v in first.attributes.items() if k in own}
    return Track(first.track or "", first.label, tuple(keyframes), attributes, track_source, first.group)


def tracks_from_rows(
    rows: Iterable[Annotation], per_track: TrackAttributes = _all_per_frame
) -> tuple[list[Track], list[Annotation], list[str]]:
    """Every track among `rows`, the rows that are no track's, and one message per track that could not be read."""
    by_track, loose = split_rows(rows)
    tracks, problems = [], []
    for track_id, keyframe_rows in by_track.items():
        try:
            tracks.append(track_from_rows(keyframe_rows, per_track))
        except TrackError as exc:
            problems.append(f"track {track_id}: {exc}")
    return tracks, loose, problems


def _row_values(track: Track, keyframe: Keyframe) -> dict[str, Any]:
    return {
        "label": track.label,
        "shape": keyframe.shape,
        "attributes": {**keyframe.attributes, **track.attributes},
        "source": AUTO_SOURCE if keyframe.auto else track.source,
        "group": track.group,
        "frame": keyframe.frame,
        "track": track.id,
        "outside": keyframe.outside,
        "occluded": keyframe.occluded,
    }


def row_edits(task_id: int, old_rows: Iterable[Annotation], track: Track | None, author: str = "") -> RowEdits:
    """The edits from a track's stored rows to `track` (None: the track is deleted); unchanged rows are left alone."""
    old = {row.frame: row for row in old_rows}
    edits = RowEdits()
    wanted = {k.frame: k for k in track.keyframes} if track is not None else {}
    edits.deleted = [row.id for frame, row in old.items() if frame not in wanted]
    for frame, keyframe in wanted.items():
        assert track is not None
        values = _row_values(track, keyframe)
        stored = old.get(frame)
        if stored is None:
            edits.added.append(Annotation(id=new_id(), task_id=task_id, author=author, **values))
        elif any(getattr(stored, name) != value for name, value in values.items()):
            edits.updated.append(dataclasses.replace(stored, author=author or stored.author, **values))
    return edits


def track_rows(task_id: int, track: Track, author: str = "") -> list[Annotation]:
    """New rows for a track not stored yet (importers, trackers)."""
    return row_edits(task_id, (), track, author).added
