"""Run the real app (``python -m tray_app``) as a separate process on the test desktop.

Each test gets its own config, state and cache folders, so nothing leaks between tests;
the keyring and the desktop's buses are the shared ones started by tests/run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .desktop_bus import SessionBus, ToolTip, wait_for


def app_environment(root: Path) -> dict[str, str]:
    env = os.environ.copy()
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = root / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    # The single-instance socket lives in the temp folder: a private one per app keeps
    # tests (and anyone else's running app) from answering for each other.
    private_tmp = root / "tmp"
    private_tmp.mkdir(parents=True, exist_ok=True)
    env["TMPDIR"] = str(private_tmp)
    env["QT_QPA_PLATFORM"] = "xcb"
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tray_app", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class AppProcess:
    """The app running on the test desktop; ``item`` is its tray entry once found."""

    env: dict[str, str]
    args: tuple[str, ...] = ()
    process: subprocess.Popen[str] | None = None
    item: str = ""
    known_items: set[str] = field(default_factory=set)
    #: The program to run; the test's own interpreter by default.
    command: tuple[str, ...] = (sys.executable, "-m", "tray_app")

    def start(self, bus: SessionBus) -> AppProcess:
        self.known_items = set(bus.registered_items())
        self.process = subprocess.Popen(
            [*self.command, "--log-level", "DEBUG", *self.args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def wait_item(self, bus: SessionBus, timeout: float = 30.0) -> str:
        def new_items() -> list[str]:
            self._check_alive()
            return [i for i in bus.registered_items() if i not in self.known_items]

        self.item = wait_for(new_items, bool, timeout=timeout)[0]
        return self.item

    def tooltip(self, bus: SessionBus) -> ToolTip:
        return bus.tooltip(self.item)

    def wait_tooltip(self, bus: SessionBus, text: str, timeout: float = 40.0) -> ToolTip:
        def read() -> ToolTip:
            self._check_alive()
            return bus.tooltip(self.item)

        return wait_for(read, lambda tip: text in f"{tip.title}\n{tip.description}", timeout)

    def stop(self) -> str:
        """Ask the app to quit (SIGTERM) and return what it printed."""
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is None or self.process.stdout.closed:
            return ""
        with self.process.stdout:
            return self.process.stdout.read()

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            out = self.process.stdout.read() if self.process.stdout else ""
            raise AssertionError(f"the app exited with {self.process.returncode}:\n{out[-4000:]}")
