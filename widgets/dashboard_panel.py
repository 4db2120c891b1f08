"""The Dashboard dock: the project's figures as the server's dashboard JSON gives them (sync/server/dashboard.py),
drawn with QtCharts: headline tiles, then one box per chart. It draws the four kinds of chart the JSON has
(timeseries, bars, matrix, table) without knowing the charts, so a chart added on the server shows up here too.
It fetches nothing itself (desktop/dashboard.py does, off the UI thread).
"""

from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalPercentBarSeries,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QLocale, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from widgets.theme import color

RANGES = (("24h", QT_TRANSLATE_NOOP("DashboardPanel", "Last 24 hours")),
          ("7d", QT_TRANSLATE_NOOP("DashboardPanel", "Last 7 days")),
          ("30d", QT_TRANSLATE_NOOP("DashboardPanel", "Last 30 days")))
TITLES = {  # the server's chart names; a chart it adds later shows its own (English) title
    "throughput": QT_TRANSLATE_NOOP("DashboardPanel", "Tasks submitted per annotator"),
    "active_time": QT_TRANSLATE_NOOP("DashboardPanel", "Active time per annotator"),
    "task_time": QT_TRANSLATE_NOOP("DashboardPanel", "Longest tasks by active time"),
    "reviews_by_annotator": QT_TRANSLATE_NOOP("DashboardPanel", "Review decisions per annotator"),
    "reviews_by_label": QT_TRANSLATE_NOOP("DashboardPanel", "Review decisions per label"),
    "corrections": QT_TRANSLATE_NOOP("DashboardPanel", "Labels corrected into other labels"),
    "lots": QT_TRANSLATE_NOOP("DashboardPanel", "Lots accepted and rejected"),
    "prelabels": QT_TRANSLATE_NOOP("DashboardPanel", "Pre-label acceptance per model"),
    "agreement": QT_TRANSLATE_NOOP("DashboardPanel", "Consensus agreement per annotator"),
    "gold_accuracy": QT_TRANSLATE_NOOP("DashboardPanel", "Gold task accuracy per annotator"),
}
WORDS = {  # series and column names
    "accepted": QT_TRANSLATE_NOOP("DashboardPanel", "accepted"),
    "fixed": QT_TRANSLATE_NOOP("DashboardPanel", "accepted after fixes"),
    "rejected": QT_TRANSLATE_NOOP("DashboardPanel", "rejected"),
    "returned": QT_TRANSLATE_NOOP("DashboardPanel", "returned with a lot"),
    "edited": QT_TRANSLATE_NOOP("DashboardPanel", "edited"),
    "pending": QT_TRANSLATE_NOOP("DashboardPanel", "still predictions"),
    "seconds": QT_TRANSLATE_NOOP("DashboardPanel", "active time"),
    "score": QT_TRANSLATE_NOOP("DashboardPanel", "score"),
    "task_id": QT_TRANSLATE_NOOP("DashboardPanel", "task id"),
    "task": QT_TRANSLATE_NOOP("DashboardPanel", "task"),
    "annotator": QT_TRANSLATE_NOOP("DashboardPanel", "annotator"),
}
COLORS = {"accepted": "#43b581", "fixed": "#f0b429", "edited": "#f0b429", "rejected": "#e5534b",
          "returned": "#a371f7", "pending": "#6e7a8c"}
PALETTE = ("#4fa3ff", "#43b581", "#f0b429", "#e5534b", "#a371f7", "#39c5cf", "#ff8f5a", "#d2a8ff", "#7ee787",
           "#ffa198", "#79c0ff", "#e3b341")
CHART_HEIGHT = 230
_OTHERS = re.compile(r"others \((\d+)\)")
OTHERS = QT_TRANSLATE_NOOP("DashboardPanel", "others (%1)")
SECONDS = QT_TRANSLATE_NOOP("DashboardPanel", "%1 s")
MINUTES = QT_TRANSLATE_NOOP("DashboardPanel", "%1 min %2 s")
HOURS_MINUTES = QT_TRANSLATE_NOOP("DashboardPanel", "%1 h %2 min")
HOURS = QT_TRANSLATE_NOOP("DashboardPanel", "%1 h")


def clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return _tr(SECONDS, s)
    if s < 3600:
        return _tr(MINUTES, s // 60, f"{s % 60:02d}")
    if s < 100 * 3600:
        return _tr(HOURS_MINUTES, s // 3600, f"{(s % 3600) // 60:02d}")
    return _tr(HOURS, figure(round(s / 3600)))  # a team's month: the minutes would not fit a tile


def _tr(text: str, *args: object) -> str:
    """`text` translated, its %1, %2... replaced by `args`."""
    out = QCoreApplication.translate("DashboardPanel", text)
    for i, arg in enumerate(args, 1):
        out = out.replace(f"%{i}", str(arg))
    return out


def others(name: str) -> str:
    """The server's "others (n)", the series and categories past the top ones, in the app's language."""
    folded = _OTHERS.fullmatch(name)
    return _tr(OTHERS, figure(int(folded.group(1)))) if folded else name


def figure(value: Any) -> str:
    """A count with the locale's digit grouping (299,889; 299.889 in Vietnamese), anything else as it is."""
    return QLocale().toString(value) if isinstance(value, int) else str(value)


def share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


class DashboardPanel(QWidget):
    """Range choice, the state line ("Updated 12:00:05", or offline and since when), tiles and chart boxes."""

    range_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.range = QComboBox()
        for key, text in RANGES:
            self.range.addItem(self.tr(text), key)
        self.range.currentIndexChanged.connect(lambda _i: self.range_changed.emit(self.window_key()))
        self.state = QLabel()
        self.state.setObjectName("dashboard-state")
        self.state.setWordWrap(True)
        self.tiles = QGridLayout()
        self.tile_values: dict[str, QLabel] = {}
        self.boxes: dict[str, QGroupBox] = {}
        self.shown: dict[str, Any] = {}  # each chart's JSON on show: unchanged charts are not drawn again
        self.figures: dict[str, Any] = {}  # the last answer, drawn again in a new theme's colours
        self.charts = QVBoxLayout()
        self.charts.addStretch(1)
        inner = QWidget()
        body = QVBoxLayout(inner)
        body.addLayout(self.tiles)
        body.addLayout(self.charts)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        top = QHBoxLayout()
        top.addWidget(self.range)
        top.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def window_key(self) -> str:
        return str(self.range.currentData())

    def set_state(self, text: str, warn: bool = False) -> None:
        self.state.setText(text)
        self.state.setStyleSheet(f"color: {color('warning').name()}" if warn else "")
        self.state.setProperty("warn", warn)

    def set_figures(self, figures: dict[str, Any]) -> None:
        """Show the server's answer: the tiles, and each chart (only the ones whose figures changed are drawn)."""
        self.figures = figures
        charts = figures.get("charts", [])
        self._tiles({c["name"]: c["total"] for c in charts})
        for chart in charts:
            if self.shown.get(chart["name"]) == chart:
                continue
            self.shown[chart["name"]] = chart
            box = self.boxes.get(chart["name"])
            if box is None:
                box = self.boxes[chart["name"]] = QGroupBox()
                box.setObjectName(f"chart-{chart['name']}")
                QVBoxLayout(box).setContentsMargins(2, 2, 2, 2)
                self.charts.insertWidget(self.charts.count() - 1, box)
            box.setTitle(self.tr(TITLES[chart["name"]]) if chart["name"] in TITLES else chart["title"])
            old = box.layout().takeAt(0)
            if old is not None and old.widget() is not None:
                old.widget().deleteLater()
            box.layout().addWidget(self._draw(chart))

    def _word(self, name: str) -> str:
        return self.tr(WORDS[name]) if name in WORDS else others(name)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and self.figures:  # a theme change: the charts take its colours
            self.shown.clear()
            self.set_figures(self.figures)
        super().changeEvent(event)

    # -- tiles ---------------------------------------------------------------------------------------------------

    def _tiles(self, by: dict[str, dict[str, Any]]) -> None:
        shown: list[tuple[str, str, str]] = []
        if "throughput" in by:
            shown.append(("submitted", self.tr("Tasks submitted"), figure(by["throughput"]["submitted"])))
        if "reviews_by_annotator" in by:
            r = by["reviews_by_annotator"]
            shown.append(("accepted", self.tr("Accepted"), share(r["accepted"] + r["fixed"], r["reviewed"])))
            shown.append(("rejected", self.tr("Rejected"), share(r["rejected"] + r["returned"], r["reviewed"])))
        if "active_time" in by:
            shown.append(("active", self.tr("Active time"), duration(by["active_time"]["seconds"])))
        if "lots" in by:
            shown.append(("lots", self.tr("Lots accepted / rejected"),
                          f"{figure(by['lots']['accepted'])} / {figure(by['lots']['rejected'])}"))
        if "corrections" in by:
            shown.append(("corrections", self.tr("Label corrections"), figure(by["corrections"]["corrections"])))
        if "prelabels" in by:
            p = by["prelabels"]
            shown.append(("prelabels", self.tr("Pre-labels kept unchanged"),
                          share(p["accepted"], p["accepted"] + p["edited"] + p["rejected"])))
        for i, (key, name, value) in enumerate(shown):
            label = self.tile_values.get(key)
            if label is None:
                label = self.tile_values[key] = QLabel()
                label.setObjectName(f"tile-{key}")
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.tiles.addWidget(label, i // 3, i % 3)
            label.setText(f"<div style='font-size:15pt; font-weight:600'>{value}</div><div>{name}</div>")
            label.setWordWrap(True)
            label.setProperty("value", value)

    # -- charts --------------------------------------------------------------------------------------------------

    def _draw(self, chart: dict[str, Any]) -> QWidget:
        if chart["kind"] == "matrix":
            return self._matrix(chart)
        if chart["kind"] == "table":
            return self._table(chart)
        empty = (not any(any(s["values"]) for s in chart["series"]) if chart["kind"] == "timeseries"
                 else not chart.get("categories"))
        if empty or chart["kind"] not in ("timeseries", "bars"):
            label = QLabel(self.tr("No data in this window"))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return label
        view = QChartView(self._timeseries(chart) if chart["kind"] == "timeseries" else self._bars(chart))
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        if chart["kind"] == "bars":
            view.setMinimumHeight(max(CHART_HEIGHT, 70 + 26 * len(chart["categories"])))
        else:  # room for the legend beside it, "others" last
            view.setMinimumHeight(max(CHART_HEIGHT, 40 + 21 * len(chart["series"])))
        return view

    def _new_chart(self) -> QChart:
        chart = QChart()
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        font = chart.legend().font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        chart.legend().setFont(font)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        return chart

    def _sets(self, chart: dict[str, Any], scale: float = 1.0) -> list[QBarSet]:
        sets = []
        for i, s in enumerate(chart["series"]):
            bar = QBarSet(self._word(s["name"]))
            bar.append([float(v) * scale for v in s["values"]])
            bar.setColor(QColor(COLORS.get(s["name"], "#56606f" if s["name"].startswith("others")
                                           else PALETTE[i % len(PALETTE)])))
            bar.setBorderColor(bar.color())  # QtCharts rims bars in white, which shows on a dark background
            sets.append(bar)
        return sets

    def _timeseries(self, data: dict[str, Any]) -> QChart:
        chart = self._new_chart()
        series = QStackedBarSeries()
        series.append(self._sets(data))
        chart.addSeries(series)
        offset = 60 * int(data.get("utc_offset_minutes", 0))
        buckets = data["buckets"]
        every = max(1, -(-len(buckets) // 8))
        form = "%H:00" if data["bucket"] == "hour" else "%m-%d"
        # category labels must differ: the ones skipped are made of spaces, one more each
        labels = [time.strftime(form, time.gmtime(b + offset)) if i % every == 0 else " " * (i + 1)
                  for i, b in enumerate(buckets)]
        x = QBarCategoryAxis()
        x.append(labels)
        if len(buckets) > 8:
            x.setLabelsAngle(-90)  # upright, a label would be cut to the width of its bar
        y = QValueAxis()
        y.setLabelFormat("%d")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        y.applyNiceNumbers()  # 0, 2,500, 5,000 rather than 0, 2,535, 5,071
        x.setTruncateLabels(False)  # a chart laid out while its dock was narrow would keep "..." for labels
        if len(data["series"]) > 4:  # a row of annotators under a narrow dock's chart would be cut to "a..."
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        return self._in_palette(chart)

    def _bars(self, data: dict[str, Any]) -> QChart:
        chart = self._new_chart()
        scale = data["scale"]
        percent = scale == "percent"
        series = (QHorizontalPercentBarSeries() if scale == "share" else QHorizontalBarSeries() if percent
                  else QHorizontalStackedBarSeries())
        hours = data.get("unit") == "seconds"
        factor = 100.0 if percent else 1 / 3600 if hours else 1.0
        # a category axis counts from the bottom: reversed, the first category stands on top as on the web page
        upside = {**data, "series": [{**s, "values": s["values"][::-1]} for s in data["series"]]}
        series.append(self._sets(upside, factor))
        chart.addSeries(series)
        names = [others(n) for n in data["categories"]]
        note = data.get("note")
        if note:
            unit = note.get("unit")
            names = [f"{n} · {duration(v) if unit == 'seconds' else figure(v)}" for n, v in zip(names, note["values"],
                                                                                          strict=True)]
        y = QBarCategoryAxis()
        y.append(names[::-1])
        x = QValueAxis()
        if percent:
            x.setRange(0, 100)
            x.setLabelFormat("%d %%")
        elif hours:
            x.setTitleText(self.tr("hours"))
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y)
        series.attachAxis(x)
        if scale == "count":  # "others" sums many annotators: scaled to the named bars, its own is cut at the edge
            named = [sum(s["values"][i] for s in data["series"]) for i, n in enumerate(data["categories"])
                     if not n.startswith("others")]
            if named and max(named) > 0:
                x.setRange(0, max(named) * factor)
            x.applyNiceNumbers()
        y.setTruncateLabels(False)
        chart.legend().setVisible(len(data["series"]) > 1)
        return self._in_palette(chart)

    def _in_palette(self, chart: QChart) -> QChart:
        """QtCharts paints white whatever the theme: its background, labels and grid from the app's palette."""
        palette = self.palette()
        text, line = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Mid)
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.legend().setLabelColor(text)
        for axis in chart.axes():
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
            axis.setGridLineColor(line)
            axis.setLinePenColor(line)
        return chart

    def _matrix(self, data: dict[str, Any]) -> QWidget:
        if not data["rows"]:
            return QLabel(self.tr("No corrections in this window"))
        table = QTableWidget(len(data["rows"]), len(data["columns"]))
        table.setVerticalHeaderLabels(data["rows"])
        table.setHorizontalHeaderLabels(data["columns"])
        table.setToolTip(self.tr("Rows: the annotator's label; columns: the reviewer's"))
        most = max([1, *(v for row in data["values"] for v in row)])
        for i, row in enumerate(data["values"]):
            for j, v in enumerate(row):
                item = QTableWidgetItem(str(v) if v else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if v:
                    item.setBackground(QColor(229, 83, 75, int(60 + 195 * v / most)))
                table.setItem(i, j, item)
        table.resizeColumnsToContents()
        table.setMinimumHeight(min(400, 40 + 30 * len(data["rows"])))
        return table

    def _table(self, data: dict[str, Any]) -> QWidget:
        if not data["rows"]:
            return QLabel(self.tr("No data in this window"))
        table = QTableWidget(len(data["rows"]), len(data["columns"]))
        table.setHorizontalHeaderLabels([self._word(c) for c in data["columns"]])
        for i, row in enumerate(data["rows"]):
            for j, (name, v) in enumerate(zip(data["columns"], row, strict=True)):
                table.setItem(i, j, QTableWidgetItem(duration(v) if name == "seconds" else str(v)))
        table.resizeColumnsToContents()
        table.setMinimumHeight(min(360, 40 + 26 * len(data["rows"])))
        return table
