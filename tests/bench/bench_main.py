"""Runs the benchmarks (on the desktop started by tests/bench/run) and writes the results.

    python -m tests.bench.bench_main [--quick] [--only startup,list,live] [--out DIR]

Phases run one after the other so that they do not disturb each other: start-up, the
list window, then the live run (latency, server cost, footprint). A phase that breaks
is reported as such and the others still run. Missed targets never fail the run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .bench_bus import BusMonitor
from .bench_live import LivePlan, run_live
from .bench_procs import REPO
from .bench_report import markdown, text_table
from .bench_startup import run_startup

PHASES = ("startup", "list", "live")


@dataclass(frozen=True)
class Plan:
    startup_runs: int
    list_rows: int
    list_memory_rows: int
    reopens: int
    list_limit_s: float
    live: LivePlan


FULL = Plan(
    startup_runs=7,
    list_rows=10_000,
    list_memory_rows=10_000,
    reopens=20,
    list_limit_s=240,
    live=LivePlan(
        warmup_s=20,
        idle_s=180,
        sample_every_s=5,
        job_cost_s=150,
        notifications=40,
        notification_gap=(8, 16),
        jobs=40,
        job_gap=(6, 12),
        job_duration=(30, 36),
        tail_s=75,
        window_rows=1000,
        window_idle_s=60,
    ),
)
QUICK = Plan(
    startup_runs=3,
    list_rows=1_500,
    list_memory_rows=1_500,
    reopens=8,
    list_limit_s=30,
    live=LivePlan(
        warmup_s=5,
        idle_s=20,
        sample_every_s=2.5,
        job_cost_s=10,
        notifications=6,
        notification_gap=(4, 7),
        jobs=5,
        job_gap=(4, 6),
        job_duration=(8, 12),
        tail_s=12,
        window_rows=1000,
        window_idle_s=10,
    ),
)


def precompile() -> str:
    """Write the app's byte-code caches, as an installed app has them.

    Without them (PYTHONDONTWRITEBYTECODE, a fresh checkout) every start compiles the
    app's modules again, which would be measured as start-up time.
    """
    done = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "tray_app"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return "precompiled" if done.returncode == 0 else f"compileall failed: {done.stdout[-200:]}"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def machine(mode: str) -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        ram_kib = int(f.readline().split()[1])
    import PySide6

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": mode,
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_kib / 2**20,
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": len(_git("status", "--porcelain", "--", "tray_app").splitlines()),
        "bytecode": precompile(),
    }


def run_list_window(plan: Plan, work: Path) -> dict[str, Any]:
    """The list window benchmark in fresh processes: a timing run and a memory run."""
    result: dict[str, Any] = {}
    for mode, rows in (("timing", plan.list_rows), ("memory", plan.list_memory_rows)):
        out = work / f"list-{mode}.json"
        args = ["--rows", str(rows), "--mode", mode, "--reopens", str(plan.reopens)]
        args += ["--load-limit-s", str(plan.list_limit_s)]
        with open(work / f"list-{mode}.log", "w", encoding="utf-8") as log:
            done = subprocess.run(
                [sys.executable, "-m", "tests.bench.bench_list_window", *args, "--out", str(out)],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=1800,
                check=False,
            )
        if done.returncode != 0 or not out.exists():
            result[mode] = {"error": f"exit {done.returncode}, see {log.name}"}
        else:
            result[mode] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _phase(name: str, results: dict[str, Any], fn: Callable[[], Any]) -> None:
    print(f"bench: {name}...", flush=True)
    started = time.monotonic()
    try:
        results[name] = fn()
    except Exception as exc:  # report it and go on with the other phases
        traceback.print_exc()
        results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    print(f"bench: {name} done in {time.monotonic() - started:.0f} s", flush=True)


def _clean(value: Any) -> Any:
    """NaN and infinities become null (JSON has none)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke run (< 3 min)")
    parser.add_argument("--only", default=",".join(PHASES), help="phases: " + ",".join(PHASES))
    parser.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    # Stopped from outside: unwind, so that every app, server and helper is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    plan, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    work = args.out / f"work-{mode}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    results: dict[str, Any] = {"meta": machine(mode) | {"seed": args.seed, "phases": phases}}
    started = time.monotonic()
    monitor = BusMonitor()
    try:
        if "startup" in phases:
            _phase("startup", results, lambda: run_startup(plan.startup_runs, work, monitor))
        if "list" in phases:
            _phase("list_window", results, lambda: run_list_window(plan, work))
        if "live" in phases:
            _phase("live", results, lambda: run_live(plan.live, work, monitor, args.seed))
    finally:
        monitor.close()
    results["meta"]["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["meta"]["seconds"] = round(time.monotonic() - started)
    write(results, args.out, mode)
    return 0


def write(results: dict[str, Any], out: Path, mode: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"results-{mode}.json", out / f"results-{mode}.md"
    json_path.write_text(json.dumps(_clean(results), indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    print()
    print(text_table(results))
    errors = [name for name, part in results.items() if isinstance(part, dict) and "error" in part]
    if errors:
        print(f"\nphases that broke: {', '.join(errors)} (see {json_path})")
    print(f"\nresults: {json_path} and {md_path} ({results['meta']['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
