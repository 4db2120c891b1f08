"""The four shapes a dashboard chart's JSON takes (dashboard.py's module docstring describes them), each made from a
chart's records and its Query. Series and categories past the largest `top` are summed into one "others" entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.server.dashboard import Query

Records = list[dict[str, Any]]


def _ranked(totals: dict[str, float], top: int) -> tuple[list[str], set[str]]:
    """The `top` largest names (largest first, then by name) and the rest."""
    order = sorted(totals, key=lambda k: (-totals[k], k))
    return order[:top], set(order[top:])


def timeseries(series_key: str, value_key: str, unit: str, totals: Sequence[str]) -> Callable[[Records, Query],
                                                                                                 dict[str, Any]]:
    """From every (bucket, series) row, or from rows whose query folded the series past `top` already (series
    None, `others` their count: dashboard._series); every row is the reference that
    tests/test_dashboard_rollups.py holds the folded answer to."""
    def shape(records: Records, q: Query) -> dict[str, Any]:
        buckets = q.buckets()
        index = {b: i for i, b in enumerate(buckets)}
        per: dict[str, list[float]] = {}
        folded: list[float] = [0] * len(buckets)  # the rows the query summed already (series None)
        n_folded = 0
        for r in records:
            if r[series_key] is None:
                values, n_folded = folded, r["others"]
            else:
                values = per.setdefault(str(r[series_key]), [0] * len(buckets))
            i = index.get(float(r["bucket"]))
            if i is not None:
                values[i] += r[value_key]
        shown, rest = _ranked({k: sum(v) for k, v in per.items()}, q.top)
        series = [{"name": k, "values": per[k]} for k in shown]
        if rest or n_folded:
            series.append({"name": f"others ({len(rest) + n_folded})",
                           "values": [folded[i] + sum(per[k][i] for k in rest) for i in range(len(buckets))]})
        total = {k: number(sum(r[k] for r in records)) for k in totals}
        return {"kind": "timeseries", "unit": unit, "bucket": q.bucket, "buckets": buckets, "series": series,
                "total": {**total, series_key + "s": len(per) + n_folded}}
    return shape


def bars(category_key: str, value_keys: Sequence[str], scale: str, unit: str,
         note: tuple[str, str, str] | None = None,
         derive: Callable[[dict[str, Any]], None] | None = None,
         good: Sequence[str] = ()) -> Callable[[Records, Query], dict[str, Any]]:
    """`note`: (record key, name, unit) of a figure written beside each bar; `derive` fills a summed row's ratios;
    `good`: the series whose share a "share" chart names (default the first).
    A "percent" chart's values are means, weighted by the note's key when they are summed (others, the total)."""
    def combined(records: Records) -> dict[str, Any]:
        row = {k: sum(r[k] for r in records) for k, v in (records[0] if records else {}).items()
               if k != category_key and isinstance(v, int | float)}
        if scale == "percent":
            weights = [r[note[0]] if note else 1 for r in records]
            mass = sum(weights) or 1
            row.update({v: sum(r[v] * w for r, w in zip(records, weights, strict=True)) / mass for v in value_keys})
        if derive is not None and records:
            derive(row)
        return row

    def shape(records: Records, q: Query) -> dict[str, Any]:
        by = {str(r[category_key]): r for r in records}
        size = {k: r[note[0]] if scale == "percent" and note else sum(r[v] for v in value_keys) for k, r in by.items()}
        shown, rest = _ranked(size, q.top)
        rows = [by[k] for k in shown]
        if rest:
            rows.append({category_key: f"others ({len(rest)})", **combined([by[k] for k in rest])})
        total = combined(records)
        return {"kind": "bars", "scale": scale, "unit": unit, "good": list(good or value_keys[:1]),
                "categories": [str(r[category_key]) for r in rows],
                "series": [{"name": v, "values": [number(r[v]) for r in rows]} for v in value_keys],
                "note": {"name": note[1], "unit": note[2], "values": [number(r[note[0]]) for r in rows]}
                if note else None,
                "total": {**{k: number(v) for k, v in total.items()}, category_key + "s": len(records)}}
    return shape


def per_task(row: dict[str, Any]) -> None:
    row["seconds_per_task"] = round(row["seconds"] / row["tasks"], 1) if row.get("tasks") else 0.0


def matrix(row_key: str, column_key: str, value_key: str) -> Callable[[Records, Query], dict[str, Any]]:
    def shape(records: Records, q: Query) -> dict[str, Any]:
        rows_t: dict[str, float] = {}
        cols_t: dict[str, float] = {}
        for r in records:
            rows_t[r[row_key]] = rows_t.get(r[row_key], 0) + r[value_key]
            cols_t[r[column_key]] = cols_t.get(r[column_key], 0) + r[value_key]
        rows, rest_r = _ranked(rows_t, q.top)
        cols, rest_c = _ranked(cols_t, q.top)
        names_r = rows + ([f"others ({len(rest_r)})"] if rest_r else [])
        names_c = cols + ([f"others ({len(rest_c)})"] if rest_c else [])
        at_r = {k: i for i, k in enumerate(rows)}
        at_c = {k: i for i, k in enumerate(cols)}
        values = [[0] * len(names_c) for _ in names_r]
        for r in records:
            i, j = at_r.get(r[row_key], len(rows)), at_c.get(r[column_key], len(cols))
            values[i][j] += r[value_key]
        pairs = len({(r[row_key], r[column_key]) for r in records})
        return {"kind": "matrix", "rows": names_r, "columns": names_c, "values": values,
                "total": {value_key: sum(rows_t.values()), "pairs": pairs}}
    return shape


def table(columns: Sequence[str], total: str) -> Callable[[Records, Query], dict[str, Any]]:
    def shape(records: Records, q: Query) -> dict[str, Any]:
        return {"kind": "table", "columns": list(columns), "rows": [[number(r[c]) for c in columns] for r in records],
                "total": {total: number(sum(r[total] for r in records)), "rows": len(records)}}
    return shape


def lots_shape(records: Records, q: Query) -> dict[str, Any]:
    chart = timeseries("status", "lots", "lots", ("lots",))(records, q)
    empty = [0] * len(chart["buckets"])
    chart["series"] = [next((s for s in chart["series"] if s["name"] == k), {"name": k, "values": empty})
                       for k in ("accepted", "rejected")] + [s for s in chart["series"] if s["name"] not in
                                                              ("accepted", "rejected")]
    chart["total"] = {k: sum(r["lots"] for r in records if r["status"] == k) for k in ("accepted", "rejected")}
    counted = [r["sources"] for r in records[:1] if "sources" in r]  # the JSON's rows count them (dashboard.q_lots)
    chart["total"]["sources"] = counted[0] if counted else len({r["source"] for r in records})
    return chart


def number(value: Any) -> Any:
    """Whole floats as ints, others rounded: the JSON and the CSV stay short."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 4)
    return value
