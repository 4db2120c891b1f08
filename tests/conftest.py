"""Shared test set-up: Qt renders offscreen, settings go to a temporary folder, never to the user's."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ANNODESK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
