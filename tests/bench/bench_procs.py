"""Processes under measurement: the app, the bare tray, and what /proc says about them.

CPU time is utime + stime from /proc/PID/stat (all threads). Memory is VmRSS from
/proc/PID/status, and PSS and USS (private clean + dirty) from /proc/PID/smaps_rollup:
PSS shares PySide6's pages among every Qt process running, so RSS and USS are the
figures to compare between processes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .bench_servers import EMAIL, PASSWORD, BenchServer

REPO = Path(__file__).resolve().parents[2]
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def memory_kb(pid: int) -> dict[str, int]:
    """rss, pss and uss of the process in KiB."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                values["rss"] = int(line.split()[1])
    rollup: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                rollup[parts[0][:-1]] = int(parts[1])
    values["pss"] = rollup.get("Pss", 0)
    values["uss"] = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
    return values


@dataclass
class FootprintWindow:
    """CPU and memory of some processes over one idle window (see :func:`sample`)."""

    seconds: float
    samples: int
    per_process: dict[str, dict[str, float]]


class BackgroundSampler:
    """Reads the processes' memory every ``interval`` seconds on a thread; CPU from start
    to stop. A process that has exited keeps its last readings."""

    def __init__(self, pids: Mapping[str, int], interval: float = 5.0) -> None:
        self.pids, self.interval = dict(pids), interval
        self._mem: dict[str, list[dict[str, int]]] = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="footprint", daemon=True)
        self._started = 0.0
        self._cpu0: dict[str, float] = {}

    def start(self) -> BackgroundSampler:
        self._started = time.monotonic()
        self._cpu0 = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                with contextlib.suppress(OSError):
                    self._mem[name].append(memory_kb(pid))
            if self._stop.wait(self.interval):
                return

    def stop(self) -> FootprintWindow:
        self._stop.set()
        self._thread.join()
        for name, pid in self.pids.items():  # a last reading at the very end
            with contextlib.suppress(OSError):
                self._mem[name].append(memory_kb(pid))
        elapsed = time.monotonic() - self._started
        result = {}
        for name, pid in self.pids.items():
            used = cpu_seconds(pid) - self._cpu0[name]
            mem = self._mem[name]
            result[name] = {
                "cpu_s": used,
                "cpu_pct": 100.0 * used / elapsed,
                **{f"{k}_mib": statistics.median(m[k] for m in mem) / 1024 for k in mem[0]},
                "rss_max_mib": max(m["rss"] for m in mem) / 1024,
            }
        return FootprintWindow(elapsed, len(self._mem[next(iter(self.pids))]), result)


def sample(pids: Mapping[str, int], seconds: float, interval: float = 5.0) -> FootprintWindow:
    """Watch ``pids`` for ``seconds``: CPU % of one core, median RSS/PSS/USS in MiB."""
    sampler = BackgroundSampler(pids, interval).start()
    time.sleep(seconds)
    return sampler.stop()


def isolated_env(root: Path) -> dict[str, str]:
    """The desktop's environment with private config/state/cache and temp folders.

    TMPDIR is private too: Qt puts the single-instance socket there, so several apps
    can run side by side. English texts, so toast titles are predictable.
    """
    env = os.environ.copy()
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "TMPDIR"):
        folder = root / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", LANGUAGE="en", QT_QPA_PLATFORM="xcb")
    return env


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> float:
    """SIGTERM, then SIGKILL after ``timeout``; returns the seconds the exit took."""
    start = time.monotonic()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    return time.monotonic() - start


@dataclass
class AppClient:
    """One app instance (``python -m tray_app``) signed in to its own server."""

    name: str
    root: Path
    server: BenchServer
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    _log: IO[str] | None = None

    def __post_init__(self) -> None:
        self.env = isolated_env(self.root)

    def begin_login(self) -> subprocess.Popen[str]:
        """Start ``tray-app login`` (stores the token and password in the keyring)."""
        args = ["login", "--server", self.server.url, "--email", EMAIL, "--password-stdin"]
        process = subprocess.Popen(
            [sys.executable, "-m", "tray_app", *args],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdin is not None
        process.stdin.write(PASSWORD + "\n")
        process.stdin.close()
        return process

    def login(self) -> None:
        finish_login(self.name, self.begin_login())

    def start(self) -> int:
        self._log = open(self.root / "app.log", "a", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tray_app", "--log-level", "INFO"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self.process.pid

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def open_window(self) -> subprocess.CompletedProcess[str]:
        """Start a second instance: it sends "open" to this one and exits."""
        return subprocess.run(
            [sys.executable, "-m", "tray_app"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> float:
        took = stop_process(self.process) if self.process is not None else 0.0
        if self._log is not None:
            self._log.close()
            self._log = None
        return took


def finish_login(name: str, process: subprocess.Popen[str]) -> None:
    out = process.stdout.read() if process.stdout else ""
    if process.wait(timeout=60) != 0:
        raise RuntimeError(f"login of {name} failed: {out.strip()}")


def start_bare_tray(log: Path) -> subprocess.Popen[str]:
    """The bare PySide6 process that only shows a QSystemTrayIcon."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", QT_QPA_PLATFORM="xcb")
    with open(log, "a", encoding="utf-8") as out:
        return subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("bare_tray.py"))],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
        )
