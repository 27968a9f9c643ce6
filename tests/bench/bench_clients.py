"""The clients of the live benchmark: app instances and web front end baselines.

Every client talks to its own reference server, so the server's request log is the
client's cost, and its toasts are told apart by the sender's PID on the bus.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .bench_procs import REPO, AppClient, finish_login, stop_process
from .bench_servers import EMAIL, PASSWORD, BenchServer

#: The three ways of being told, each measured against its own server.
MODES = ("poll", "stream", "baseline")
_READY_TIMEOUT_S = 60.0


class Baseline:
    """The web front end stand-in (bench_baseline_web) as a process."""

    def __init__(self, root: Path, server: BenchServer) -> None:
        self.root, self.server = root, server
        self.process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    def start(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        self._log = open(self.root / "baseline.log", "a", encoding="utf-8")  # noqa: SIM115
        args = ["--server", self.server.url, "--email", EMAIL, "--password-stdin"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.bench_baseline_web", *args],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(PASSWORD + "\n")
        self.process.stdin.close()
        return self.process.pid

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> float:
        took = stop_process(self.process) if self.process is not None else 0.0
        if self._log is not None:
            self._log.close()
        return took


@dataclass
class Client:
    """One client in one set ("N": notifications, "J": jobs) and one mode."""

    group: str
    mode: str
    server: BenchServer
    runner: AppClient | Baseline
    sent: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.group}-{self.mode}"

    @property
    def pid(self) -> int:
        return self.runner.pid

    def ready(self) -> bool:
        """Signed in and synced once (and, with a stream, connected to it)."""
        done = {(e["path"], e["status"]) for e in self.server.requests()}
        synced = ("/api/notifications", 200) in done
        streaming = ("/api/notifications/stream", 200) in done
        return synced and (self.mode != "stream" or streaming)


def make_clients(work: Path, groups: tuple[str, ...], seed: int) -> list[Client]:
    """Servers and clients for each group and mode; the apps are signed in."""
    clients = []
    for group in groups:
        for mode in MODES:
            server = BenchServer(f"{group}-{mode}", stream=mode == "stream", seed=seed)
            root = work / f"{group}-{mode}"
            runner: AppClient | Baseline
            runner = (
                Baseline(root, server) if mode == "baseline" else AppClient(group, root, server)
            )
            clients.append(Client(group, mode, server, runner))
    logins = [(c.name, c.runner.begin_login()) for c in clients if isinstance(c.runner, AppClient)]
    for name, process in logins:
        finish_login(name, process)
    return clients


def start_clients(clients: list[Client]) -> None:
    for client in clients:
        client.runner.start()
    deadline = time.monotonic() + _READY_TIMEOUT_S
    waiting = list(clients)
    while waiting:
        dead = [c.name for c in waiting if not c.runner.alive()]
        if dead or time.monotonic() > deadline:
            raise RuntimeError(f"clients not ready: {[c.name for c in waiting]} (exited: {dead})")
        waiting = [c for c in waiting if not c.ready()]
        time.sleep(0.2)


def stop_clients(clients: list[Client]) -> dict[str, float]:
    """Stop every client and close every server; seconds each client took to quit."""
    took = {}
    for client in clients:
        took[client.name] = client.runner.stop()
        client.server.close()
    return took
