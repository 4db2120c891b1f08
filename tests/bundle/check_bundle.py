"""The desktop bundle (dist/annodesk/, packaging/annodesk.spec) started as a person would start it: a clean
environment (no venv on PATH, no PYTHONPATH, a fresh HOME, no network where `unshare` allows), the demo made, the
window shown under Xvfb to a screenshot (in English and in Vietnamese), pre-labels from the models inside the
bundle. Linux only.

Not in the suite (the name is not test_*.py, so `./dev test` does not collect it): `./dev bundle-test` builds the
bundle when the sources are newer, then runs `pytest tests/bundle/check_bundle.py`.
"""

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from inference.models import DEMO, VAD

BUNDLE = Path(__file__).resolve().parents[2] / "dist" / "annodesk" / "annodesk"
BUNDLED_DEMO_MODEL = BUNDLE.parent / "_internal" / "models" / DEMO.filename
OFFLINE = subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0

pytestmark = pytest.mark.skipif(not BUNDLE.is_file(), reason=f"no bundle at {BUNDLE}: run ./dev bundle")


def annodesk(home: Path, *args: str, screen: bool = False) -> str:
    """Run the bundled `annodesk` with nothing of the build machine's Python in its environment; its output."""
    command = [str(BUNDLE), *args]
    if screen:
        command = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", *command]
    if OFFLINE:
        command = ["unshare", "-rn", *command]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_bundle_makes_the_demo_shows_it_and_prelabels_it(tmp_path):
    home, demo = tmp_path / "home", tmp_path / "demo"
    shot, shot_vi = tmp_path / "shot.png", tmp_path / "shot-vi.png"
    home.mkdir()
    assert "demo workspace created" in annodesk(home, "demo", str(demo), "--no-open")

    assert "screenshot saved" in annodesk(home, "open", str(demo / "workspace"), "--screenshot", str(shot),
                                          screen=True)  # fmt: skip
    image = Image.open(shot).convert("RGB")
    assert image.width >= 800 and image.height >= 600
    assert len(image.getcolors(1 << 24)) > 200, "the screenshot is (nearly) blank"
    assert (BUNDLE.parent / "_internal" / "resources" / "translations" / "annodesk_vi.qm").is_file()
    out = annodesk(home, "open", str(demo / "workspace"), "--language", "vi", "--screenshot", str(shot_vi), screen=True)
    assert "screenshot saved" in out and "no vi translations" not in out, out
    assert Image.open(shot_vi).convert("RGB").tobytes() != image.tobytes()  # the words changed

    out = annodesk(home, "prelabel", str(demo / "workspace"))  # the default audio model: the bundle's Silero VAD
    assert f"model {VAD.filename}" in out
    assert re.search(r"[1-9]\d* recordings pre-labelled with [1-9]\d* segments", out), out
    out = annodesk(home, "prelabel", str(demo / "workspace"), "--model", str(BUNDLED_DEMO_MODEL))
    assert re.search(r"[1-9]\d* tasks pre-labelled with [1-9]\d* shapes", out), out
    assert not (home / ".local" / "share" / "annodesk" / "models").exists()  # nothing fetched into the user's folder
