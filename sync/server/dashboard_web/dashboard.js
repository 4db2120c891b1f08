// Annodesk dashboard page: polls the project's dashboard JSON every 5 s and draws each chart as inline SVG.
// No build step, no library, no network but this server. The address is /dashboard/<project id>#token=<token>
// (&range=24h|7d|30d); the token stays in the #fragment, which browsers never send to a server.
"use strict";

(() => {
  const REFRESH_MS = 5000;
  const RANGES = {
    "24h": { since: "-24h", bucket: "hour", label: "Last 24 hours" },
    "7d": { since: "-7d", bucket: "day", label: "Last 7 days" },
    "30d": { since: "-30d", bucket: "day", label: "Last 30 days" },
  };
  const PALETTE = ["#4fa3ff", "#43b581", "#f0b429", "#e5534b", "#a371f7", "#39c5cf", "#ff8f5a", "#d2a8ff",
    "#7ee787", "#ffa198", "#79c0ff", "#e3b341"];
  const NAMED = { accepted: "#43b581", fixed: "#f0b429", edited: "#f0b429", rejected: "#e5534b",
    returned: "#a371f7", pending: "#6e7a8c", score: "#4fa3ff", seconds: "#4fa3ff" };
  const OTHERS = "#56606f";
  const SVG = "http://www.w3.org/2000/svg";

  const hash = new URLSearchParams(location.hash.slice(1));
  const projectId = location.pathname.split("/").filter(Boolean).pop();
  let token = hash.get("token") || "";
  let range = RANGES[hash.get("range")] ? hash.get("range") : "24h";
  let lastGood = null; // when the figures on show were fetched
  let timer = null;
  let offset = 0; // the window's minutes east of UTC, for bucket labels

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

  function duration(seconds) {
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
    if (s < 100 * 3600) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
    return `${Math.round(s / 3600).toLocaleString("en")} h`;  // a team's month: the minutes would not fit a tile
  }

  function brief(seconds) {
    if (seconds < 60) return `${Math.round(seconds)} s`;
    if (seconds < 3600) return `${(seconds / 60).toFixed(seconds < 600 ? 1 : 0)} min`;
    return seconds < 1000 * 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${Math.round(seconds / 3600).toLocaleString("en")} h`;
  }

  function number(value, unit) {
    if (value === null || value === undefined) return "–";
    if (unit === "seconds") return duration(value);
    if (unit === "percent") return `${(value * 100).toFixed(1)} %`;
    return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(1);
  }

  const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(1)} %` : "–");

  function colorOf(name, i) {
    if (name.startsWith("others")) return OTHERS;
    return NAMED[name] || PALETTE[i % PALETTE.length];
  }

  function bucketLabel(start, bucket) {
    const d = new Date((start + offset * 60) * 1000);
    return bucket === "hour" ? `${pad(d.getUTCHours())}:00` : `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const step = 10 ** Math.floor(Math.log10(value));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
    return 10 * step;
  }

  function legend(series) {
    const box = el("div", { class: "legend" });
    series.forEach((s, i) => {
      const swatch = el("i");
      swatch.style.background = colorOf(s.name, i);
      box.append(el("span", {}, swatch, s.name));
    });
    return box;
  }

  // -- the four kinds of chart ---------------------------------------------------------------------------------------

  function drawTimeseries(chart) {
    const W = 560, H = 210, L = 44, R = 8, T = 8, B = 26;
    const n = chart.buckets.length;
    const sums = chart.buckets.map((_, i) => chart.series.reduce((a, s) => a + s.values[i], 0));
    const top = niceMax(Math.max(0, ...sums));
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": chart.title });
    const y = (v) => T + (H - T - B) * (1 - v / top);
    for (let k = 0; k <= 4; k++) {
      const v = (top * k) / 4;
      root.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      root.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, number(v, chart.unit)));
    }
    const slot = (W - L - R) / Math.max(n, 1);
    const every = Math.max(1, Math.ceil(n / 12));
    chart.buckets.forEach((b, i) => {
      let base = 0;
      chart.series.forEach((s, j) => {
        const v = s.values[i];
        if (!v) return;
        const rect = svg("rect", { x: L + i * slot + slot * 0.12, width: Math.max(1, slot * 0.76), y: y(base + v),
          height: Math.max(0.5, y(base) - y(base + v)), fill: colorOf(s.name, j) });
        rect.append(svg("title", {}, `${s.name}, ${bucketLabel(b, chart.bucket)}: ${number(v, chart.unit)}`));
        root.append(rect);
        base += v;
      });
      if (i % every === 0) {
        root.append(svg("text", { x: L + i * slot + slot / 2, y: H - 8, "text-anchor": "middle" },
          bucketLabel(b, chart.bucket)));
      }
    });
    return [root, legend(chart.series)];
  }

  function barSide(chart, totals, i) {
    const good = chart.series.filter((s) => (chart.good || [chart.series[0].name]).includes(s.name));
    let side = chart.scale === "share" ? percent(good.reduce((a, s) => a + s.values[i], 0), totals[i])
      : chart.unit === "seconds" ? brief(totals[i]) : number(totals[i], chart.scale === "percent" ? "percent" : "");
    if (chart.note) {
      const v = chart.note.values[i];
      side += chart.note.unit === "seconds" ? ` · ${brief(v)} ${chart.note.name}` : ` · ${number(v)} ${chart.note.name}`;
    }
    return side;
  }

  function drawBars(chart) {
    const rowH = 22, W = 560, L = 120;
    const H = chart.categories.length * rowH + 6;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": chart.title });
    const totals = chart.categories.map((_, i) => chart.series.reduce((a, s) => a + s.values[i], 0));
    const sides = chart.categories.map((_, i) => barSide(chart, totals, i));
    const R = Math.min(W / 2, Math.max(124, 12 + 6.6 * Math.max(0, ...sides.map((t) => t.length))));  // 11 px text
    // "others" sums many annotators: scaled to the named bars, its bar is cut at the full width (its figure is whole)
    const named = totals.filter((_, i) => !chart.categories[i].startsWith("others"));
    const most = chart.scale === "count" ? niceMax(Math.max(0, ...(named.length ? named : totals))) : 1;
    const width = W - L - R;
    chart.categories.forEach((name, i) => {
      const yTop = 3 + i * rowH;
      const label = name.length > 20 ? `${name.slice(0, 19)}…` : name;
      root.append(svg("text", { x: L - 8, y: yTop + 15, "text-anchor": "end", class: "value" }, label));
      root.append(svg("rect", { x: L, y: yTop + 3, width, height: rowH - 7, fill: "#262e3a" }));
      const whole = chart.scale === "share" ? totals[i] || 1 : most;
      let x = L;
      chart.series.forEach((s, j) => {
        const v = s.values[i];
        if (!v) return;
        const w = Math.min((width * v) / whole, L + width - x);
        const rect = svg("rect", { x, y: yTop + 3, width: Math.max(0.5, w), height: rowH - 7,
          fill: colorOf(s.name, j) });
        const shown = chart.scale === "share" ? `${number(v)} (${percent(v, totals[i])})` : number(v, chart.unit);
        rect.append(svg("title", {}, `${name}, ${s.name}: ${shown}`));
        root.append(rect);
        x += w;
      });
      root.append(svg("text", { x: W - R + 6, y: yTop + 15, class: "value" }, sides[i]));
    });
    return chart.series.length > 1 ? [root, legend(chart.series)] : [root];
  }

  function drawMatrix(chart) {
    const cell = 44, L = 120, T = 80;
    const W = L + chart.columns.length * cell + 4, H = T + chart.rows.length * cell + 4;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "natural", role: "img",
      "aria-label": chart.title });
    const most = Math.max(1, ...chart.values.flat());
    chart.columns.forEach((name, j) => {
      const x = L + j * cell + cell / 2;
      root.append(svg("text", { x, y: T - 6, transform: `rotate(-40 ${x} ${T - 6})` }, name.slice(0, 16)));
    });
    chart.rows.forEach((name, i) => {
      const yTop = T + i * cell;
      root.append(svg("text", { x: L - 6, y: yTop + cell / 2 + 4, "text-anchor": "end", class: "value" },
        name.slice(0, 16)));
      chart.columns.forEach((col, j) => {
        const v = chart.values[i][j];
        const rect = svg("rect", { x: L + j * cell + 1, y: yTop + 1, width: cell - 2, height: cell - 2,
          fill: v ? "#e5534b" : "#262e3a", "fill-opacity": v ? 0.25 + (0.75 * v) / most : 1 });
        rect.append(svg("title", {}, `${name} corrected into ${col}: ${v}`));
        root.append(rect);
        if (v) root.append(svg("text", { x: L + j * cell + cell / 2, y: yTop + cell / 2 + 4, "text-anchor": "middle",
          class: "cell-text" }, String(v)));
      });
    });
    return [root, el("p", { class: "caption" }, "Rows: the label the annotator gave; columns: the label the " +
      "reviewer changed it to.")];
  }

  function drawTable(chart) {
    const head = el("tr", {}, ...chart.columns.map((c) => el("th", { class: c === "seconds" ? "num" : "" },
      c === "seconds" ? "active" : c.replace("_", " "))));
    const rows = chart.rows.map((r) => el("tr", {}, ...r.map((v, i) => el("td",
      { class: chart.columns[i] === "seconds" ? "num" : "" },
      chart.columns[i] === "seconds" ? duration(v) : String(v)))));
    return [el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows))];
  }

  const DRAW = { timeseries: drawTimeseries, bars: drawBars, matrix: drawMatrix, table: drawTable };

  function isEmpty(chart) {
    if (chart.kind === "timeseries") return !chart.series.some((s) => s.values.some((v) => v));
    if (chart.kind === "bars") return chart.categories.length === 0;
    if (chart.kind === "matrix") return chart.rows.length === 0;
    return chart.rows.length === 0;
  }

  const TOTAL_NAMES = { seconds: "active", seconds_per_task: "per task", score: "mean" };

  function totalsText(chart) {
    return Object.entries(chart.total).map(([k, v]) => `${TOTAL_NAMES[k] || k.replaceAll("_", " ")} ${number(v,
      k.includes("seconds") ? "seconds" : chart.scale === "percent" && k === "score" ? "percent" : "")}`).join(" · ");
  }

  // -- the page ------------------------------------------------------------------------------------------------------

  function card(chart) {
    let node = $(`chart-${chart.name}`);
    if (!node) {
      const csv = el("button", { type: "button", title: "Every row of this chart as CSV" }, "CSV");
      csv.addEventListener("click", () => download(chart.name));
      node = el("article", { class: "card", id: `chart-${chart.name}`, "data-kind": chart.kind },
        el("header", {}, el("h2", {}, chart.title), csv), el("div", { class: "figure" }),
        el("p", { class: "totals" }));
      $("charts").append(node);
    }
    const figure = node.querySelector(".figure");
    figure.replaceChildren(...(isEmpty(chart) ? [el("p", { class: "empty" }, "No data in this window")]
      : DRAW[chart.kind](chart)));
    node.querySelector(".totals").textContent = totalsText(chart);
  }

  function tiles(charts) {
    const by = Object.fromEntries(charts.map((c) => [c.name, c.total]));
    const shown = [];
    const add = (name, value, id) => shown.push(el("div", { class: "tile", id: `tile-${id}` },
      el("div", { class: value.length > 10 ? "value long" : "value" }, value), el("div", { class: "name" }, name)));
    if (by.throughput) add("Tasks submitted", number(by.throughput.submitted), "submitted");
    if (by.reviews_by_annotator) {
      const r = by.reviews_by_annotator;
      add("Accepted", percent(r.accepted + r.fixed, r.reviewed), "accepted");
      add("Rejected", percent(r.rejected + r.returned, r.reviewed), "rejected");
    }
    if (by.active_time) add("Active time", duration(by.active_time.seconds), "active");
    if (by.lots) add("Lots accepted / rejected", `${number(by.lots.accepted)} / ${number(by.lots.rejected)}`, "lots");
    if (by.corrections) add("Label corrections", number(by.corrections.corrections), "corrections");
    if (by.prelabels) {
      const p = by.prelabels;
      add("Pre-labels kept unchanged", percent(p.accepted, p.accepted + p.edited + p.rejected), "prelabels");
    }
    $("tiles").replaceChildren(...shown);
  }

  function query() {
    const r = RANGES[range];
    return `since=${encodeURIComponent(r.since)}&bucket=${r.bucket}&top=10`;
  }

  async function download(name) {
    const url = `/api/v1/projects/${projectId}/dashboard.csv?chart=${encodeURIComponent(name)}&${query()}`;
    const answer = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    if (!answer.ok) return status(`CSV refused (${answer.status})`, "refused");
    const link = el("a", { href: URL.createObjectURL(await answer.blob()), download: `${name}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function status(text, kind = "") {
    const node = $("status");
    node.textContent = text;
    node.className = kind;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const answer = await fetch(`/api/v1/projects/${projectId}/dashboard?${query()}`,
        { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
      if (answer.status === 401 || answer.status === 403) {
        const body = await answer.json().catch(() => ({}));
        status(`Refused: ${body.detail || answer.status}`, "refused");
        $("login").hidden = false;
      } else if (!answer.ok) {
        throw new Error(`server answered ${answer.status}`);
      } else {
        const data = await answer.json();
        offset = data.utc_offset_minutes;
        $("project").textContent = data.project.name;
        document.title = `${data.project.name} · Annodesk dashboard`;
        tiles(data.charts);
        data.charts.forEach(card);
        lastGood = new Date();
        status(`updated ${clock(lastGood)}`);
      }
    } catch (error) {
      status(lastGood ? `offline: figures from ${clock(lastGood)}` : "offline: no figures yet", "offline");
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function ranges() {
    const nav = $("ranges");
    nav.replaceChildren(...Object.entries(RANGES).map(([key, r]) => {
      const button = el("button", { type: "button", "aria-pressed": String(key === range), "data-range": key },
        r.label);
      button.addEventListener("click", () => {
        range = key;
        hash.set("range", key);
        history.replaceState(null, "", `#${hash.toString()}`);
        ranges();
        refresh();
      });
      return button;
    }));
  }

  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    token = $("token-input").value.trim();
    hash.set("token", token);
    history.replaceState(null, "", `#${hash.toString()}`);
    $("login").hidden = true;
    refresh();
  });

  ranges();
  if (token) {
    refresh();
  } else {
    status("a dashboard token is needed", "refused");
    $("login").hidden = false;
  }
})();
