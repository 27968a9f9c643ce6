"""Opening and closing the running app's list window from outside, as a user would.

Opening: a second ``tray-app`` start sends "open" to the running instance. Loading:
mouse-wheel clicks over the list (xdotool) scroll it, and the view asks for the next
page whenever it reaches the end. Closing: Esc on the focused window (the window's own
shortcut hides it).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from urllib.parse import parse_qs

from .bench_procs import AppClient

_WHEEL_DOWN = "5"


def xdotool(*args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=30, check=False
    )
    return done.stdout.strip()


def visible_windows(pid: int) -> list[str]:
    return xdotool("search", "--onlyvisible", "--pid", str(pid)).split()


def _wait(pred: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def deepest_page(app: AppClient, limit: int = 50) -> int:
    """The highest page of ``limit`` rows the app has fetched so far."""
    pages = [0]
    for entry in app.server.requests():
        query = parse_qs(entry.get("query") or "")
        if entry["path"] == "/api/notifications" and query.get("limit") == [str(limit)]:
            pages.append(int(query.get("page", ["1"])[0]))
    return max(pages)


def open_load_close(app: AppClient, rows: int, timeout: float = 120.0) -> dict[str, object]:
    """Open the window, scroll until ``rows`` are loaded, close it; what happened."""
    started = time.monotonic()
    second = app.open_window()
    if not _wait(lambda: visible_windows(app.pid), 15):
        raise RuntimeError(f"the list window did not open: {second.stdout} {second.stderr}")
    window = visible_windows(app.pid)[0]
    opened = time.monotonic() - started
    xdotool("mousemove", "--window", window, "150", "250")
    pages = -(-rows // 50)
    deadline = time.monotonic() + timeout
    while deepest_page(app) < pages and time.monotonic() < deadline:
        xdotool("click", "--repeat", "40", "--delay", "5", _WHEEL_DOWN)
    loaded_pages = deepest_page(app)
    xdotool("windowfocus", "--sync", window)
    xdotool("key", "Escape")
    closed = _wait(lambda: not visible_windows(app.pid), 10)
    return {
        "open_s": round(opened, 2),
        "pages_loaded": loaded_pages,
        "rows_loaded_at_least": min(rows, loaded_pages * 50),
        "closed_with_escape": closed,
        "seconds": round(time.monotonic() - started, 1),
    }
