"""Media kinds: one table knows images and videos; `annodesk add` takes both, a bad video is one error task."""

import subprocess
import sys

import cv2
import numpy as np
import pytest

from core.annotation import TaskStatus
from core.media import MediaError
from core.media_kinds import MEDIA_KINDS, MediaKind, kind_for, media_kind, probe_media, register_media_kind
from core.video import FrameIndex
from sync.workspace import Workspace
from tests.video_samples import make_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("clips") / "clip.mp4", frames=45)


def test_the_table_knows_images_and_videos():
    assert kind_for("a/b.JPG") is MEDIA_KINDS["image"] and kind_for("x.mkv") is MEDIA_KINDS["video"]
    assert kind_for("notes.txt") is None
    assert MEDIA_KINDS["video"].address == ("frame", "track") and MEDIA_KINDS["image"].address == ()
    with pytest.raises(ValueError, match="unknown media kind 'hologram'; known: audio, image, video"):
        media_kind("hologram")
    with pytest.raises(ValueError, match=r"extensions \['.png'\] are image's"):
        register_media_kind(MediaKind("scan", frozenset({".png"}), probe_media, ()))


def test_a_video_probes_with_its_frames_and_index(clip):
    info = probe_media(clip)
    assert (info.kind, info.frames, info.width, info.height) == ("video", 45, 320, 240)
    assert FrameIndex.from_bytes(info.frame_index).frames == 45
    with pytest.raises(MediaError, match="not a media file"):
        probe_media(clip.with_suffix(".txt"))


def test_add_takes_videos_and_images_and_keeps_the_frame_index(tmp_path, clip):
    folder = tmp_path / "media"
    folder.mkdir()
    assert cv2.imwrite(str(folder / "a.png"), np.zeros((10, 12, 3), np.uint8))
    (folder / "broken.mp4").write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])
    (folder / "sound.mp4").write_bytes(b"\x00" * 64)
    with Workspace.create(tmp_path / "ws") as ws:
        report = ws.add_media([clip, folder])
        assert report.added == 4
        tasks = {t.name: t for t in ws.tasks(limit=10)}
        assert (tasks["clip.mp4"].kind, tasks["clip.mp4"].frames, tasks["clip.mp4"].status) == ("video", 45,
                                                                                               TaskStatus.NEW)
        assert (tasks["a.png"].kind, tasks["a.png"].frames) == ("image", 1)
        for bad in ("broken.mp4", "sound.mp4"):
            assert tasks[bad].status is TaskStatus.ERROR and tasks[bad].kind == "video" and tasks[bad].error
        stored = ws.frame_index(tasks["clip.mp4"].content_hash)
        assert stored is not None and FrameIndex.from_bytes(stored).frames == 45
        assert ws.stats()["media"] == {"image": {"tasks": 1, "frames": 1}, "video": {"tasks": 3, "frames": 45}}


def test_the_cli_adds_a_video_and_counts_its_frames(tmp_path, clip):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "desktop.cli", *map(str, args)], capture_output=True, text=True)

    assert cli("init", tmp_path / "ws").returncode == 0
    added = cli("add", tmp_path / "ws", clip)
    assert added.returncode == 0 and "added 1 tasks" in added.stdout
    stats = cli("stats", tmp_path / "ws")
    assert "video: 1 tasks, 45 frames" in stats.stdout
