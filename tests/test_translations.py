"""Languages: every visible string of widgets/ and desktop/, and every core.messages text of the Qt-free layers, has
its Vietnamese translation, and the app shows them.

A string added to the code without a translation fails here: run `.venv/bin/python resources/translations/update.py`
(it adds the string to the .ts as unfinished), then write its translation in resources/translations/annodesk_vi.ts.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtCore import QCoreApplication, QLocale

from desktop import i18n
from desktop.keymap import ACTIONS
from desktop.settings import Settings, load_settings, save_settings
from resources import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
TS = TRANSLATIONS / "annodesk_vi.ts"
SOURCES = ("widgets", "desktop", "core", "sync", "inference")  # as resources/translations/update.py


def messages() -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <translation> element of each message in the Vietnamese .ts."""
    found = {}
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message.find("translation")
    return found


def code_strings() -> set[tuple[str, str]]:
    """(context, source) of each literal in self.tr(...) (context: the enclosing class), translate(ctx, ...) and
    QT_TRANSLATE_NOOP(ctx, ...) under widgets/ and desktop/, and core.messages.translate(ctx, ...) under core/, sync/
    and inference/: what pyside6-lupdate extracts (resources/translations/update.py)."""
    found: set[tuple[str, str]] = set()
    for path in sorted(p for folder in SOURCES for p in (ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]:
            for call in ast.walk(cls):
                if not isinstance(call, ast.Call) or not call.args:
                    continue
                name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                texts = [a.value for a in call.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if name == "tr" and isinstance(cls, ast.ClassDef) and len(texts) >= 1 and _is_str(call.args[0]):
                    found.add((cls.name, texts[0]))
                elif name in ("translate", "QT_TRANSLATE_NOOP") and len(texts) == 2:
                    found.add((texts[0], texts[1]))
    return found


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_every_string_of_the_ts_has_its_vietnamese_translation():
    untranslated = [source for (_, source), tr in messages().items()
                    if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished") or not (tr.text or "")]
    assert not untranslated, f"{len(untranslated)} strings have no Vietnamese translation: {untranslated[:10]}"


def test_translations_keep_the_placeholders_of_their_source():
    for (context, source), tr in messages().items():
        assert sorted(re.findall(r"\{[^}]*\}", source)) == sorted(re.findall(r"\{[^}]*\}", tr.text or "")), (
            context, source, tr.text)


def test_every_translated_string_in_the_code_is_in_the_ts():
    known = set(messages())
    missing = sorted(code_strings() - known)
    assert not missing, (f"strings not in {TS.name} (run resources/translations/update.py, then translate): "
                         f"{missing[:10]}")
    assert len(known) > 300


def test_every_keymap_text_and_tip_is_in_the_ts():
    known = {source for context, source in messages() if context == "keymap"}
    missing = sorted({t for spec in ACTIONS for t in (spec.text, spec.tip) if t} - known)
    assert not missing, f"keymap texts not in {TS.name}: {missing[:10]}"


def test_the_language_setting_defaults_to_the_system_and_is_saved(monkeypatch):
    assert Settings().language == "system"
    settings = Settings(language="vi")
    save_settings(settings)
    assert load_settings().language == "vi"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.Vietnamese)))
    assert i18n.resolve("system") == "vi"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.German)))
    assert i18n.resolve("system") == "en"
    assert i18n.resolve("klingon") == "en"


@pytest.fixture
def vietnamese(qapp, tmp_path, monkeypatch):
    """The Vietnamese translator installed (compiled from the .ts into a temporary cache), English again after."""
    monkeypatch.setattr(i18n.platformdirs, "user_cache_dir", lambda _name: str(tmp_path / "cache"))
    assert i18n.install_translator("vi") == "vi"
    yield
    i18n.install_translator("en")


def test_the_main_window_and_the_audio_bar_show_vietnamese(qtbot, vietnamese):
    from desktop.main_window import MainWindow
    from widgets.audio_controls import AudioControls

    window = MainWindow(Settings(language="vi"))
    qtbot.addWidget(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[:4] == ["&Tệp", "&Sửa", "&Xem", "Tác &vụ"]
    assert window.actions_by_id["task.next"].text() == "Tác vụ sau"
    assert window.actions_by_id["edit.undo"].toolTip().startswith("Hoàn tác (Ctrl+Z)")
    assert window.docks["Labels"].windowTitle() == "Nhãn" and window.docks["Labels"].objectName() == "labels"
    assert window.save_label.text() == "Đã lưu mọi thay đổi"
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Xem")
    assert {"&Giao diện", "&Ngôn ngữ"} <= {a.text() for a in view.actions()}
    bar = AudioControls()
    qtbot.addWidget(bar)
    assert bar.loop.text() == "Lặp"
    assert [bar.display.itemText(i) for i in range(bar.display.count())] == ["Dạng sóng", "Phổ đồ", "Cả hai"]
    assert bar.text.placeholderText() == "Bản chép lời của phân đoạn đã chọn (F2)"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Hủy"


def test_english_stays_the_source_and_a_missing_compiler_falls_back_to_english(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr(i18n.platformdirs, "user_cache_dir", lambda _name: str(tmp_path / "cache"))
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)  # no .qm next to the sources
    (tmp_path / "annodesk_vi.ts").write_text(TS.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(i18n.shutil, "which", lambda *_a, **_k: None)
    assert i18n.install_translator("vi") == "en"
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_the_language_menu_saves_the_choice(qtbot):
    from desktop.main_window import MainWindow

    window = MainWindow(Settings())
    qtbot.addWidget(window)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    language = next(a.menu() for a in view.actions() if a.text() == "&Language")
    assert [a.text() for a in language.actions()] == ["&System", "English", "Tiếng Việt"]
    assert language.actions()[0].isChecked()
    language.actions()[2].trigger()
    assert load_settings().language == "vi"
    assert "starts again" in window.statusBar().currentMessage()


def test_the_welcome_cards_show_their_whole_vietnamese_text(qtbot, vietnamese):
    from widgets.welcome_page import WelcomePage

    page = WelcomePage()
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    qtbot.waitExposed(page)
    assert page.new_button.accessibleName().startswith("Tạo không gian làm việc từ một thư mục")  # the longest
    for button in page._buttons():
        for label in (button.title, button.description):  # wrapped to the card's width, none of it cut off
            assert label.wordWrap() and label.height() >= label.heightForWidth(label.width()), label.text()
            assert button.contentsRect().contains(label.geometry()), label.text()


def test_the_export_dialog_words_its_formats_in_vietnamese(qtbot, vietnamese):
    from core.formats import FORMATS
    from desktop.transfer import format_entries
    from widgets.transfer_dialog import ExportDialog

    dialog = ExportDialog(None, format_entries(FORMATS.values(), reading=False), [], "yolo")
    qtbot.addWidget(dialog)
    about = dialog.chooser.about.text()  # the format row's description and media kinds, from core/formats
    assert about.startswith("YOLO (Ultralytics): nhãn detect, segment, pose hoặc OBB") and "Chứa hình ảnh" in about
    labels = [dialog.form.itemAt(i, dialog.form.ItemRole.LabelRole) for i in range(dialog.form.rowCount())]
    assert "Loại tác vụ" in [item.widget().text() for item in labels if item is not None]


def test_the_dashboard_dock_words_durations_and_others_in_vietnamese(qtbot, vietnamese):
    from widgets.dashboard_panel import DashboardPanel, duration, others

    assert duration(95) == "1 phút 35 giây" and duration(7 * 3600 + 60) == "7 giờ 01 phút"
    assert others("others (990)") == f"khác ({QLocale().toString(990)})" and others("ann1") == "ann1"
    panel = DashboardPanel()
    qtbot.addWidget(panel)
    panel.set_figures({"charts": [{"name": "throughput", "title": "Tasks submitted per annotator",
                                   "kind": "timeseries", "unit": "tasks", "bucket": "day", "buckets": [0.0],
                                   "series": [{"name": "ann1", "values": [2]}, {"name": "others (3)", "values": [5]}],
                                   "total": {"submitted": 7, "resubmitted": 0, "annotators": 4}}]})
    assert panel.boxes["throughput"].title() == "Tác vụ đã nộp theo người gán nhãn"
    (series,) = panel.boxes["throughput"].findChild(QChartView).chart().series()
    assert [s.label() for s in series.barSets()] == ["ann1", "khác (3)"]
