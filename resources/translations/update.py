"""Refresh the .ts sources from the code: `.venv/bin/python resources/translations/update.py`.

pyside6-lupdate reads every tr()/translate()/QT_TRANSLATE_NOOP literal under widgets/ and desktop/, and the
`translate(context, template)` declarations of core.messages under core/, sync/ and inference/. Two kinds of text
it cannot see are added through a generated file: the keymap's action texts and tips (data in desktop/keymap.py,
translated where shown in the "keymap" context) and the standard buttons Qt draws itself (context QPlatformTheme).
New strings arrive as type="unfinished"; tests/test_translations.py fails until each has its translation.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.keymap import ACTIONS  # noqa: E402  (after the path: run as a script from anywhere)

QT_BUTTONS = ("OK", "Cancel", "Close", "&Yes", "&No", "Apply", "Save", "Discard", "Reset", "Open")
LANGUAGES = ("vi",)
SOURCES = ("widgets", "desktop", "core", "sync", "inference")  # the last three: core.messages.translate


def keymap_texts() -> list[str]:
    """Every text and tip of the keymap, in table order, once each."""
    texts = [t for spec in ACTIONS for t in (spec.text, spec.tip) if t]
    return list(dict.fromkeys(texts))


def main() -> None:
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    lines = [f"QT_TRANSLATE_NOOP({'keymap'!r}, {text!r})" for text in keymap_texts()]
    lines += [f"QT_TRANSLATE_NOOP({'QPlatformTheme'!r}, {text!r})" for text in QT_BUTTONS]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data_texts.py"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sources = sorted(str(p) for folder in SOURCES for p in (ROOT / folder).rglob("*.py"))
        for language in LANGUAGES:
            ts = ROOT / "resources" / "translations" / f"annodesk_{language}.ts"
            subprocess.run([str(lupdate), *sources, str(data), "-locations", "none", "-no-obsolete",
                            "-target-language", language, "-ts", str(ts)], check=True)


if __name__ == "__main__":
    main()
