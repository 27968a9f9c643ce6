"""Start-up: from process start to the tray item being registered with the tray host.

The app (signed in through ``tray-app login`` beforehand, so it starts as a user's
would) and the bare tray process are started alternately, so both see the same load;
the clock starts just before the process is spawned and stops at the tray host's
``StatusNotifierItemRegistered`` signal (timestamped by dbus-monitor). An import-time
profile (``python -X importtime``) shows where the app's extra time goes.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from .bench_bus import BusMonitor
from .bench_procs import REPO, AppClient, start_bare_tray, stop_process
from .bench_servers import BenchServer
from .bench_stats import ratio, summarize

_REGISTER_TIMEOUT_S = 30.0


def _time_to_item(monitor: BusMonitor, spawn: Any) -> tuple[float, subprocess.Popen[str]]:
    t0 = time.time()
    process = spawn()
    event = monitor.wait_for(
        lambda e: e.member == "StatusNotifierItemRegistered", _REGISTER_TIMEOUT_S, since=t0
    )
    if event is None:
        stop_process(process)
        raise RuntimeError("no tray item was registered")
    return event.time - t0, process


def run_startup(runs: int, work: Path, monitor: BusMonitor) -> dict[str, Any]:
    """``runs`` start-ups of each, alternating; medians and their ratio."""
    server = BenchServer("startup", stream=False, rate_limit=False)
    app = AppClient("startup", work / "startup-app", server)
    app.login()
    times: dict[str, list[float]] = {"app": [], "bare": []}
    quit_s: list[float] = []
    try:
        for _ in range(runs):
            took, bare = _time_to_item(monitor, lambda: start_bare_tray(work / "bare-startup.log"))
            times["bare"].append(took)
            stop_process(bare)
            time.sleep(0.3)
            took, _process = _time_to_item(monitor, app.start)
            times["app"].append(took)
            time.sleep(0.5)  # let it finish its first sync, as a user's start would
            quit_s.append(app.stop())
            time.sleep(0.3)
    finally:
        app.stop()
        server.close()
    app_s, bare_s = summarize(times["app"]), summarize(times["bare"])
    return {
        "runs": runs,
        "app_s": times["app"],
        "bare_s": times["bare"],
        "app": app_s,
        "bare": bare_s,
        "ratio": ratio(app_s["p50"], bare_s["p50"]),
        "quit_on_sigterm_s": summarize(quit_s),
        "imports": import_profile(),
    }


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \| *(\S+)$")


def _import_times(statement: str) -> tuple[float, dict[str, float]]:
    """Total import seconds of one cold run, and each top-level package's share."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    per_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            # Self time (children excluded), summed by top-level package.
            seconds = int(match.group(1)) / 1e6
            per_package[match.group(2).split(".")[0]] += seconds
            total += seconds
    return total, dict(per_package)


def import_profile(repeats: int = 3) -> dict[str, Any]:
    """Median import time of the app's GUI entry point and of QtWidgets, by package."""
    result: dict[str, Any] = {}
    statements = {
        "app": "import tray_app.app.bootstrap",
        "bare": "import PySide6.QtWidgets, PySide6.QtGui",
    }
    for name, statement in statements.items():
        runs = [_import_times(statement) for _ in range(repeats)]
        packages: dict[str, list[float]] = defaultdict(list)
        for _, per_package in runs:
            for package, seconds in per_package.items():
                packages[package].append(seconds)
        result[name] = {
            "total_s": statistics.median(total for total, _ in runs),
            "runs": repeats,
            "by_module_s": dict(
                sorted(
                    ((p, statistics.median(v)) for p, v in packages.items()),
                    key=lambda item: -item[1],
                )[:12]
            ),
        }
    return result
