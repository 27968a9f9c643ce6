"""The results table (text for the terminal, Markdown for the README) and the targets."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .bench_stats import fmt, ratio


@dataclass
class Row:
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    runs: str = ""


def _met(value: float, limit: float) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return "yes" if value <= limit else "NO"


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def latency_rows(live: dict[str, Any]) -> list[Row]:
    lat = _get(live, "activity", "latency") or {}
    rows = []
    specs = [
        ("New notification -> toast, polling", "N-poll", "N-baseline", 20.0),
        ("New notification -> toast, stream", "N-stream", "N-baseline", 0.25),
        ("Job completion -> toast, polling", "J-poll", "J-baseline", 2.0),
        ("Job completion -> toast, stream", "J-stream", "J-baseline", 0.25),
    ]
    for label, name, base, limit in specs:
        mine, other = lat.get(name), lat.get(base)
        if not mine or not other:
            continue
        p50, p95 = _num(mine["latency_s"]["p50"]), _num(mine["latency_s"]["p95"])
        b50, b95 = _num(other["latency_s"]["p50"]), _num(other["latency_s"]["p95"])
        lost = mine["missing"] + mine["via_summary"]
        rows.append(
            Row(
                f"{label} (p50 / p95)",
                f"{fmt(p50, 2)} / {fmt(p95, 2)} s",
                f"{fmt(b50, 1)} / {fmt(b95, 1)} s",
                f"{fmt(ratio(p95, b95), 3)}",
                f"p95 <= {limit:g} s",
                _met(p95, limit),
                f"{mine['toasted']}/{mine['events']} events"
                + (f" ({lost} missing/summarised)" if lost else ""),
            )
        )
    return rows


def cost_rows(live: dict[str, Any]) -> list[Row]:
    idle = _get(live, "idle", "cost") or {}
    long_idle = _get(live, "long_idle", "cost") or {}
    job = _get(live, "activity", "job_cost") or {}
    minutes = (_get(live, "long_idle", "seconds") or 0) / 60
    rows = []
    for label, costs, prefix, target in (
        (f"Requests/hour idle, over {minutes:.0f} min", long_idle, "I", 360.0),
        ("Requests/hour idle, first minutes", idle, "N", 360.0),
        ("Requests/hour while a job runs", job, "J", math.nan),
    ):
        base = costs.get(f"{prefix}-baseline")
        for mode in ("poll", "stream"):
            mine = costs.get(f"{prefix}-{mode}")
            if not mine or not base:
                continue
            value, other = mine["requests_per_hour"], base["requests_per_hour"]
            rows.append(
                Row(
                    f"{label}, {mode}",
                    f"{value:.0f} ({mine['bytes_per_hour'] / 1024:.0f} KiB/h)",
                    f"{other:.0f} ({base['bytes_per_hour'] / 1024:.0f} KiB/h)",
                    fmt(ratio(value, other), 2),
                    f"<= {target:.0f}" if math.isfinite(target) else "",
                    _met(value, target) if math.isfinite(target) else "",
                    f"{mine['requests']} requests in {mine['seconds']:.0f} s",
                )
            )
    return rows


def _footprint_rows(title: str, window: dict[str, Any] | None, app: str) -> list[Row]:
    if not window:
        return []
    fp = window["footprint"]
    mine, bare = fp.get(app), fp.get("bare")
    if not mine or not bare:
        return []
    runs = f"1 process each, {window['seconds']:.0f} s, {window['samples']} samples"
    rss_ratio = ratio(mine["rss_mib"], bare["rss_mib"])
    return [
        Row(
            f"{title}: RSS (USS)",
            f"{mine['rss_mib']:.1f} ({mine['uss_mib']:.1f}) MiB",
            f"{bare['rss_mib']:.1f} ({bare['uss_mib']:.1f}) MiB",
            fmt(rss_ratio, 2),
            "<= 1.3x bare",
            _met(rss_ratio, 1.3),
            runs,
        ),
        Row(
            f"{title}: CPU, % of one core",
            f"{mine['cpu_pct']:.3f} %",
            f"{bare['cpu_pct']:.3f} %",
            fmt(ratio(mine["cpu_pct"], bare["cpu_pct"]), 1),
            "<= 0.2 %",
            _met(mine["cpu_pct"], 0.2),
            runs,
        ),
    ]


def footprint_rows(live: dict[str, Any]) -> list[Row]:
    idle, long_idle = live.get("idle"), live.get("long_idle")
    minutes = (long_idle or {}).get("seconds", 0) / 60
    rows = _footprint_rows(f"Idle {minutes:.0f} min, polling app", long_idle, "I-poll")
    rows += _footprint_rows(f"Idle {minutes:.0f} min, stream app", long_idle, "I-stream")
    rows += _footprint_rows("Idle, first minutes, polling app", idle, "N-poll")
    window = live.get("window")
    if window:
        loaded = window["window"]["rows_loaded_at_least"]
        rows += _footprint_rows(f"Idle after list window ({loaded} rows)", window, "app")
    return rows


def startup_rows(startup: dict[str, Any]) -> list[Row]:
    if not startup or "app" not in startup:
        return []
    app, bare = startup["app"], startup["bare"]
    return [
        Row(
            "Start-up: process start -> tray item registered (median)",
            f"{app['p50']:.2f} s",
            f"{bare['p50']:.2f} s",
            fmt(startup["ratio"], 2),
            "<= 1.5x bare",
            _met(startup["ratio"], 1.5),
            f"{startup['runs']} runs each",
        ),
    ]


def _stall_row(n: Any, timing: dict[str, Any]) -> Row | None:
    phases: list[dict[str, Any]] = [
        p for p in (timing.get("scroll_loading"), timing.get("scroll_through")) if p
    ]
    if not phases:
        return None
    worst = max(p["max_gap_ms"] for p in phases)
    over = sum(p["gaps_over_50ms"] for p in phases)
    beats = sum(p["heartbeats"] for p in phases)
    long = [g for p in phases for g in p.get("long_gaps", [])]
    total = sum(g["gap_ms"] for g in long) or math.nan
    labels = {"paint_ms": "paint", "gc_ms": "GC", "size_hint_ms": "layout"}
    shares = ", ".join(
        f"{name} {100 * sum(g.get(key, 0.0) for g in long) / total:.0f} %"
        for key, name in labels.items()
    )
    value = f"{worst:.0f} ms" + (f" ({over} gaps > 50 ms; of their time: {shares})" if long else "")
    return Row(
        f"List window, {n} rows: longest stall scrolling (loading pages, then loaded)",
        value,
        target="< 50 ms",
        met=_met(worst, 50),
        runs=f"{beats} heartbeats of 5 ms, 1 run each",
    )


def _loading_row(timing: dict[str, Any]) -> Row | None:
    loading = timing.get("scroll_loading")
    points = _get(timing, "memory", "checkpoints") or []
    times = [p["at_s"] for p in points if p.get("phase") in ("start", "scroll_loading")]
    if not loading or len(times) < 3:
        return None
    first, last = times[1] - times[0], times[-1] - times[-2]
    return Row(
        "List window: scrolling while pages load, seconds per 1,000 rows (first / last)",
        f"{first:.1f} / {last:.1f} s; {loading['loaded']} rows in {loading['seconds']:.0f} s",
        runs="1 run",
    )


def list_rows(lists: dict[str, Any]) -> list[Row]:
    timing, memory = lists.get("timing") or {}, lists.get("memory") or {}
    rows = []
    n = timing.get("rows") or memory.get("rows")
    if "reopen" in timing:
        reopen = timing["reopen"]
        rows.append(
            Row(
                f"List window, {n} rows: reopen show -> painted (median)",
                f"{reopen['p50']:.1f} ms (first show {timing['first_show_ms']:.0f} ms)",
                target="< 150 ms",
                met=_met(reopen["p50"], 150),
                runs=f"{reopen['n']} reopens",
            )
        )
    rows += [r for r in (_stall_row(n, timing), _loading_row(timing)) if r]
    growth = [
        _num(_get(memory, "memory", "traced_mib_per_1000")),
        _num(_get(timing, "memory", "rss_mib_per_1000")),
    ]
    if any(math.isfinite(g) for g in growth):
        worst = max(g for g in growth if math.isfinite(g))
        rows.append(
            Row(
                "List window: memory per 1,000 loaded rows (tracemalloc / RSS)",
                f"{fmt(growth[0], 2)} / {fmt(growth[1], 2)} MiB",
                target="< 3 MB",
                met=_met(worst * 1.048576, 3.0),
                runs="least-squares slope over 1,000-row steps",
            )
        )
    return rows


SECTIONS: list[tuple[str, Callable[[dict[str, Any]], list[Row]]]] = [
    ("latency", lambda r: latency_rows(r.get("live") or {})),
    ("cost", lambda r: cost_rows(r.get("live") or {})),
    ("footprint", lambda r: footprint_rows(r.get("live") or {})),
    ("startup", lambda r: startup_rows(r.get("startup") or {})),
    ("list", lambda r: list_rows(r.get("list_window") or {})),
]
HEADERS = ("Measure", "App", "Baseline (same run)", "Ratio", "Target", "Met", "Runs")


def all_rows(results: dict[str, Any]) -> list[Row]:
    return [row for _, build in SECTIONS for row in build(results)]


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        f"Measured {meta['date']} ({meta['mode']} mode) on {meta['nproc']} cores "
        f"({meta['cpu']}), {meta['ram_gib']:.0f} GiB RAM, Python {meta['python']}, "
        f"PySide6 {meta['pyside6']}; commit {meta.get('commit', '?')}"
        f"{' (+ uncommitted changes)' if meta.get('uncommitted_files') else ''}; "
        f"load average {meta['load_start']} at start, {meta.get('load_end', '?')} at end. "
        "Baselines ran in the same run: the web front end stand-in (polls jobs every 5 s "
        "and notifications every 60 s) and a bare PySide6 tray process.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" for _ in HEADERS) + "|",
    ]
    for row in all_rows(results):
        cells = (row.measure, row.value, row.baseline, row.ratio, row.target, row.met, row.runs)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def text_table(results: dict[str, Any]) -> str:
    rows = [HEADERS] + [
        (r.measure, r.value, r.baseline, r.ratio, r.target, r.met, r.runs)
        for r in all_rows(results)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
