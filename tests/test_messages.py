"""Texts of the Qt-free layers (core.messages): English as str() for the CLI and logs, translated where the app shows
them. The Vietnamese here comes from a small .ts compiled into tmp_path, so the test does not wait for the repository's
.ts to be filled (tests/test_translations.py checks that)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from core import messages
from core.formats import FormatError
from core.formats.untrusted import load_json
from core.media import MediaError, probe_image
from core.messages import Message, compose, error_text, joined, translate
from core.sampling.reasons import lot_rejected, read_reason
from core.schema import LabelSchema
from desktop.jobs import Job
from sync.client.http import ServerError
from sync.transfer import import_dataset
from sync.workspace import Workspace
from widgets.messages import translated

SCHEMA = LabelSchema.from_json({"labels": [{"name": "cat"}]})
VIETNAMESE = {
    ("formats", "{file}: not valid JSON: {error}"): "{file}: không phải JSON hợp lệ: {error}",
    ("media", "empty file (0 bytes)"): "tệp rỗng (0 byte)",
    ("sync", "server refused ({status} {code}): {meaning} ({detail})"):
        "máy chủ từ chối ({status} {code}): {meaning} ({detail})",
    ("refusals", "your role does not allow this in this project"): "vai trò của bạn không được làm việc này",
    ("sampling", "lot {key} rejected: {defects} defects in a sample of {n} (Re {re})"):
        "lô {key} bị từ chối: {defects} lỗi trong mẫu {n} (Re {re})",
    ("transfer", "imported {annotations} annotations on {matched} of {items} images ({added} images added, "
                 "{duplicates} already present, {skipped} skipped)"):
        "đã nhập {annotations} chú thích trên {matched} / {items} ảnh (thêm {added} ảnh, {duplicates} đã có, bỏ qua "
        "{skipped})",
    ("transfer", "{item}: {kind} not in the workspace and not found beside the annotation file"):
        "{item}: {kind} không có trong không gian làm việc và không tìm thấy cạnh tệp chú thích",
}


@pytest.fixture
def vietnamese(qapp, tmp_path):
    """A translator for VIETNAMESE, compiled with pyside6-lrelease and installed; removed after the test."""
    contexts: dict[str, list[str]] = {}
    for (context, source), text in VIETNAMESE.items():
        contexts.setdefault(context, []).append(f"<message><source>{source}</source>"
                                                f"<translation>{text}</translation></message>")
    ts = tmp_path / "vi.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="vi">' + "".join(
        f"<context><name>{name}</name>{''.join(messages)}</context>" for name, messages in contexts.items()) + "</TS>",
        encoding="utf-8")
    qm = tmp_path / "vi.qm"
    subprocess.run([str(Path(sys.executable).parent / "pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
                   check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def _bad_json(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    return bad


def test_a_message_is_its_english_text_and_keeps_its_template(tmp_path):
    with pytest.raises(FormatError, match=r"bad\.json: not valid JSON: ") as caught:
        load_json(_bad_json(tmp_path))
    message = error_text(caught.value)
    assert isinstance(message, Message) and str(caught.value) == message
    assert (message.context, message.template) == ("formats", "{file}: not valid JSON: {error}")
    assert message.fields["file"] == tmp_path / "bad.json"
    again = pickle.loads(pickle.dumps(message))  # e.g. an error crossing to a worker process
    assert again == message and again.template == message.template and again.fields == message.fields
    counted = translate("c", "{n:,} files").format(n=12345)
    assert counted == "12,345 files" and json.dumps(counted) == '"12,345 files"'
    with pytest.raises(TypeError):
        translate("c", "{0} files").format(3)


def test_errors_and_import_messages_from_core_show_in_vietnamese(vietnamese, tmp_path):
    with pytest.raises(FormatError) as caught:
        load_json(_bad_json(tmp_path))
    assert translated(caught.value).startswith(f"{tmp_path / 'bad.json'}: không phải JSON hợp lệ: ")
    assert str(caught.value).startswith(f"{tmp_path / 'bad.json'}: not valid JSON: ")  # the CLI stays English

    empty = tmp_path / "empty.png"
    empty.touch()
    with pytest.raises(MediaError) as media:  # "{path}: {reason}", the reason a Message of its own
        probe_image(empty)
    assert translated(media.value) == f"{empty}: tệp rỗng (0 byte)"
    assert translated(media.value.reason) == "tệp rỗng (0 byte)"

    coco = tmp_path / "instances.json"
    coco.write_text(json.dumps({"images": [{"id": 1, "file_name": "missing.png", "width": 8, "height": 8}],
                                "annotations": [], "categories": [{"id": 1, "name": "cat"}]}), encoding="utf-8")
    with Workspace.create(tmp_path / "ws", SCHEMA) as ws:
        report = import_dataset(ws, "coco", coco)
    assert [translated(line) for line in report.summary()] == [
        "đã nhập 0 chú thích trên 0 / 1 ảnh (thêm 0 ảnh, 0 đã có, bỏ qua 0)"]
    assert ("missing.png: image không có trong không gian làm việc và không tìm thấy cạnh tệp chú thích"
            in [translated(m) for m in report.messages])
    assert translated("plain text") == "plain text" and translated(ValueError("not a message")) == "not a message"


def test_a_background_job_reports_a_core_error_in_vietnamese(vietnamese, qtbot, tmp_path):
    bad = _bad_json(tmp_path)
    with Workspace.create(tmp_path / "ws", SCHEMA) as ws:
        job = Job("Nhập", lambda _state: import_dataset(ws, "coco", bad))
        with qtbot.waitSignal(job.failed, timeout=10000) as failed:
            job.start()
        assert job.wait(10)
    assert failed.args[0].startswith(f"Nhập: {bad}: không phải JSON hợp lệ: ")


def test_without_a_translation_the_english_text_is_shown(qapp, tmp_path):
    with pytest.raises(FormatError) as caught:
        load_json(_bad_json(tmp_path))
    assert translated(caught.value) == str(caught.value)
    nested = translate("x", "{outer}: {inner}").format(outer=1, inner=translate("y", "{n} left").format(n=2))
    assert translated(nested) == "1: 2 left"


def test_a_stored_message_comes_back_translatable(vietnamese, tmp_path):
    refused = ServerError(403, "forbidden", "lead role required", {})
    assert str(refused) == ("server refused (403 forbidden): your role does not allow this in this project (lead "
                            "role required)")
    error = joined([error_text(refused), translate("media", "empty file (0 bytes)"),
                    compose("{path}: {reason}", path=tmp_path / "a.png", reason="gone")])
    again = messages.loads(messages.dumps(error))  # as the last sync error is stored in the workspace
    assert again == error and isinstance(again, Message)
    assert translated(again) == ("máy chủ từ chối (403 forbidden): vai trò của bạn không được làm việc này (lead role "
                                 f"required); tệp rỗng (0 byte); {tmp_path / 'a.png'}: gone")
    assert messages.loads("cannot reach the server") == "cannot reach the server"  # an older workspace's plain text
    assert messages.loads("42") == "42" and messages.loads(messages.dumps("plain")) == "plain"
    unknown = ServerError(409, "a_new_code", "what the server said", {})
    assert str(unknown) == "server refused (409 a_new_code): what the server said"


def test_a_lots_rejection_reason_is_read_back_translatable(vietnamese):
    written = str(lot_rejected("ann1@2026-12-07", 2, 13, 2))  # as the server stores it on the review
    assert written == "lot ann1@2026-12-07 rejected: 2 defects in a sample of 13 (Re 2)"
    assert translated(read_reason(written)) == "lô ann1@2026-12-07 bị từ chối: 2 lỗi trong mẫu 13 (Re 2)"
    assert translated(read_reason("the box misses the mirror")) == "the box misses the mirror"  # a lead's own words
