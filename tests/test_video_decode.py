"""core.video: the frame index, exact decoding on MP4, MKV, TS, variable frame rate and rotated files, the cache
bound, the prefetcher, file objects, and every damaged input giving a VideoError that names the file.

Videos are made once per session with ffmpeg; each frame carries its number (tests/video_samples.py), so every
check is "the frame shown is the frame asked for".
"""

import io
import random
import shutil
import subprocess
import threading

import cv2
import numpy as np
import pytest

from core.video import (
    FrameIndex,
    FrameLost,
    IndexCancelled,
    Prefetcher,
    VideoDecoder,
    VideoError,
    build_index,
    probe_video,
)
from tests.video_samples import X264, ffmpeg, make_video, read_number

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg binary")
FRAMES = 300
GOOD = ("mp4", "mkv", "ts", "vfr")


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    v = {name: make_video(d / f"long_gop.{name}") for name in ("mp4", "mkv", "ts")}
    # 100 frames at 30 fps, then 200 at 10 fps: pts steps of 1/30 s, then 1/10 s
    vfr = "setpts='if(lt(N,100),N,100+(N-100)*3)/30/TB'"
    v["vfr"] = make_video(d / "vfr.mkv", after=vfr, encode=(*X264, "-fps_mode", "vfr"))
    v["rotated"] = d / "rotated.mp4"
    ffmpeg("-i", v["mp4"], "-c", "copy", "-metadata:s:v", "rotate=90", v["rotated"])
    # a new sequence header at half the size midway: two MPEG-TS segments end to end
    make_video(d / "seg1.ts", frames=60)
    make_video(d / "seg2.ts", size=(160, 120), frames=60, first=60, encode=(*X264, "-output_ts_offset", "3"))
    v["resized"] = d / "resized.ts"
    v["resized"].write_bytes((d / "seg1.ts").read_bytes() + (d / "seg2.ts").read_bytes())
    return v


@pytest.fixture(scope="session")
def bad(tmp_path_factory, videos):
    d = tmp_path_factory.mktemp("bad")
    mp4 = videos["mp4"].read_bytes()
    files = {"no_moov": d / "no_moov.mp4", "empty": d / "empty.mp4", "text": d / "notes.mp4"}
    files["no_moov"].write_bytes(mp4[: len(mp4) // 2])  # ffmpeg writes the moov atom last
    files["empty"].write_bytes(b"")
    files["text"].write_text("not a video\n" * 200)
    files["image"] = d / "photo.mp4"
    png = cv2.imencode(".png", np.full((64, 64, 3), 127, np.uint8))[1]
    files["image"].write_bytes(png.tobytes())
    files["audio"] = d / "audio.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", files["audio"])
    files["zero_frames"] = d / "zero_frames.mkv"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-f", "lavfi", "-i", "testsrc=s=320x240:d=1", "-map", "0:a", "-map", "1:v",
           "-c:v", "libx264", "-frames:v", "0", files["zero_frames"])
    mkv = bytearray(videos["mkv"].read_bytes())
    at = mkv.find(b"V_MPEG4/ISO/AVC")
    mkv[at : at + 15] = b"V_QQQQQ/ISO/AVC"  # a codec id FFmpeg does not know
    files["codec"] = d / "codec.mkv"
    files["codec"].write_bytes(bytes(mkv))
    return files


def check_frames(decoder, frames, *, rotation=0):
    for n in frames:
        image = decoder.frame(n)
        assert read_number(np.rot90(image, -rotation // 90)) == n, f"frame {n}"


@pytest.mark.parametrize("name", GOOD)
def test_random_seek_and_steps_are_exact(videos, name):
    index = build_index(videos[name])
    assert index.frames == FRAMES and list(index.keyframes) == [0, 150]
    order = list(range(FRAMES))
    random.Random(name).shuffle(order)
    with VideoDecoder(videos[name], index, cache_mb=0) as decoder:  # no cache: every seek decodes
        check_frames(decoder, order[: 150 if name == "mp4" else 60])
        check_frames(decoder, range(FRAMES))  # step +1 throughout
    with VideoDecoder(videos[name], index, cache_mb=64) as decoder:
        check_frames(decoder, range(FRAMES - 1, -1, -1))  # step -1 throughout
        assert not decoder.lost_frames


def test_step_back_is_a_cache_hit_after_the_first(videos):
    index = build_index(videos["mp4"])
    with VideoDecoder(videos["mp4"], index, cache_mb=64) as decoder:
        check_frames(decoder, [290])
        assert not decoder.is_cached(289)
        check_frames(decoder, [289])  # the first step back decodes the GOP, keeping what it passes
        for n in range(288, 149, -1):
            assert decoder.is_cached(n), n
            check_frames(decoder, [n])


def test_variable_frame_rate_is_addressed_by_pts(videos):
    index = build_index(videos["vfr"])
    steps = (np.diff(index.pts) * index.time_base).astype(float)
    assert (abs(steps[:99] - 1 / 30) < 0.002).all() and (abs(steps[100:] - 0.1) < 0.04).all()
    assert index.time_s(150) == pytest.approx((100 + 50 * 3) / 30, abs=0.04)
    assert 10 < index.fps < 30  # the average, not the container's nominal 30
    with VideoDecoder(videos["vfr"], index, cache_mb=0) as decoder:
        check_frames(decoder, [250, 99, 100, 101, 299, 0])


def test_rotation_is_applied_as_ffmpeg_shows_it(videos):
    info = probe_video(videos["rotated"])
    assert (info.rotation, info.width, info.height) == (90, 240, 320)
    shown = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(videos["rotated"]), "-vf", "select=eq(n\\,37)",
                            "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"], capture_output=True,
                           check=True).stdout
    with VideoDecoder(videos["rotated"], info.index) as decoder:
        image = decoder.frame(37)
        assert image.shape == (320, 240, 3)
        assert np.abs(image.astype(int) - np.frombuffer(shown, np.uint8).reshape(320, 240, 3)).mean() < 4
        check_frames(decoder, [200, 5], rotation=90)


def test_a_change_of_size_midway_is_scaled_to_the_first(videos):
    index = build_index(videos["resized"])
    assert (index.frames, index.width, index.height) == (120, 320, 240)
    with VideoDecoder(videos["resized"], index) as decoder:
        assert {decoder.frame(n).shape for n in (0, 59, 60, 119)} == {(240, 320, 3)}
        check_frames(decoder, [100, 30, *range(55, 66)])


def test_index_round_trip_and_damage(videos):
    index = build_index(videos["ts"])
    data = index.to_bytes()
    assert len(data) < 400
    again = FrameIndex.from_bytes(data)
    for field in ("pts", "keyframe", "key_dts", "keyframes"):
        assert np.array_equal(getattr(again, field), getattr(index, field))
    for field in ("time_base", "duration", "width", "height", "rotation", "codec", "trimmed"):
        assert getattr(again, field) == getattr(index, field)
    assert index.frame_of_pts(int(index.pts[123])) == 123 and index.frame_of_pts(int(index.pts[123]) + 1) is None
    assert (index.keyframe_at_or_before(149), index.keyframe_at_or_before(150)) == (0, 150)
    for damaged in (data[:-3], b"XXXX" + data[4:], data[:4] + b"\x09\x00" + data[6:], data[:20], b""):
        with pytest.raises(ValueError, match="frame index"):
            FrameIndex.from_bytes(damaged)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("no_moov", "moov"),
        ("empty", "empty file"),
        ("text", "not a video"),
        ("image", "an image"),
        ("audio", "no video stream"),
        ("zero_frames", "no frames"),
        ("codec", "unsupported video codec"),
    ],
)
def test_bad_inputs_name_the_file(bad, kind, reason):
    with pytest.raises(VideoError, match=reason) as caught:
        probe_video(bad[kind])
    assert caught.value.path == str(bad[kind]) and str(bad[kind]) in str(caught.value)


@pytest.mark.parametrize("name", ["mkv", "ts"])
def test_truncated_file_keeps_what_decodes(videos, tmp_path, name):
    data = videos[name].read_bytes()
    cut = tmp_path / f"cut.{name}"
    cut.write_bytes(data[: len(data) * 2 // 3 + 77])
    info = probe_video(cut, check_frames=True)
    assert 150 < info.frames < FRAMES and not info.lost_frames
    with VideoDecoder(cut, info.index, cache_mb=0) as decoder:
        check_frames(decoder, [info.frames - 1, 0, 151, info.frames - 2])


def test_corrupt_packet_midway_loses_only_its_frames(videos, tmp_path):
    data = bytearray(videos["mp4"].read_bytes())
    at = len(data) * 2 // 5
    data[at : at + 300] = random.Random(1).randbytes(300)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    info = probe_video(damaged, check_frames=True)
    assert info.frames == FRAMES and 0 < len(info.lost_frames) < 20
    lost = info.lost_frames[0]
    assert 0 < lost < 150  # in the first GOP; the second one is whole
    with VideoDecoder(damaged, info.index, cache_mb=0) as decoder:
        # frames after the damage in its GOP show FFmpeg's concealment; the next GOP is whole again
        check_frames(decoder, [lost - 8, 0, 150, 299, 200])
        with pytest.raises(FrameLost) as caught:
            decoder.frame(lost)
        assert caught.value.frame == lost and str(damaged) in str(caught.value)
        assert lost in decoder.lost_frames


def test_cache_stays_within_its_bound(videos):
    index = build_index(videos["mkv"])
    with VideoDecoder(videos["mkv"], index, cache_mb=1) as decoder:
        for n in [*range(0, 120), *range(299, 250, -1)]:
            decoder.frame(n)
            assert decoder.cache_bytes <= decoder.cache_limit == 1 << 20
        assert decoder.cache_bytes > decoder.cache_limit // 2


def test_prefetch_fills_ahead_in_the_direction_of_play(videos):
    index = build_index(videos["mp4"])
    with VideoDecoder(videos["mp4"], index, cache_mb=64) as decoder:
        prefetcher = Prefetcher(decoder, ahead=30)
        try:
            check_frames(decoder, [10])
            prefetcher.update(10, +1)
            assert prefetcher.wait_idle(10)
            assert all(decoder.is_cached(n) for n in range(11, 41)) and not decoder.is_cached(41)
            assert read_number(decoder.cached(25)) == 25
            prefetcher.update(220, -1)
            assert prefetcher.wait_idle(10)
            assert all(decoder.is_cached(n) for n in range(190, 220))
            # the worker and callers in two threads share the decoder
            prefetcher.update(100, +1)
            errors = []

            def reader(frames):
                try:
                    check_frames(decoder, frames)
                except AssertionError as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=reader, args=(range(s, FRAMES, 7),)) for s in (1, 4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert not errors
        finally:
            prefetcher.close()
    with pytest.raises(VideoError, match="closed"):
        decoder.frame(0)


@pytest.mark.parametrize("opener", ["bytesio", "file"])
def test_file_objects_are_sources(videos, opener):
    path = videos["ts"]
    with open(path, "rb") as f:
        source = io.BytesIO(f.read()) if opener == "bytesio" else f
        index = build_index(source)
        assert index.frames == FRAMES
        with VideoDecoder(source, index, cache_mb=0) as decoder:
            check_frames(decoder, [200, 3, 4, 151])
    with pytest.raises(VideoError, match="BytesIO"):
        build_index(io.BytesIO(b"\x00" * 1000))


def test_index_progress_and_cancel(videos):
    seen = []
    build_index(videos["mp4"], progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 1.0
    with pytest.raises(IndexCancelled):
        build_index(videos["mp4"], cancel=lambda: True)
