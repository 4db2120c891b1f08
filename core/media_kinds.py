"""The kinds of media a task can hold, in one table: the rest of the code asks it instead of checking suffixes.

A kind names its file extensions, its probe (run once per file when it is added: size, content hash, dimensions,
frames) and what addresses an annotation in it beyond the task (an image: nothing; a video: a frame, and a track
for shapes that follow an object; audio: a time range, and the tier the segment is on, both in the shape). A new
kind is one `register_media_kind` call.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from core.audio import AudioError, probe_audio
from core.media import IMAGE_EXTENSIONS, MediaError, MediaInfo, content_hash, iter_media_files, probe_image
from core.video import VideoError, probe_video

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"}
)
# Audio containers and raw streams FFmpeg reads. Containers that usually hold video (.mp4, .mkv, .webm) stay video:
# the audio of a video is annotated by adding its audio as a file of its own (or, later, a video's audio track).
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".wave", ".rf64", ".w64", ".flac", ".mp3", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".wma",
     ".aif", ".aiff", ".aifc", ".caf", ".mka", ".ac3", ".amr", ".au", ".snd", ".spx", ".wv"}
)


@dataclass(frozen=True, slots=True)
class MediaKind:
    name: str
    extensions: frozenset[str]  # lower case, with the dot
    probe: Callable[[Path], MediaInfo]  # MediaError naming the file when it cannot be used
    address: tuple[str, ...]  # what places an annotation inside one item of this kind
    # Other suffixes this kind reads when asked for by name (`add --as audio`): the sound track of a video.
    also_reads: frozenset[str] = frozenset()

    def reads(self) -> frozenset[str]:
        return self.extensions | self.also_reads


MEDIA_KINDS: dict[str, MediaKind] = {}


def register_media_kind(kind: MediaKind) -> MediaKind:
    """Add a kind; a second kind with the same name or claiming an extension already claimed is refused."""
    if kind.name in MEDIA_KINDS and MEDIA_KINDS[kind.name] is not kind:
        raise ValueError(f"media kind {kind.name!r} is already registered")
    for other in MEDIA_KINDS.values():
        if other is not kind and other.extensions & kind.extensions:
            raise ValueError(f"{kind.name}: extensions {sorted(other.extensions & kind.extensions)} are {other.name}'s")
    MEDIA_KINDS[kind.name] = kind
    return kind


def kind_for(path: str | Path) -> MediaKind | None:
    """The kind whose extensions include the file's suffix, or None."""
    suffix = Path(path).suffix.lower()
    return next((k for k in MEDIA_KINDS.values() if suffix in k.extensions), None)


def media_kind(name: str) -> MediaKind:
    """The kind called `name`; an unknown name (a workspace written by a newer version) names the known ones."""
    try:
        return MEDIA_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown media kind {name!r}; known: {', '.join(sorted(MEDIA_KINDS))}") from None


def all_extensions() -> frozenset[str]:
    return frozenset().union(*(k.extensions for k in MEDIA_KINDS.values()))


def demux_name(name: str) -> str:
    """The name a reader shows PyAV. FFmpeg picks demuxers by it too, and a playlist demuxer (HLS, for .m3u8 and
    .m3u) opens the files and URLs its playlist names: a name (a server's task name) without a media suffix of ours
    gets one that FFmpeg ignores, so a cached or stored file is only ever demuxed as the one file it is."""
    return name if PurePath(name).suffix.lower() in all_extensions() else f"{name}.media"


def iter_all_media(paths: Iterable[str | Path], kind: str | None = None) -> Iterator[Path]:
    """Files of every kind among `paths` (of the kind named, with what else it reads): files as given, folders
    recursively in sorted order."""
    return iter_media_files(paths, all_extensions() if kind is None else media_kind(kind).reads())


def probe_media(path: Path, kind: str | None = None) -> MediaInfo:
    """The file probed by its kind (or as the kind named: a video's sound as audio); MediaError when no kind takes
    its suffix or the probe refuses it."""
    if kind is not None:
        return media_kind(kind).probe(path)
    found = kind_for(path)
    if found is None:
        raise MediaError(path, f"not a media file this app reads (suffix {Path(path).suffix!r})")
    return found.probe(path)


def _probe_video(path: Path) -> MediaInfo:
    """A video indexed by one demux pass (core.video.probe: its frame index is kept, so opening needs no second
    pass), then its bytes hashed."""
    try:
        info = probe_video(path)
    except VideoError as exc:
        raise MediaError(path, exc.reason) from None
    try:
        size, digest = Path(path).stat().st_size, content_hash(path)
    except OSError as exc:
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    return MediaInfo(str(path), size, digest, info.width, info.height, "video", info.frames, info.index.to_bytes())


def _probe_audio(path: Path) -> MediaInfo:
    """A recording decoded once (core.audio.probe_audio): its peaks pyramid is kept, so opening needs no decode;
    `frames` counts samples per channel, width and height stay 0."""
    try:
        status = Path(path).stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO named *.wav would block the hash and the decoder
            raise MediaError(path, "not a regular file (a pipe, device or folder)")
        size, digest = status.st_size, content_hash(path)
    except OSError as exc:
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = probe_audio(path)
    except AudioError as exc:
        raise MediaError(path, exc.reason) from None
    return MediaInfo(str(path), size, digest, 0, 0, "audio", info.samples, None, info.sample_rate, info.channels,
                     info.peaks.to_bytes())


IMAGE = register_media_kind(MediaKind("image", IMAGE_EXTENSIONS, probe_image, ()))
VIDEO = register_media_kind(MediaKind("video", VIDEO_EXTENSIONS, _probe_video, ("frame", "track")))
AUDIO = register_media_kind(MediaKind("audio", AUDIO_EXTENSIONS, _probe_audio, ("time", "tier"), VIDEO_EXTENSIONS))
