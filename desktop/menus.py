"""The menu bar as data: each menu's title and the actions it lists (ids of desktop.keymap.ACTIONS, None a separator).

A new command shows in a menu by its id in this table; the window builds the menus from it (`build_menus`), adding
to View the theme and language choices and a toggle for each dock. Also the tools bar and the actions' tooltips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QToolBar

from desktop.i18n import language_menu
from desktop.keymap import AUDIO_ACTIONS, ActionSpec
from widgets.theme import theme_menu

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget, QMainWindow

MENUS: tuple[tuple[object, Sequence[str | None]], ...] = (  # titles: QT_TRANSLATE_NOOP keeps them literal
    (QT_TRANSLATE_NOOP("MainWindow", "&File"),
     ["workspace.open", "workspace.add_media", None, "sync.connect", "sync.now", "sync.details", None,
      "sync.sign_out", "sync.switch_user"]),
    (QT_TRANSLATE_NOOP("MainWindow", "&Edit"),
     ["edit.undo", "edit.redo", None, "edit.copy", "edit.paste", "edit.duplicate", "edit.paste_previous",
      "edit.delete", None, "edit.group", "edit.ungroup", "edit.front", "edit.back", None, "edit.hide",
      "edit.hide_all", "edit.lock", None, "edit.to_mask", "edit.to_polygons"]),
    (QT_TRANSLATE_NOOP("MainWindow", "&View"),
     ["view.zoom_in", "view.zoom_out", "view.fit", "view.actual_size", None, "view.guidelines"]),
    (QT_TRANSLATE_NOOP("MainWindow", "&Task"),
     ["task.next", "task.previous", "task.next_unfinished", "task.previous_unfinished", None, "task.submit"]),
    (QT_TRANSLATE_NOOP("MainWindow", "V&ideo"),
     ["video.play", "video.faster", "video.slower", None, "video.next_task", "video.previous_task", None,
      "frame.next", "frame.previous", "frame.forward", "frame.back", "frame.first", "frame.last", "frame.goto",
      "frame.next_annotated", "frame.previous_annotated", None, "keyframe.next", "keyframe.previous",
      "keyframe.toggle", "track.outside", "track.occluded", "track.one_frame", None, "track.split", "track.merge",
      "track.propagate", None, "track.forward", "track.backward"]),
    (QT_TRANSLATE_NOOP("MainWindow", "A&udio"), [a.id for a in AUDIO_ACTIONS]),
    (QT_TRANSLATE_NOOP("MainWindow", "&Review"),
     ["review.queue", "view.review", "review.schema", "view.dashboard", "review.audit", "review.quality",
      None, "review.accept", "review.reject", "review.next", "review.previous", None, "review.comment"]),
    (QT_TRANSLATE_NOOP("MainWindow", "&Help"), ["help.keys"]),
)


def build_menus(window: QMainWindow, actions: dict[str, QAction], docks: Sequence[QDockWidget], language: str,
                set_theme: Callable[[str], None], set_language: Callable[[str], None]) -> None:
    """The window's menu bar from MENUS; each menu is found by its English name (`file`, `view`, ...), as its title
    is translated."""
    for literal, ids in MENUS:
        title = str(literal)
        menu = window.menuBar().addMenu(QCoreApplication.translate("MainWindow", title))
        menu.setObjectName(title.replace("&", "").lower())
        for action_id in ids:
            menu.addSeparator() if action_id is None else menu.addAction(actions[action_id])
        if title == "&View":
            menu.addSeparator()
            menu.addMenu(theme_menu(window, set_theme))
            menu.addMenu(language_menu(window, language, set_language))
            menu.addSeparator()
            for dock in docks:
                menu.addAction(dock.toggleViewAction())


def tools_bar(window: QMainWindow, actions: dict[str, QAction], tool_actions: Sequence[str]) -> QToolBar:
    """The drawing tools as icons, in a bar the window puts on its left."""
    bar = QToolBar(QCoreApplication.translate("MainWindow", "Tools"), window)
    bar.setObjectName("tools")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    bar.setIconSize(QSize(28, 28))
    for action_id in tool_actions:
        bar.addAction(actions[action_id])
    return bar


def action_tooltip(action: ActionSpec, keys: tuple[str, ...]) -> str:
    """An action's text with its keys, then its tip (both in the keymap's translation context)."""
    shortcut = " / ".join(keys)
    text, tip = (QCoreApplication.translate("keymap", t) if t else "" for t in (action.text, action.tip))
    return f"{text} ({shortcut})" + (f"\n{tip}" if tip else "")
