"""Service tests run asyncio on the Qt event loop (qasync), as the app does.

The loop is created "already running", like the app's, so that coroutines step
whenever Qt processes events. (``run_until_complete`` would not do: after each run it
processes Qt events once more with no running loop, and the task steps that land there
fail with "no running event loop".) Tests drive it through :class:`LoopRunner`, which
waits with ``qtbot.waitUntil`` (Qt events, hence asyncio, keep running meanwhile):
``aloop.run(coro)`` and ``aloop.wait_until(condition)``.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
import qasync
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from tray_app.api.client import ApiClient
from tray_app.reference_server import RunningServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T = TypeVar("T")

#: Closed loops are kept alive: qasync's timer object still has Qt timers registered
#: (``stop()`` only flags them), and if the cyclic garbage collector freed it from
#: another thread (a reference server's), Qt would later fire a timer at a deleted
#: object and crash. Kept here, the stale timers fire once, harmlessly, and die.
_CLOSED_LOOPS: list[asyncio.AbstractEventLoop] = []


class LoopRunner:
    """Runs coroutines and waits for conditions on a running qasync loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
        self.loop = loop
        self._qtbot = qtbot

    def run(self, awaitable: Awaitable[T], timeout: float = 10.0) -> T:
        """Run ``awaitable`` to completion (TimeoutError after ``timeout`` seconds)."""
        task = asyncio.ensure_future(awaitable, loop=self.loop)
        try:
            self._qtbot.waitUntil(task.done, timeout=round(timeout * 1000))
        except WaitTimeout:
            task.cancel()
            self._qtbot.waitUntil(task.done, timeout=5000)
            raise TimeoutError(f"{awaitable!r} did not finish within {timeout} s") from None
        return task.result()

    def wait_until(
        self, condition: Callable[[], Any], timeout: float = 5.0, message: str = ""
    ) -> None:
        """Process events until ``condition()`` is true; fail after ``timeout`` seconds."""
        try:
            self._qtbot.waitUntil(lambda: bool(condition()), timeout=round(timeout * 1000))
        except WaitTimeout:
            pytest.fail(f"condition not met within {timeout} s: {message or condition}")


@pytest.fixture
def aloop(qapp: Any, qtbot: QtBot) -> Iterator[LoopRunner]:
    """A running qasync event loop for this test; left-over tasks are cancelled after it."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    runner = LoopRunner(loop, qtbot)
    try:
        yield runner
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        qtbot.waitUntil(lambda: all(task.done() for task in pending), timeout=5000)
        runner.run(loop.shutdown_asyncgens())
        # qasync's stop() would call QCoreApplication.exit(), whose "quit now" flag
        # stays set and stalls the event processing of every later test: mark the loop
        # stopped directly instead, so that close() accepts it.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)
        _CLOSED_LOOPS.append(loop)
        # Free this test's QObjects here, in the GUI thread, not in a server thread.
        gc.collect()


EMAIL = "user@example.com"
PASSWORD = "password-123"


@pytest.fixture
def make_client(aloop: LoopRunner) -> Iterator[Callable[..., ApiClient]]:
    """``make_client(server, **ApiClient kwargs)``: a client logged in as the test user."""
    clients: list[ApiClient] = []

    def factory(server: RunningServer, **kwargs: Any) -> ApiClient:
        client = ApiClient(server.url, **kwargs)
        clients.append(client)
        aloop.run(client.login(EMAIL, PASSWORD))
        return client

    yield factory
    for client in clients:
        aloop.run(client.aclose())


def add_notifications(server: RunningServer, count: int = 1, **fields: Any) -> list[dict[str, Any]]:
    """Create rows for the test user through the server's test-control API (published)."""
    body = {"email": EMAIL, "type": "job_completed", "count": count, **fields}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=5.0)
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()
    return rows


@pytest.fixture
def add_rows() -> Callable[..., list[dict[str, Any]]]:
    """``add_rows(server, count=1, **fields)``: see :func:`add_notifications`."""
    return add_notifications
