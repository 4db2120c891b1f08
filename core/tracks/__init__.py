"""Tracks: objects followed through a video by keyframes, interpolated between them (CVAT's track model).

Qt-free values and their JSON form; storage, sync and the timeline UI build on these.
"""

from core.tracks.checks import MAX_FRAME, TrackError
from core.tracks.frame_index import TrackSet
from core.tracks.interpolate import INTERPOLATORS, interpolate
from core.tracks.rows import AUTO, RowEdits, row_edits, track_from_rows, track_rows, tracks_from_rows
from core.tracks.track import FrameShape, Keyframe, Track

__all__ = ["AUTO", "INTERPOLATORS", "MAX_FRAME", "FrameShape", "Keyframe", "RowEdits", "Track", "TrackError",
           "TrackSet", "interpolate", "row_edits", "track_from_rows", "track_rows", "tracks_from_rows"]
