"""Settings survive bad files and migrate forward; the keymap table catches conflicts and reports origins."""

import json

import pytest

from desktop.keymap import KeymapError, effective_keymap
from desktop.settings import SCHEMA_VERSION, Settings, load_settings, save_settings


def test_settings_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    s = Settings(last_workspace="/ws", last_task={"/ws": 42}, fill_opacity=0.4)
    save_settings(s, path)
    assert load_settings(path) == s


def test_broken_or_mistyped_settings_fall_back_field_by_field(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_settings(path) == Settings()
    path.write_text(json.dumps({"fill_opacity": "high", "last_workspace": "/a", "keep_label_after_draw": 1}))
    s = load_settings(path)
    assert s.fill_opacity == Settings().fill_opacity and s.last_workspace == "/a" and s.keep_label_after_draw is True


def test_unversioned_settings_are_migrated(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"keys": "cvat"}))
    s = load_settings(path)
    assert s.keymap_preset == "cvat" and s.schema_version == SCHEMA_VERSION


def test_keymap_origins_and_conflicts():
    km = effective_keymap("cvat", {"tool.polygon": ["Alt+P"]})
    assert km["tool.box"].keys == ("N",) and km["tool.box"].origin == "preset cvat"
    assert (km["frame.forward"].keys, km["frame.back"].keys) == (("V",), ("C",))  # CVAT's video keys, no conflict
    assert (km["keyframe.next"].keys, km["keyframe.previous"].keys) == (("R",), ("E",))
    assert km["task.next"].keys == ("F",) and km["task.next"].origin == "preset cvat"
    assert km["tool.polygon"].keys == ("Alt+P",) and km["tool.polygon"].origin == "user"
    assert km["edit.undo"].origin == "default"
    with pytest.raises(KeymapError, match="bound to both"):
        effective_keymap("default", {"tool.box": ["D"]})
    with pytest.raises(KeymapError, match="unknown action"):
        effective_keymap("default", {"tool.lasso": ["L"]})
    with pytest.raises(KeymapError, match="unknown keymap preset"):
        effective_keymap("emacs")
