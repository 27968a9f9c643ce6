"""Fixtures for tests on the headless desktop that tests/run starts.

Every test in tests/e2e gets the `desktop` marker. Without the desktop
(TRAY_APP_TEST_DESKTOP unset) such tests are skipped; with it, a missing part fails them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from pytestqt.qtbot import QtBot

from .desktop_bus import NOTIFICATIONS, SECRETS, WATCHER, BusWorker, SessionBus
from .dunst import Dunst

T = TypeVar("T")

E2E_DIR = Path(__file__).resolve().parent
SKIP_REASON = "needs the headless desktop: run the tests with tests/run"

# The desktop's parts and the bus name each one owns once it is ready.
DESKTOP_PARTS = {
    WATCHER: "tray host (gtk-sni-tray-standalone --watcher)",
    NOTIFICATIONS: "notification daemon (dunst)",
    SECRETS: "secrets service (gnome-keyring-daemon)",
}


def desktop_enabled() -> bool:
    return os.environ.get("TRAY_APP_TEST_DESKTOP") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of tests/e2e as `desktop`; skip `desktop` tests without the desktop."""
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.path.resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.desktop)
        if not desktop_enabled() and item.get_closest_marker("desktop"):
            item.add_marker(skip)


@dataclass(frozen=True)
class Desktop:
    """The running test desktop, as described by its environment."""

    display: str
    bus_address: str
    run_dir: Path


def _x_display_up(display: str) -> bool:
    """Whether the X server of `display` (":N") accepts connections on its local socket."""
    match = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if not match:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(f"/tmp/.X11-unix/X{match.group(1)}")
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def desktop() -> Desktop:
    """The test desktop; fails the test when one of its parts is not running."""
    if not desktop_enabled():
        pytest.skip(SKIP_REASON)
    display = os.environ.get("DISPLAY", "")
    problems = [] if _x_display_up(display) else [f"X display {display!r} is not up"]
    try:
        with SessionBus() as bus:
            problems += [
                f"{part}: bus name {name} has no owner"
                for name, part in DESKTOP_PARTS.items()
                if not bus.name_has_owner(name)
            ]
    except Exception as exc:  # no bus at all: report it like the other missing parts
        problems.append(f"session bus unreachable: {exc}")
    if problems:
        pytest.fail("test desktop incomplete: " + "; ".join(problems), pytrace=False)
    return Desktop(
        display=display,
        bus_address=os.environ["DBUS_SESSION_BUS_ADDRESS"],
        run_dir=Path(os.environ["TRAY_APP_DESKTOP_RUN_DIR"]),
    )


@pytest.fixture(autouse=True)
def _require_desktop(desktop: Desktop) -> None:
    """Every test in tests/e2e needs the desktop."""


class BusReader:
    """Reads the session bus on a worker thread while the Qt event loop keeps running.

    `bus_read(fn)` returns `fn(bus)`; `bus_read(fn, until=pred)` repeats it until
    `pred(result)` holds (TimeoutError after `timeout` seconds).
    """

    def __init__(self, qtbot: QtBot, worker: BusWorker) -> None:
        self._qtbot = qtbot
        self._worker = worker

    def __call__(
        self,
        fn: Callable[[SessionBus], T],
        until: Callable[[T], bool] | None = None,
        timeout: float = 10.0,
    ) -> T:
        future = self._worker.submit(fn) if until is None else self._worker.poll(fn, until, timeout)
        # The worker enforces `timeout`; the extra margin only guards against a stuck call.
        self._qtbot.waitUntil(future.done, timeout=int((timeout + 10) * 1000))
        return future.result()


@pytest.fixture
def bus_read(qtbot: QtBot, desktop: Desktop) -> Iterator[BusReader]:
    worker = BusWorker()
    yield BusReader(qtbot, worker)
    worker.close()


@pytest.fixture
def session_bus(desktop: Desktop) -> Iterator[SessionBus]:
    """A blocking connection for tests that do not export anything on the bus themselves."""
    with SessionBus() as bus:
        yield bus


@pytest.fixture
def dunst(desktop: Desktop) -> Dunst:
    """dunst with no toast displayed and no button choice left over from another test."""
    helper = Dunst(Path(os.environ["TRAY_APP_DUNST_CHOICE_FILE"]))
    helper.reset()
    return helper


@pytest.fixture
def screenshot(desktop: Desktop, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`screenshot(name)` saves the whole screen to artifacts/screenshots/<name>.png."""
    folder = request.config.rootpath / "artifacts" / "screenshots"

    def take(name: str) -> Path:
        if not re.fullmatch(r"[\w.-]+", name):
            raise ValueError(f"screenshot name {name!r}: use letters, digits, '.', '_', '-'")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=30)
        return path

    return take
