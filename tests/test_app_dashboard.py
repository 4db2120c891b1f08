"""The Dashboard dock in the real app: a lead's synced workspace on a real server on loopback shows the server's
figures (Ctrl+Alt+D), follows new work within a refresh, keeps the figures and says when they are from once the
server is gone; an annotator is told the dashboard is for leads."""

import time

from PySide6.QtCharts import QChartView, QValueAxis
from PySide6.QtCore import QLocale
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMenu, QTableWidget

from tests.app_windows import open_window, press
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for
from tests.test_dashboard import box, do_work, submit_op, uid
from widgets.dashboard_panel import DashboardPanel, duration


def test_the_dock_shows_the_servers_figures_live_and_offline(qtbot, seeded_sqlite, keys, tmp_path):
    do_work(seeded_sqlite)
    clone_for(seeded_sqlite.server.url, "lead", PASSWORD, tmp_path / "lead", keys).close()
    window = open_window(qtbot, keys, tmp_path / "lead")
    controller, panel = window.dashboard, window.dashboard.panel
    assert window.actions_by_id["view.dashboard"].shortcut().toString() == "Ctrl+Alt+D"
    review_menu = window.menuBar().findChild(QMenu, "review")
    assert window.actions_by_id["view.dashboard"] in review_menu.actions()
    press(qtbot, window, "view.dashboard")
    assert controller.dock.isVisible()
    qtbot.waitUntil(lambda: panel.state.text().startswith("Updated"), timeout=10_000)
    tiles = {k: v.property("value") for k, v in panel.tile_values.items()}
    assert tiles["submitted"] == "3" and tiles["lots"] == "1 / 1" and tiles["corrections"] == "2"
    assert tiles["active"] == "1 min 35 s" and tiles["prelabels"] == "33.3 %"
    assert panel.boxes["throughput"].title() == "Tasks submitted per annotator"
    view = panel.boxes["throughput"].findChild(QChartView)
    (series,) = view.chart().series()
    assert sorted(s.label() for s in series.barSets()) == ["ann1", "ann2"]
    assert sum(sum(s.at(i) for i in range(s.count())) for s in series.barSets()) == 3
    matrix = panel.boxes["corrections"].findChild(QTableWidget)
    cells = {(matrix.verticalHeaderItem(i).text(), matrix.horizontalHeaderItem(j).text()): matrix.item(i, j).text()
             for i in range(matrix.rowCount()) for j in range(matrix.columnCount()) if matrix.item(i, j).text()}
    assert cells == {("car", "person"): "1", ("truck", "person"): "1"}
    longest = panel.boxes["task_time"].findChild(QTableWidget)
    assert longest.item(0, 1).text() == "img0.png" and longest.item(0, 3).text() == "1 min 35 s"
    window.grab().save(str(tmp_path / "dock.png"))
    # new work: the next refresh (every 5 s while the dock is on show) has it
    s, p = seeded_sqlite.sessions, seeded_sqlite.project_id
    task = s["admin"].post(f"/projects/{p}/tasks", json={"media_sha256": seeded_sqlite.media[2], "name": "more.png",
                                                         "width": 64, "height": 48}).json()["id"]
    assert s["lead"].post(f"/tasks/{task}/assign", json={"user": "ann2"}).status_code == 200
    s["ann2"].push([s["ann2"].op(task, uid(), box("car")), submit_op(s["ann2"], task)])
    arrived = time.monotonic()
    qtbot.waitUntil(lambda: panel.tile_values["submitted"].property("value") == "4", timeout=7_000)
    assert time.monotonic() - arrived <= 6.0
    fetched = controller.fetched_at
    # the server goes away: the figures stay, and the dock says what time they are from
    server = seeded_sqlite.server
    server._server.should_exit = True
    server._thread.join(timeout=20)
    qtbot.waitUntil(lambda: panel.state.text().startswith("Offline"), timeout=15_000)
    assert time.strftime("%H:%M:%S", time.localtime(fetched)) in panel.state.text()
    assert panel.tile_values["submitted"].property("value") == "4" and panel.state.property("warn")
    controller.dock.hide()
    assert not controller.timer.isActive()
    controller.wait(15)
    window.close()


def test_an_annotator_is_told_the_dashboard_is_for_leads(qtbot, seeded_sqlite, keys, tmp_path):
    clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    window = open_window(qtbot, keys, tmp_path / "ann1")
    press(qtbot, window, "view.dashboard")
    assert window.dashboard.panel.state.text() == "The dashboard is for leads and admins"
    assert window.dashboard.job is None and window.dashboard.panel.boxes == {}
    window.close()


def test_the_dock_at_scale_keeps_the_named_bars_readable(qtbot):
    """1,000 annotators: "others" sums 990 of them; the named bars are scaled to themselves and its bar is cut at
    the axis' end, a month of team time shows in whole hours, and the legend has room for "others"."""
    hours = [14.1, 13.8, 11634.0]
    figures = {"charts": [
        {"name": "active_time", "title": "Active time per annotator", "kind": "bars", "scale": "count",
         "unit": "seconds", "good": ["seconds"], "categories": ["ann1", "ann2", "others (990)"],
         "series": [{"name": "seconds", "values": [h * 3600 for h in hours]}],
         "note": {"name": "per task", "unit": "seconds", "values": [150, 151, 149]},
         "total": {"seconds": sum(hours) * 3600, "tasks": 280_000, "annotators": 992}},
        {"name": "throughput", "title": "Tasks submitted per annotator", "kind": "timeseries", "unit": "tasks",
         "bucket": "day", "buckets": [0.0, 86400.0],
         "series": [{"name": f"ann{i}", "values": [1, 2]} for i in range(10)] + [
             {"name": "others (990)", "values": [9000, 9500]}],
         "total": {"submitted": 298_965, "resubmitted": 14_000, "annotators": 1000}}]}
    panel = DashboardPanel()
    qtbot.addWidget(panel)
    panel.set_figures(figures)
    view = panel.boxes["active_time"].findChild(QChartView)
    axis = next(a for a in view.chart().axes() if isinstance(a, QValueAxis))
    assert 14.1 <= axis.max() <= 20
    assert panel.tile_values["active"].property("value") == f"{QLocale().toString(11_662)} h"
    assert panel.tile_values["submitted"].property("value") == QLocale().toString(298_965)
    assert duration(99 * 3600 + 59 * 60) == "99 h 59 min"
    series_view = panel.boxes["throughput"].findChild(QChartView)
    assert series_view.minimumHeight() >= 40 + 21 * 11
    base = panel.palette().color(QPalette.ColorRole.Base)  # the theme's colours, not QtCharts' white
    assert series_view.chart().backgroundBrush().color() == base and view.chart().backgroundBrush().color() == base
