"""Shared fixtures: reference servers on loopback, stopped at teardown, and ``aloop``.

``aloop`` runs asyncio on the Qt event loop (qasync), as the app does; services tests
and the in-process app tests use it. Qt and qasync are imported only when it is used,
so that the Qt-free tests never load them.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from tray_app.reference_server import RunningServer, ServerConfig, start_in_thread

T = TypeVar("T")

#: Cheap password hashes keep logins fast in tests (the demo and CLI use the default).
_TEST_PASSWORD_ITERATIONS = 1_000


@pytest.fixture
def server_factory() -> Iterator[Callable[..., RunningServer]]:
    """``server_factory(**ServerConfig kwargs)`` starts a server; all are closed at teardown."""
    servers: list[RunningServer] = []

    def factory(**kwargs: Any) -> RunningServer:
        kwargs.setdefault("password_iterations", _TEST_PASSWORD_ITERATIONS)
        running = start_in_thread(ServerConfig(**kwargs))
        servers.append(running)
        return running

    yield factory
    for running in servers:
        running.close()


def _with_user(running: RunningServer) -> RunningServer:
    running.create_user("user@example.com", "password-123")
    return running


@pytest.fixture
def server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """Observed flavor, test control on, no rate limit, ``user@example.com``/``password-123``."""
    return _with_user(server_factory(flavor="observed", test_control=True, rate_limit=False))


@pytest.fixture
def documented_server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """Like ``server``, in the documented flavor."""
    return _with_user(server_factory(flavor="documented", test_control=True, rate_limit=False))


# --- asyncio on the Qt loop -------------------------------------------------------------
#
# The loop is created "already running", like the app's, so that coroutines step
# whenever Qt processes events. (``run_until_complete`` would not do: after each run it
# processes Qt events once more with no running loop, and the task steps that land there
# fail with "no running event loop".) Tests drive it through :class:`LoopRunner`, which
# waits with ``qtbot.waitUntil`` (Qt events, hence asyncio, keep running meanwhile):
# ``aloop.run(coro)`` and ``aloop.wait_until(condition)``.

#: Closed loops are kept alive: qasync's timer object still has Qt timers registered
#: (``stop()`` only flags them), and if the cyclic garbage collector freed it from
#: another thread (a reference server's), Qt would later fire a timer at a deleted
#: object and crash. Kept here, the stale timers fire once, harmlessly, and die.
_CLOSED_LOOPS: list[asyncio.AbstractEventLoop] = []


class LoopRunner:
    """Runs coroutines and waits for conditions on a running qasync loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
        self.loop = loop
        self._qtbot = qtbot

    def run(self, awaitable: Awaitable[T], timeout: float = 10.0) -> T:
        """Run ``awaitable`` to completion (TimeoutError after ``timeout`` seconds)."""
        from pytestqt.exceptions import TimeoutError as WaitTimeout

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
        from pytestqt.exceptions import TimeoutError as WaitTimeout

        try:
            self._qtbot.waitUntil(lambda: bool(condition()), timeout=round(timeout * 1000))
        except WaitTimeout:
            pytest.fail(f"condition not met within {timeout} s: {message or condition}")


@pytest.fixture
def aloop(qapp: Any, qtbot: Any) -> Iterator[LoopRunner]:
    """A running qasync event loop for this test; left-over tasks are cancelled after it."""
    import qasync

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
