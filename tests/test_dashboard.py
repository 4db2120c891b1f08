"""The lead's dashboard on a real server: figures from real pushes and reviews through the HTTP API (SQLite and
PostgreSQL), who may read them (leads and admins; a dashboard token for its project only, GET only), the CSV export,
the CLI, and the web page in headless Chromium polling the JSON."""

import json
import shutil
import time
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.server import cli, dashboard, dashboard_tokens, db
from tests.server_fixtures import http_client

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
QA = {"qa": {"lots": "annotator_day", "plan": {"kind": "percent", "percent": 100, "min": 1, "accept": 1}}}


def uid():
    return uuid.uuid4().hex


def box(label, x=1.0, **more):
    return {"label": label, "kind": "box", "geometry": [x, 2.0, 10.0, 8.0], **more}


def submit_op(session, task):
    return session.op(task, str(task), {"status": "submitted"}, entity="task", op="status")


def charts(answer):
    return {c["name"]: c for c in answer["charts"]}


def do_work(seeded):
    """ann1 labels task 1 (a box, four predictions of model yolo: accepted, edited, deleted, left) and submits it in
    the same batch; task 2 with a box, submitted over REST; ann2 submits task 3. The lead relabels ann1's box on
    task 2 (a correction), accepts task 1 after fixes, rejects task 2; ann1's later relabel of that box loses to
    the lead's (a conflict); task 3 is accepted. Lots per annotator day, every task sampled, accept with 1 defect."""
    s, t = seeded.sessions, seeded.task_ids
    ann1, ann2, lead = s["ann1"], s["ann2"], s["lead"]
    assert lead.http.put(f"/projects/{seeded.project_id}/qa", json=QA).status_code == 200
    ids = {k: uid() for k in ("human", "kept", "edited", "deleted", "left", "b2", "b3")}
    model = {"source_kind": "model", "source_model": "yolo", "source_score": 0.9}
    ann1.push([ann1.op(t[0], ids["human"], box("car")),
               *(ann1.op(t[0], ids[k], box("person", x=i, **model)) for i, k in enumerate(
                   ("kept", "edited", "deleted", "left")))])
    now = time.time()
    ann1.push([ann1.op(t[0], ids["kept"], {"source_kind": "human"}, base=1),
               ann1.op(t[0], ids["edited"], {"source_kind": "human", "geometry": [5.0, 5.0, 9.0, 9.0]}, base=1),
               ann1.op(t[0], ids["deleted"], {}, base=1, op="delete"),
               ann1.op(t[0], uid(), {"seconds": 95.0, "started": now - 200, "ended": now - 100}, entity="time",
                       op="add"),
               submit_op(ann1, t[0])])
    ann1.push([ann1.op(t[1], ids["b2"], box("car"))])
    assert ann1.post(f"/tasks/{t[1]}/submit").status_code == 200
    ann2.push([ann2.op(t[2], ids["b3"], box("person")), submit_op(ann2, t[2])])
    for lot in lead.get(f"/projects/{seeded.project_id}/lots").json()["items"]:  # draw each day's sample now
        assert lead.post(f"/projects/{seeded.project_id}/lots/{lot['id']}/close").status_code == 200
    lead.push([lead.op(t[1], ids["b2"], {"label": "person"}, base=1)])
    assert lead.post(f"/tasks/{t[0]}/review", json={"decision": "accept", "fixed": True}).status_code == 200
    assert lead.post(f"/tasks/{t[1]}/review", json={"decision": "reject", "reason": "wrong label"}).status_code == 200
    lost = ann1.push([ann1.op(t[1], ids["b2"], {"label": "truck"}, base=1)])
    assert lost["results"][0]["reason"].startswith("reviewer_wins")
    assert lead.post(f"/tasks/{t[2]}/review", json={"decision": "accept"}).status_code == 200
    return ids


def test_figures_from_real_pushes_and_reviews(seeded):
    do_work(seeded)
    lead, p = seeded.sessions["lead"], seeded.project_id
    r = lead.get(f"/projects/{p}/dashboard")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["project"]["name"] == "streets" and answer["bucket"] == "hour"
    got = charts(answer)
    assert set(got) == {c.name for c in dashboard.CHARTS}
    throughput = got["throughput"]
    assert throughput["total"] == {"submitted": 3, "resubmitted": 0, "annotators": 2}
    assert {s["name"]: sum(s["values"]) for s in throughput["series"]} == {"ann1": 2, "ann2": 1}
    assert len(throughput["buckets"]) in (24, 25) and all(len(s["values"]) == len(throughput["buckets"])
                                                          for s in throughput["series"])
    active = got["active_time"]
    assert active["categories"] == ["ann1"] and active["series"][0]["values"] == [95]
    assert active["note"]["values"] == [95] and active["total"]["seconds"] == 95
    assert active["total"]["seconds_per_task"] == 95 and active["total"]["tasks"] == 1
    assert got["task_time"]["rows"][0][1:] == ["img0.png", "ann1", 95]
    by_annotator = got["reviews_by_annotator"]
    rows = {name: {s["name"]: s["values"][i] for s in by_annotator["series"]}
            for i, name in enumerate(by_annotator["categories"])}
    assert rows == {"ann1": {"accepted": 0, "fixed": 1, "rejected": 1, "returned": 0},
                    "ann2": {"accepted": 1, "fixed": 0, "rejected": 0, "returned": 0}}
    assert by_annotator["total"]["reviewed"] == 3
    by_label = got["reviews_by_label"]
    labels = {name: {s["name"]: s["values"][i] for s in by_label["series"]}
              for i, name in enumerate(by_label["categories"])}
    # task 1 had car and person shapes (fixed), task 2 car (rejected, as ann1 submitted it), task 3 person
    assert labels == {"car": {"accepted": 0, "fixed": 1, "rejected": 1, "returned": 0},
                      "person": {"accepted": 1, "fixed": 1, "rejected": 0, "returned": 0}}
    matrix = got["corrections"]
    cells = {(row, col): matrix["values"][i][j] for i, row in enumerate(matrix["rows"])
             for j, col in enumerate(matrix["columns"]) if matrix["values"][i][j]}
    assert cells == {("car", "person"): 1, ("truck", "person"): 1}
    lots = got["lots"]
    assert lots["total"] == {"accepted": 1, "rejected": 1, "sources": 2}
    assert [s["name"] for s in lots["series"]] == ["accepted", "rejected"]
    prelabels = got["prelabels"]
    assert prelabels["categories"] == ["yolo"]
    assert {s["name"]: s["values"][0] for s in prelabels["series"]} == {"accepted": 1, "edited": 1, "rejected": 1,
                                                                         "pending": 1}
    empty = lead.get(f"/projects/{p}/dashboard", params={"since": "-30d", "until": "-7d"}).json()
    assert charts(empty)["throughput"]["total"]["submitted"] == 0 and charts(empty)["throughput"]["bucket"] == "day"
    assert lead.get(f"/projects/{p}/dashboard", params={"charts": "lots,throughput"}).json()["charts"][0][
        "name"] == "lots"


def test_windows_buckets_and_bad_input(seeded_sqlite):
    lead, p = seeded_sqlite.sessions["lead"], seeded_sqlite.project_id
    week = lead.get(f"/projects/{p}/dashboard", params={"since": "-7d", "bucket": "day", "utc_offset_minutes": 420})
    body = week.json()
    first = body["charts"][0]["buckets"][0]
    assert (first + 420 * 60) % 86400 == 0 and len(body["charts"][0]["buckets"]) in (7, 8)
    iso = lead.get(f"/projects/{p}/dashboard", params={"since": "2026-01-01", "until": "2026-01-02T00:00:00+00:00"})
    assert iso.json()["since"] == 1767225600.0 and iso.json()["until"] == 1767312000.0
    for params, code in (({"since": "yesterday"}, "bad_window"), ({"since": "-90d", "bucket": "hour"}, "bad_window"),
                         ({"since": "2026-02-01", "until": "2026-01-01"}, "bad_window"),
                         ({"charts": "nope"}, "unknown_chart"), ({"since": "-500d"}, "bad_window")):
        r = lead.get(f"/projects/{p}/dashboard", params=params)
        assert r.status_code == 422 and r.json()["code"] == code, (params, r.text)
    assert lead.get("/projects/999/dashboard").status_code == 404
    assert lead.get(f"/projects/{p}/dashboard.csv", params={"chart": "nope"}).status_code == 422


def test_rights_annotators_tokens_and_only_get(seeded_sqlite):
    server, s, p = seeded_sqlite.server, seeded_sqlite.sessions, seeded_sqlite.project_id
    url = f"/projects/{p}/dashboard"
    assert s["ann1"].get(url).status_code == 403
    assert s["ann1"].get(url + ".csv", params={"chart": "throughput"}).status_code == 403
    assert s["admin"].get(url).status_code == 200
    client = http_client(base_url=server.api)
    assert client.get(url).status_code == 401
    other = s["admin"].post("/projects", json={"name": "other", "schema": {"labels": [{"name": "car"}]}}).json()
    with server.store.write() as conn:
        token = dashboard_tokens.create(conn, "lead", p, "wall")
        stale = dashboard_tokens.create(conn, "lead", p, "old screen")
    with server.store.read() as conn:
        stored = conn.execute(sa.select(db.dashboard_tokens.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 2  # only the hashes
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=auth).status_code == 200
    assert client.get(url + ".csv", params={"chart": "lots"}, headers=auth).status_code == 200
    assert client.get(f"/projects/{other['id']}/dashboard", headers=auth).status_code == 403
    for method, path in (("GET", "/projects"), ("GET", f"/projects/{p}"), ("GET", f"/projects/{p}/tasks"),
                         ("GET", f"/tasks/{seeded_sqlite.task_ids[0]}"), ("GET", "/sync/pull"),
                         ("GET", f"/projects/{p}/lots"), ("GET", f"/projects/{p}/audit"), ("GET", "/auth/me"),
                         ("POST", f"/tasks/{seeded_sqlite.task_ids[0]}/submit"), ("POST", "/auth/logout")):
        assert client.request(method, path, headers=auth).status_code == 401, (method, path)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert client.request(method, url, headers=auth).status_code == 405
    with server.store.write() as conn:
        ref = next(t["ref"] for t in dashboard_tokens.listed(conn, p) if t["name"] == "old screen")
        assert dashboard_tokens.revoke(conn, "lead", p, ref) == 1
    assert client.get(url, headers={"Authorization": f"Bearer {stale}"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer adash_guess"}).status_code == 401
    assert client.get(url, headers=auth).status_code == 200


def test_csv_has_every_row(seeded_sqlite):
    do_work(seeded_sqlite)
    lead, p = seeded_sqlite.sessions["lead"], seeded_sqlite.project_id
    r = lead.get(f"/projects/{p}/dashboard.csv", params={"chart": "throughput"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="project1-throughput.csv"' in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "bucket,annotator,submitted,resubmitted"
    assert sorted(line.split(",", 1)[1] for line in lines[1:]) in (["ann1,2,0", "ann2,1,0"],
                                                                   ["ann1,1,0", "ann1,1,0", "ann2,1,0"])
    corrections = lead.get(f"/projects/{p}/dashboard.csv", params={"chart": "corrections"}).text.splitlines()
    assert corrections == ["annotator,label_from,label_to,corrections", "ann1,car,person,1", "ann1,truck,person,1"]
    active = lead.get(f"/projects/{p}/dashboard.csv", params={"chart": "active_time"}).text.splitlines()
    assert active == ["annotator,tasks,seconds,seconds_per_task", "ann1,1,95,95"]
    models = lead.get(f"/projects/{p}/dashboard.csv", params={"chart": "prelabels"}).text.splitlines()
    assert models == ["model,tasks,pending,accepted,edited,rejected", "yolo,1,1,1,1,1"]


def test_cli_prints_exports_and_makes_tokens(seeded_sqlite, capsys):
    do_work(seeded_sqlite)
    server = seeded_sqlite.server
    where = ["--data", str(server.config.data_dir)]
    assert cli.main(["server", "dashboard", "streets", *where]) == 0
    text = capsys.readouterr().out
    assert "Tasks submitted per annotator" in text and "ann1" in text and "submitted 3" in text
    assert cli.main(["server", "dashboard", "1", "--csv", "corrections", *where]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["ann1,car,person,1", "ann1,truck,person,1"]
    assert cli.main(["server", "dashboard", "streets", "--json", "--since", "2d", *where]) == 0
    assert charts(json.loads(capsys.readouterr().out))["lots"]["total"]["rejected"] == 1
    assert cli.main(["server", "dashboard", "streets", "--csv", "nope", *where]) == 2
    assert "no chart 'nope'" in capsys.readouterr().err
    assert cli.main(["server", "dashboard", "streets", "--token", "lobby", *where]) == 0
    out = capsys.readouterr().out
    token = next(w for w in out.split() if w.startswith(dashboard_tokens.PREFIX))
    assert f"/dashboard/1#token={token}" in out
    r = httpx.get(server.api + "/projects/1/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert cli.main(["server", "dashboard", "streets", "--tokens", *where]) == 0
    listed = capsys.readouterr().out
    assert "lobby" in listed and token not in listed


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def wait_text(page, selector, good, seconds):
    """Poll the text from here: the page's CSP (no eval) refuses Playwright's in-page polling."""
    deadline = time.monotonic() + seconds
    while not good(text := page.text_content(selector) or ""):
        assert time.monotonic() < deadline, f"{selector}: {text!r}"
        time.sleep(0.05)


def test_web_page_in_chromium_shows_the_figures_and_follows_new_work(seeded_sqlite, browser, tmp_path):
    server, p = seeded_sqlite.server, seeded_sqlite.project_id
    do_work(seeded_sqlite)
    with server.store.write() as conn:
        token = dashboard_tokens.create(conn, "lead", p, "wall")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    started = time.monotonic()
    page.goto(f"{server.url}/dashboard/{p}#token={token}")
    wait_text(page, "#status", lambda t: t.startswith("updated"), 10)
    assert page.inner_text("#project") == "streets"
    assert page.inner_text("#tile-submitted .value") == "3"
    assert page.inner_text("#tile-lots .value") == "1 / 1"
    assert page.inner_text("#tile-active .value") == "1 min 35 s"
    assert "ann1" in page.inner_text("#chart-throughput .legend")
    assert page.locator("#chart-throughput svg rect").count() == 2  # ann1's and ann2's bars in this hour
    assert "yolo" in page.inner_text("#chart-prelabels")
    assert page.locator("#chart-corrections svg text.cell-text").all_text_contents() == ["1", "1"]
    assert "img0.png" in page.inner_text("#chart-task_time table")
    page.screenshot(path=str(tmp_path / "first.png"), full_page=True)
    # new work arrives: the page shows it by its next poll (every 5 s)
    admin, ann2 = seeded_sqlite.sessions["admin"], seeded_sqlite.sessions["ann2"]
    r = admin.post(f"/projects/{p}/tasks", json={"media_sha256": seeded_sqlite.media[2], "name": "more.png",
                                                 "width": 64, "height": 48})
    task = r.json()["id"]
    assert seeded_sqlite.sessions["lead"].post(f"/tasks/{task}/assign", json={"user": "ann2"}).status_code == 200
    ann2.push([ann2.op(task, uid(), box("car")), submit_op(ann2, task)])
    arrived = time.monotonic()
    wait_text(page, "#tile-submitted .value", lambda t: t == "4", 6)
    assert time.monotonic() - arrived <= 5.5
    # the server goes away: the page keeps its figures and says when they are from
    server._server.should_exit = True
    server._thread.join(timeout=20)
    wait_text(page, "#status", lambda t: t.startswith("offline"), 8)
    assert page.inner_text("#tile-submitted .value") == "4"
    assert errors == [] or all("Failed to fetch" in e or "ERR_CONNECTION_REFUSED" in e for e in errors), errors
    assert time.monotonic() - started < 60


def test_web_page_with_many_annotators_scales_bars_to_the_named_ones(server_factory, browser, tmp_path):
    """20 annotators, 10 shown: "others (10)" sums ten of them, so its bar is cut at the track's end and the named
    bars are drawn against the largest named one, not dwarfed by it; every figure beside a bar fits the chart."""
    from tests.test_dashboard_rollups import seed

    server = server_factory()
    seed(server.store)
    with server.store.write() as conn:
        token = dashboard_tokens.create(conn, "lead0", 1, "wall")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{server.url}/dashboard/1#token={token}&range=30d")
    wait_text(page, "#status", lambda t: t.startswith("updated"), 10)
    chart = page.locator("#chart-active_time svg")
    assert "others (10)" in chart.text_content()
    width = float(chart.get_attribute("viewBox").split()[2])
    bars = chart.locator("rect")
    tracks, values = [], []
    for i in range(bars.count()):
        (tracks if bars.nth(i).get_attribute("fill") == "#262e3a" else values).append(
            (float(bars.nth(i).get_attribute("x")), float(bars.nth(i).get_attribute("width"))))
    assert len(tracks) == len(values) == 11
    track_x, track_w = tracks[0]
    assert max(w for _x, w in values[:10]) >= 0.45 * track_w  # the named bars use the track (niceMax: >= half)
    assert values[10][1] == pytest.approx(track_w)  # others: cut at the end
    edge = chart.bounding_box()
    for text in chart.locator("text").all():
        box = text.bounding_box()
        assert box["x"] + box["width"] <= edge["x"] + edge["width"] + 1, text.text_content()
    assert width == 560 and track_x == 120


def test_web_page_routes(seeded_sqlite):
    server = seeded_sqlite.server
    page = httpx.get(f"{server.url}/dashboard/{seeded_sqlite.project_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/dashboard/assets/dashboard.js"' in page.text and "http" not in page.text.split("<body>")[1]
    script = httpx.get(f"{server.url}/dashboard/assets/dashboard.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "fetch(" in script.text and "https://" not in script.text  # no CDN, no other host
    assert httpx.get(f"{server.url}/dashboard/assets/dashboard.css").status_code == 200
    assert httpx.get(f"{server.url}/dashboard/assets/..%2Fdb.py").status_code == 404
    assert httpx.get(f"{server.url}/dashboard/assets/index.html").status_code == 404
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert "/dashboard/{project_id}" not in paths and "/api/v1/projects/{project_id}/dashboard" in paths


def test_agreement_and_gold_accuracy_from_replicas(seeded_sqlite):
    """The consensus and gold replicas' scores (sync/server/replicas.py writes them when a replica is submitted)."""
    server, p, t = seeded_sqlite.server, seeded_sqlite.project_id, seeded_sqlite.task_ids
    now = time.time()
    rows = [(t[0], "consensus", "ann1", 0.8), (t[1], "consensus", "ann1", 0.6), (t[2], "gold", "ann2", 0.9)]
    with server.store.write() as conn:
        conn.execute(db.replicas.insert(), [
            {"task_id": task, "origin_id": task, "project_id": p, "purpose": purpose, "annotator": who,
             "created_at": now - 60, "submitted_at": now - 30, "score": score} for task, purpose, who, score in rows])
    got = charts(seeded_sqlite.sessions["lead"].get(f"/projects/{p}/dashboard").json())
    agreement, gold = got["agreement"], got["gold_accuracy"]
    assert agreement["categories"] == ["ann1"] and agreement["series"][0]["values"] == [0.7]
    assert agreement["note"]["values"] == [2] and agreement["scale"] == "percent"
    assert gold["categories"] == ["ann2"] and gold["total"]["score"] == 0.9
