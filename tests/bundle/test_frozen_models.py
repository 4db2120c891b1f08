"""In the desktop bundle (packaging/annodesk.spec) the demo models come from the bundle's own `models` folder when
the user's model folder has none; tests/bundle/check_bundle.py runs the real bundle."""

import sys

from inference.models import DEMO, VAD, bundled_models_dir, demo_model_path, vad_model_path


def test_the_bundles_models_are_found_after_the_users(tmp_path, monkeypatch):
    user, bundle = tmp_path / "user", tmp_path / "bundle"
    monkeypatch.setenv("ANNODESK_MODELS_DIR", str(user))
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert bundled_models_dir() is None  # not frozen
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert bundled_models_dir() == bundle / "models" and demo_model_path() is None
    (bundle / "models").mkdir(parents=True)
    for model in (DEMO, VAD):
        (bundle / "models" / model.filename).write_bytes(b"bundled")
    assert demo_model_path() == bundle / "models" / DEMO.filename
    assert vad_model_path() == bundle / "models" / VAD.filename
    user.mkdir()
    (user / DEMO.filename).write_bytes(b"the user's own")
    assert demo_model_path() == user / DEMO.filename  # the user's folder first
    assert demo_model_path(tmp_path / "elsewhere") is None  # a folder given is the only place looked in
