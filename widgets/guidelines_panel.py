"""The Guidelines dock: the current label's guideline first (what the annotator needs now), then the project's, each
description shown as Markdown with its do/don't example images as thumbnails (a green frame and "✓ Do", a red frame
and "✗ Don't": the words say it to those who cannot tell the colours apart) and their captions.

Images come through a callback (desktop/guidelines.py reads them from the encrypted media cache), so the panel works
offline and knows nothing of the workspace; one that is not downloaded yet says so in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from core.guidelines import Example, Guide, Guidelines

THUMB = 150  # pixels of a thumbnail's longer side
COLUMNS = 2
DO_COLOR, DONT_COLOR = "#2e7d32", "#c62828"
ImageSource = Callable[[str], bytes | None]  # SHA-256 -> the image's bytes, None while not downloaded


class ExampleThumb(QFrame):
    """One example: "✓ Do" or "✗ Don't", the picture in a green or red frame, the caption under it."""

    def __init__(self, example: Example, pixmap: QPixmap | str, parent: QWidget | None = None) -> None:
        """`pixmap`: the thumbnail, or a sentence saying why there is none."""
        super().__init__(parent)
        self.example = example
        self.has_image = isinstance(pixmap, QPixmap)
        colour = DO_COLOR if example.do else DONT_COLOR
        self.setObjectName("example")
        self.setStyleSheet(f"QFrame#example {{ border: 3px solid {colour}; border-radius: 3px; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        self.verdict = QLabel(self.tr("✓ Do") if example.do else self.tr("✗ Don't"))
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if isinstance(pixmap, QPixmap):
            self.picture.setPixmap(pixmap)
        else:
            self.picture.setText(pixmap)
            self.picture.setWordWrap(True)
            self.picture.setMinimumHeight(THUMB // 2)
        self.caption = QLabel(example.caption)
        self.caption.setWordWrap(True)
        for widget in (self.verdict, self.picture, self.caption):
            layout.addWidget(widget)
        self.setToolTip(example.caption)


class GuideSection(QWidget):
    """A heading, a description and a grid of example thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.MarkdownText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(self.grid)
        self.thumbs: list[ExampleThumb] = []

    def show_guide(self, title: str, guide: Guide, empty: str, image: Callable[[str], QPixmap | str]) -> None:
        self.title.setText(title)
        self.text.setText(guide.description if guide.description.strip() else f"*{empty}*")
        for thumb in self.thumbs:  # off the screen at once: a deferred delete would leave it drawn until then
            self.grid.removeWidget(thumb)
            thumb.hide()
            thumb.setParent(None)
            thumb.deleteLater()
        self.thumbs = [ExampleThumb(e, image(e.sha256)) for e in guide.examples]
        for i, thumb in enumerate(self.thumbs):
            self.grid.addWidget(thumb, i // COLUMNS, i % COLUMNS)


class GuidelinesPanel(QScrollArea):
    """Shows one project's guidelines; set_label follows the label in use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.label_section = GuideSection()
        self.project_section = GuideSection()
        self.version = QLabel()
        self.version.setStyleSheet("color: gray;")
        for widget in (self.note, self.label_section, self.project_section, self.version):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setWidget(body)
        self.guidelines: Guidelines | None = None
        self.label: str | None = None
        self._images: ImageSource = lambda _sha: None
        self._pixmaps: dict[str, QPixmap] = {}
        self.set_guidelines(None)

    def set_guidelines(self, guidelines: Guidelines | None, images: ImageSource | None = None,
                       note: str = "") -> None:
        """Show these guidelines (None: there are none; `note` says why)."""
        if images is not None:
            self._images = images
        if guidelines is None or guidelines != self.guidelines:
            self._pixmaps.clear()  # a new version may name other images, or ones that arrived since
        self.guidelines = guidelines
        self._show(note)

    def set_label(self, name: str | None) -> None:
        if name != self.label:
            self.label = name
            self._show()

    def thumbs(self) -> Sequence[ExampleThumb]:
        """Every thumbnail on show, the label's first."""
        return [*self.label_section.thumbs, *self.project_section.thumbs]

    def _show(self, note: str = "") -> None:
        g = self.guidelines
        self.note.setText(note or (self.tr("No guidelines for this project yet") if g is None else ""))
        self.note.setVisible(bool(self.note.text()))
        for section in (self.label_section, self.project_section):
            section.setVisible(g is not None)
        self.version.setVisible(g is not None)
        if g is None:
            return
        if self.label:
            self.label_section.show_guide(self.label, g.for_label(self.label),
                                          self.tr("No guideline for this label"), self._pixmap)
        self.label_section.setVisible(bool(self.label))
        self.project_section.show_guide(self.tr("The whole project"), g.project,
                                        self.tr("No general guidelines"), self._pixmap)
        self.version.setText(self.tr("Version {0}, by {1}").format(g.version, g.author or "?"))

    def _pixmap(self, sha: str) -> QPixmap | str:
        if sha in self._pixmaps:
            return self._pixmaps[sha]
        data = self._images(sha)
        if data is None:
            return self.tr("Image not downloaded yet: it comes with the next sync")
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            return self.tr("This example is not an image Annodesk can show")
        pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        self._pixmaps[sha] = pixmap
        return pixmap
