"""Shared test set-up: Qt renders offscreen, settings go to a temporary folder, never to the user's."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ANNODESK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def keys(tmp_path):
    """Workspace keys in an in-memory keyring (tests/sync_client_helpers.py); no workspace codec outlives the test."""
    from sync.workspace import Workspace
    from tests.sync_client_helpers import memory_keys

    keys, _backend = memory_keys(tmp_path)
    yield keys
    Workspace.codec_provider = None
