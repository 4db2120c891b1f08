"""Tracks: objects followed through a video by keyframes, interpolated between them (CVAT's track model).

Qt-free values and their JSON form; storage, sync and the timeline UI build on these.
"""

from core.tracks.checks import MAX_FRAME, TrackError
from core.tracks.frame_index import TrackSet
from core.tracks.interpolate import INTERPOLATORS, interpolate
from core.tracks.track import FrameShape, Keyframe, Track

__all__ = ["INTERPOLATORS", "MAX_FRAME", "FrameShape", "Keyframe", "Track", "TrackError", "TrackSet", "interpolate"]
