"""Real toasts from desktop-notifier to the test desktop's dunst, and back."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tray_app.core.toast import Toast
from tray_app.services.notifier import CallableBackend, DesktopNotifierBackend, ToastService

pytestmark = pytest.mark.skipif(
    os.environ.get("TRAY_APP_TEST_DESKTOP") != "1",
    reason="needs the headless desktop's dunst: run the tests with tests/run",
)

T = TypeVar("T")
APP_NAME = "Mail Notifications"


def dunstctl(*args: str) -> str:
    done = subprocess.run(
        ["dunstctl", *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout


def count(which: str) -> int:
    return int(dunstctl("count", which))


def history() -> list[dict[str, Any]]:
    """dunst's closed toasts, newest first, as plain {key: value} dicts."""
    entries = json.loads(dunstctl("history"))["data"][0]
    return [{key: value["data"] for key, value in entry.items()} for entry in entries]


async def wait_until(read: Callable[[], T], until: Callable[[T], bool], timeout: float = 10) -> T:
    """Poll ``read`` until ``until`` holds, keeping the loop free for D-Bus signals."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"last value {value!r}")
        await asyncio.sleep(0.05)


def rendered_body(message: str) -> str:
    """The body as dunst draws it: its format is "<b>%s</b>\\n%b", rendered by Pango."""
    body_markup = message.split("\n", 1)[1]
    return html.unescape(re.sub(r"<[^>]*>", "", body_markup))


@pytest.fixture
def service() -> Iterator[tuple[ToastService, list[tuple[str, str]]]]:
    """A toast service whose only fallback records what would have gone to the tray."""
    dunstctl("close-all")
    fallback: list[tuple[str, str]] = []
    toasts = ToastService(
        [
            DesktopNotifierBackend(APP_NAME, probe_timeout=5),
            CallableBackend(lambda title, body: fallback.append((title, body))),
        ]
    )
    yield toasts, fallback
    dunstctl("close-all")


async def show_and_close(toasts: ToastService, toast: Toast) -> dict[str, Any]:
    """Show ``toast``, then close it and return dunst's record of it."""
    before = count("history")
    try:
        assert await toasts.show(toast) is not None
        await wait_until(lambda: count("displayed"), lambda n: n >= 1)
    finally:
        await toasts.aclose()
    dunstctl("close-all")
    await wait_until(lambda: count("history"), lambda n: n > before)
    return history()[0]


def test_toast_reaches_dunst_as_plain_text(service: tuple[ToastService, list[Any]]) -> None:
    toasts, fallback = service
    toast = Toast(title="Export <ready> & done", body="<b>x</b> & co", notification_id="n-1")
    shown = asyncio.run(show_and_close(toasts, toast))
    assert shown["appname"] == APP_NAME
    assert shown["summary"] == toast.title
    # Markup sent to dunst is escaped exactly once: the person sees the characters.
    assert rendered_body(shown["message"]) == "<b>x</b> & co"
    assert shown["body"] == "&lt;b&gt;x&lt;/b&gt; &amp; co"
    assert fallback == []
    assert toasts.backend_name == "desktop-notifier"


def test_click_on_toast_comes_back_as_open(service: tuple[ToastService, list[Any]]) -> None:
    toasts, _fallback = service

    async def main() -> tuple[str, str]:
        clicked: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
        toasts.action_invoked.connect(lambda nid, key: clicked.set_result((nid, key)))
        await toasts.show(Toast(title="New message", body="From Bob", notification_id="n-42"))
        await wait_until(lambda: count("displayed"), lambda n: n == 1)
        try:
            dunstctl("action", "0")  # what a left click does in the test desktop
            return await asyncio.wait_for(clicked, 10)
        finally:
            await toasts.aclose()

    assert asyncio.run(main()) == ("n-42", "open")


def test_button_comes_back_with_its_key(service: tuple[ToastService, list[Any]]) -> None:
    choice = os.environ.get("TRAY_APP_DUNST_CHOICE_FILE")
    if not choice:
        pytest.skip("the desktop has no dunst context-menu stand-in")
    toasts, _fallback = service

    async def main() -> tuple[str, str]:
        pressed: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
        toasts.action_invoked.connect(lambda nid, key: pressed.set_result((nid, key)))
        toast = Toast(
            title="Invoice",
            body="Due",
            notification_id="n-7",
            buttons=(("mark_read", "Mark read"),),
        )
        await toasts.show(toast)
        await wait_until(lambda: count("displayed"), lambda n: n == 1)
        Path(choice).write_text("#Mark read (\n", encoding="utf-8")
        try:
            dunstctl("context")  # dunst's menu, answered by the dmenu stand-in
            return await asyncio.wait_for(pressed, 10)
        finally:
            Path(choice).unlink(missing_ok=True)
            await toasts.aclose()

    assert asyncio.run(main()) == ("n-7", "mark_read")
