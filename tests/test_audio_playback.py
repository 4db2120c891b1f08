"""Audio playback: the samples a play produces (checked against core.audio.read_range, no sound needed), and the
player's behaviour on the null sink these machines have (no sound card): real-time playhead, selections, loops,
speed, seek, pause, damaged files, threads joined."""

from __future__ import annotations

import itertools
import threading
import time

import av
import numpy as np
import pytest

from core.audio import probe_audio, read_range
from tests.audio_samples import write_wav
from widgets.audio_pcm import AHEAD_S, NullSink, PcmFormat, PcmWorker, pcm_chunks

RATE = 44100
SECONDS = 6.0


def tones(rate=RATE, seconds=SECONDS):
    """Stereo: 440 Hz + 1,234 Hz on the left, 660 Hz on the right, all the way through (every range has sound)."""
    t = np.arange(round(seconds * rate)) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1234 * t)
    return np.stack([left, 0.4 * np.sin(2 * np.pi * 660 * t)]).astype(np.float32)


def write_mp3(path, data, rate):
    """An MP3 encoded by PyAV's own FFmpeg (libmp3lame), so no ffmpeg binary is needed."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="stereo")
        stream.bit_rate = 128_000
        frame = av.AudioFrame.from_ndarray(data, format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("playback")
    return {"wav": write_wav(folder / "tones.wav", tones(), RATE),
            "mp3": write_mp3(folder / "tones.mp3", tones(), RATE)}


def pcm_of(chunks, channels=2):
    return np.frombuffer(b"".join(data for _, data in chunks), np.float32).reshape(-1, channels).T


def worker_output(path, start, end, fmt, **kwargs):
    worker = PcmWorker(lambda: path, start, end, fmt, **kwargs)
    chunks = []
    deadline = time.monotonic() + 10
    while not worker.ended and time.monotonic() < deadline:
        chunk = worker.take()
        chunks.append(chunk) if chunk else time.sleep(0.001)
    worker.stop()
    assert worker.error is None
    return chunks


@pytest.mark.parametrize("ext", ["wav", "mp3"])
def test_the_worker_plays_the_samples_read_range_reads(media, ext):
    ref = read_range(media[ext], 1.0, 1.5)
    same = pcm_of(worker_output(media[ext], 1.0, 1.5, PcmFormat(RATE, 2)))
    assert same.shape == ref.shape
    assert np.abs(same - ref).max() < 1e-6  # the output's own rate: only the sample format changes
    chunks = worker_output(media[ext], 1.0, 1.5, PcmFormat(48000, 2))
    assert chunks[0][0] == 1.0
    resampled = pcm_of(chunks)
    assert resampled.shape == (2, 24000)
    t = np.arange(24000) / 48000
    expected = np.stack([np.interp(t, np.arange(ref.shape[1]) / RATE, row) for row in ref])
    assert np.abs(resampled - expected)[:, 64:-64].max() < 0.01  # 44.1 -> 48 kHz, in place (no lag)


@pytest.mark.parametrize("speed", [0.5, 2.0])
def test_speed_changes_the_length_and_keeps_the_pitch(media, speed):
    pcm = pcm_of(pcm_chunks(media["wav"], 1.0, 3.0, PcmFormat(RATE, 2), speed=speed))
    assert pcm.shape[1] / RATE == pytest.approx(2.0 / speed, abs=0.002)  # to the end of the range
    spectrum = np.abs(np.fft.rfft(pcm[1]))
    assert np.fft.rfftfreq(pcm.shape[1], 1 / RATE)[spectrum.argmax()] == pytest.approx(660, abs=5)


def test_the_worker_stays_a_bounded_step_ahead_and_stops_at_once(media):
    fmt = PcmFormat(RATE, 2)
    worker = PcmWorker(lambda: media["wav"], 0.0, SECONDS, fmt)
    time.sleep(0.3)  # it fills its queue, then waits for room
    with worker._cond:
        held = worker._queued
    assert 0 < held <= (AHEAD_S * RATE + 8192) * fmt.frame_bytes
    start = time.perf_counter()
    worker.stop()
    assert time.perf_counter() - start < 0.2
    assert not worker._thread.is_alive()


def test_the_null_sink_consumes_at_real_time():
    now = [0.0]
    fmt = PcmFormat(1000, 1)
    sink = NullSink(fmt, buffer_s=0.25, clock=lambda: now[0])
    sink.start()
    assert sink.write(b"\0" * 4 * 400) == 4 * 250  # a quarter second is all it holds
    now[0] = 0.1
    assert sink.consumed_frames() == 100
    assert sink.bytes_free() == 4 * 100
    now[0] = 1.0
    assert sink.consumed_frames() == 250  # it ran dry: the clock does not run ahead of the audio


# The player, on the null sink.


@pytest.fixture
def player(qtbot, media, monkeypatch):
    from PySide6.QtMultimedia import QMediaDevices

    from widgets import audio_playback

    if QMediaDevices.audioOutputs():  # a machine with sound: test the null sink all the same
        monkeypatch.setattr(audio_playback.QMediaDevices, "audioOutputs", staticmethod(lambda: []))
    made = []

    def make(ext="wav", duration=SECONDS):
        playback = audio_playback.AudioPlayback()
        playback.open(lambda: media[ext], RATE, 2, duration)
        made.append(playback)
        return playback

    yield make
    for playback in made:
        playback.close()
    assert not [t for t in threading.enumerate() if t.name == "audio-pcm"]


def positions(qtbot, playback, seconds):
    """The positions reported over `seconds`."""
    seen = []
    playback.position_changed.connect(seen.append)
    qtbot.wait(round(seconds * 1000))
    playback.position_changed.disconnect(seen.append)
    return seen


def started(qtbot, playback, start):
    """Waits for sound to start (the first chunk written) and says how long that took."""
    began = time.monotonic()
    qtbot.waitUntil(lambda: playback.position_s > start, timeout=1000)
    return time.monotonic() - began


def advance(qtbot, playback, seconds):
    """How far the playhead moved over `seconds` of wall time, and that wall time."""
    p0, t0 = playback.position_s, time.monotonic()
    qtbot.wait(round(seconds * 1000))
    return playback.position_s - p0, time.monotonic() - t0


def test_play_advances_the_playhead_at_real_time(qtbot, player):
    playback = player()
    with qtbot.waitSignal(playback.playing_changed):
        playback.play(1.0)
    assert started(qtbot, playback, 1.0) < 0.3  # sound starts as soon as the first chunk is decoded
    seen = []
    playback.position_changed.connect(seen.append)
    moved, wall = advance(qtbot, playback, 1.0)
    assert playback.playing
    assert moved == pytest.approx(wall, abs=0.06)
    assert 20 <= len(seen) <= 36  # about 30 a second
    assert seen == sorted(seen)  # smooth: never backwards


def test_a_selection_stops_at_its_end_and_says_finished(qtbot, player):
    playback = player()
    started = time.monotonic()
    with qtbot.waitSignal(playback.finished, timeout=3000):
        playback.play(2.0, 2.5)
    assert 0.45 < time.monotonic() - started < 0.9
    assert playback.position_s == 2.5
    assert not playback.playing


def test_a_looped_selection_comes_back_to_its_start(qtbot, player):
    playback = player()
    playback.play(2.0, 2.5, loop=True)
    seen = positions(qtbot, playback, 1.4)
    assert playback.playing
    assert all(1.99 <= p <= 2.51 for p in seen)
    wraps = sum(1 for a, b in itertools.pairwise(seen) if b < a - 0.2)
    assert wraps >= 2
    assert min(seen[5:]) < 2.1


def test_double_speed_moves_twice_as_fast(qtbot, player):
    playback = player()
    playback.set_speed(2.0)
    playback.play(1.0)
    started(qtbot, playback, 1.0)
    moved, wall = advance(qtbot, playback, 0.8)
    assert moved == pytest.approx(2 * wall, abs=0.12)
    playback.set_speed(0.5)  # while playing: goes on from the playhead, slower
    started(qtbot, playback, playback.position_s)
    moved, wall = advance(qtbot, playback, 0.6)
    assert moved == pytest.approx(0.5 * wall, abs=0.06)
    assert playback.speed == 0.5


def test_seek_while_playing_goes_on_from_there(qtbot, player):
    playback = player()
    playback.play(0.5)
    qtbot.wait(300)
    seen = []
    playback.position_changed.connect(seen.append)
    playback.seek(4.0)
    assert started(qtbot, playback, 4.0) < 0.25  # the gap a seek leaves
    moved, wall = advance(qtbot, playback, 0.3)
    assert playback.playing
    assert all(p >= 4.0 for p in seen)
    assert moved == pytest.approx(wall, abs=0.05)


def test_pause_holds_the_playhead_and_toggle_resumes(qtbot, player, media):
    playback = player("mp3", probe_audio(media["mp3"]).duration_s)
    playback.play(1.0)
    qtbot.wait(300)
    with qtbot.waitSignal(playback.playing_changed) as changed:
        playback.pause()
    assert changed.args == [False]
    held = playback.position_s
    assert 1.2 < held < 1.35
    qtbot.wait(300)
    assert playback.position_s == held
    playback.toggle()
    assert started(qtbot, playback, held) < 0.3 and playback.playing
    assert playback.position_s < held + 0.05  # from where it paused


def test_a_paused_loop_resumes_as_a_loop(qtbot, player):
    playback = player()
    playback.play(2.0, 2.3, loop=True)
    qtbot.wait(200)
    playback.pause()
    playback.toggle()
    seen = positions(qtbot, playback, 0.6)
    assert all(1.99 <= p <= 2.31 for p in seen) and playback.playing


def test_no_device_is_said_once_per_process(qtbot, player, monkeypatch):
    from widgets.audio_playback import AudioPlayback

    monkeypatch.setattr(AudioPlayback, "_no_device_said", False)
    said = []
    for _ in range(3):
        playback = AudioPlayback()
        playback.no_device.connect(said.append)
        playback.open(lambda: "unused.wav", RATE, 2, SECONDS)
        playback.close()
    assert len(said) == 1 and "No audio output device" in said[0]


def test_a_truncated_file_stops_with_an_error_naming_it(qtbot, player, tmp_path, media):
    data = media["mp3"].read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 5])  # about 1.2 s of the 6
    media["cut"] = cut
    playback = player("cut", SECONDS)
    errors, finished = [], []
    playback.error.connect(errors.append)
    playback.finished.connect(lambda: finished.append(True))
    with qtbot.waitSignal(playback.error, timeout=3000):
        playback.play(1.0)
    assert "cut.mp3" in errors[0] and "truncated or damaged" in errors[0]
    assert not playback.playing and not finished
    assert 1.05 < playback.position_s < 1.35  # where the audio stopped, heard to that point


def test_a_file_that_is_not_audio_gives_an_error_at_once(qtbot, player, tmp_path, media):
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 100)
    media["junk"] = junk
    playback = player("junk")
    with qtbot.waitSignal(playback.error, timeout=1000) as got:
        playback.play(0.0)
    assert "junk.mp3" in got.args[0] and not playback.playing


def test_close_joins_the_worker(qtbot, player):
    playback = player()
    playback.play(0.0)
    for t in (1.0, 2.0, 3.0, 1.5):  # every seek replaces the worker; none is left behind
        qtbot.wait(30)
        playback.seek(t)
    assert len([t for t in threading.enumerate() if t.name == "audio-pcm"]) == 1
    with qtbot.waitSignal(playback.playing_changed):
        playback.close()
    assert not [t for t in threading.enumerate() if t.name == "audio-pcm"]
    playback.play()  # closed: nothing to play, nothing raised
    assert not playback.playing


def test_an_output_that_fails_to_open_plays_silently(qtbot, player, monkeypatch):
    from PySide6.QtMultimedia import QAudioDevice

    from widgets import audio_playback

    class Broken(QAudioDevice):  # listed and taking any format, but Qt cannot open it (a null device underneath)
        def isNull(self):
            return False

        def isFormatSupported(self, _format):
            return True

    monkeypatch.setattr(audio_playback.QMediaDevices, "audioOutputs", staticmethod(lambda: [Broken()]))
    monkeypatch.setattr(audio_playback.QMediaDevices, "defaultAudioOutput", staticmethod(Broken))
    monkeypatch.setattr(audio_playback.AudioPlayback, "_no_device_said", False)
    playback = player()
    assert isinstance(playback._sink, audio_playback.QtSink)
    said = []
    playback.no_device.connect(said.append)
    playback.play(1.0)
    assert said and "failed (OpenError)" in said[0]
    started(qtbot, playback, 1.0)
    moved, wall = advance(qtbot, playback, 0.4)
    assert moved == pytest.approx(wall, abs=0.05)
