"""The real app as a subprocess on the test desktop, watched for crashes and secrets.

:class:`TrayApp` runs ``python -m tray_app --log-level DEBUG`` with private XDG folders,
its output in a file (a pipe nobody reads could fill up during a long run and block the
app), and reads its tray item over D-Bus. ``sign_in`` uses the ``login`` command, as a
user would, and returns the password and the token it stored in the keyring.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
from e2e.desktop_bus import SessionBus, ToolTip, wait_for

from tray_app.credentials import service_name
from tray_app.reference_server import RunningServer
from tray_app.settings import SettingsStore

EMAIL = "reliability@example.com"
PASSWORD = "Reliability-Pass-7319"
XDG_NAMES = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
RELIABILITY_DIR = Path(__file__).resolve().parent


def app_env(root: Path, **extra: str) -> dict[str, str]:
    """The desktop's environment with private XDG folders under ``root``."""
    env = os.environ.copy()
    for name in XDG_NAMES:
        folder = root / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "xcb"
    env.update(extra)
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tray_app", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sign_in(env: dict[str, str], server: RunningServer, *extra: str) -> tuple[str, str]:
    """``tray-app login`` for the test account; returns (password, stored token)."""
    result = run_cli(
        env,
        "login",
        "--server",
        server.url,
        "--email",
        EMAIL,
        "--password-stdin",
        *extra,
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    token = keyring.get_password(service_name(server.url), EMAIL)
    assert token and token.count(".") == 2
    return PASSWORD, token


def set_settings(env: dict[str, str], **changes: Any) -> None:
    """Change the app's settings file before it starts."""
    path = Path(env["XDG_CONFIG_HOME"]) / "tray-app" / "settings.json"
    SettingsStore(path).update(**changes)


class Rows:
    """Creates notifications for the test account, each with a unique, known title."""

    def __init__(self, server: RunningServer, *, verify: bool | str = True) -> None:
        self.server = server
        self.verify = (
            ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        )
        self.titles: list[str] = []

    def add(
        self, count: int = 1, type_: str = "job_completed", title: str = "", **fields: Any
    ) -> list[str]:
        """Insert ``count`` rows through the test-control API; returns their titles."""
        titles = []
        for _ in range(count):
            text = title or f"Archivage terminé #{len(self.titles) + 1}"
            body = {"email": EMAIL, "type": type_, "title": text, **fields}
            response = httpx.post(
                f"{self.server.url}/api/_test/notifications",
                json=body,
                timeout=10,
                verify=self.verify,
            )
            response.raise_for_status()
            self.titles.append(text)
            titles.append(text)
        return titles

    def unread(self) -> int:
        rows = self.server.sql("SELECT COUNT(*) FROM notifications WHERE is_read = 0")
        return int(rows[0][0])


@dataclass
class TrayApp:
    """The app under test; ``item`` is its tray entry once registered."""

    env: dict[str, str]
    root: Path
    args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    item: str = ""
    started_at: float = 0.0
    runs: int = 0
    known_items: set[str] = field(default_factory=set)

    @property
    def output_path(self) -> Path:
        return self.root / f"app-output-{self.runs}.txt"

    def start(self, bus: SessionBus) -> TrayApp:
        self.known_items = set(bus.registered_items())
        self.runs += 1
        with self.output_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tray_app", "--log-level", "DEBUG", *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started_at = time.monotonic()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            code = self.process.returncode if self.process else None
            raise AssertionError(f"the app exited with {code}:\n{self.output()[-4000:]}")

    def wait_item(self, bus: SessionBus, timeout: float = 30.0) -> str:
        def new_items() -> list[str]:
            self.check_alive()
            return [i for i in bus.registered_items() if i not in self.known_items]

        self.item = wait_for(new_items, bool, timeout=timeout)[0]
        return self.item

    def tooltip(self, bus: SessionBus) -> ToolTip:
        return bus.tooltip(self.item)

    def wait_tooltip(
        self,
        bus: SessionBus,
        text: str,
        timeout: float = 60.0,
        *,
        absent: str | None = None,
        interval: float = 0.1,
    ) -> ToolTip:
        """Wait until the tooltip shows ``text`` (and not ``absent``)."""

        def read() -> ToolTip:
            self.check_alive()
            return bus.tooltip(self.item)

        def matches(tip: ToolTip) -> bool:
            shown = f"{tip.title}\n{tip.description}"
            return text in shown and (absent is None or absent not in shown)

        return wait_for(read, matches, timeout, interval)

    def stop(self) -> int | None:
        """SIGTERM, as a session logout would; the exit code (None if it had to be killed)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
                return None
        return self.process.returncode

    def output(self) -> str:
        """Everything the app printed, over all its runs."""
        return "".join(
            (self.root / f"app-output-{n}.txt").read_text(errors="replace")
            for n in range(1, self.runs + 1)
            if (self.root / f"app-output-{n}.txt").exists()
        )

    def written_files(self) -> list[Path]:
        """Every file the app wrote: settings, state, cache, logs."""
        files: list[Path] = []
        for name in XDG_NAMES:
            files += [p for p in Path(self.env[name]).rglob("*") if p.is_file()]
        return files

    def log_text(self) -> str:
        logs = [p for p in self.written_files() if ".log" in p.name]
        return "".join(p.read_text(errors="replace") for p in sorted(logs))


def measure(action: Callable[[], Any]) -> tuple[Any, float]:
    """``action()`` and the seconds it took."""
    start = time.monotonic()
    result = action()
    return result, time.monotonic() - start
