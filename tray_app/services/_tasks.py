"""Keeping background asyncio tasks referenced, logged and cancellable together.

asyncio holds only weak references to tasks: a task nobody keeps may be garbage
collected mid-flight. A service therefore keeps its tasks in a :class:`TaskSet`, which
also logs a task that dies of an unexpected exception (instead of the "Task exception
was never retrieved" noise at exit) and cancels and awaits them all on ``aclose()``.

:func:`wait_event` waits for an event with a timeout without ``asyncio.wait_for``,
which on Python 3.11 can swallow a cancellation that arrives just as the event is set
(the cancelled loop then runs on, and ``aclose()`` waits forever).

Usage::

    self._tasks = TaskSet(logger)
    self._tasks.spawn(self._poll_loop(), name="poll")
    ...
    await self._tasks.aclose()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any


class TaskSet:
    """The running tasks of one service.

    Tasks start on the running event loop or, when none runs (a Qt slot called
    before the loop starts), on the loop set for this thread.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def __contains__(self, task: object) -> bool:
        return task in self._tasks

    def spawn(self, coro: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        """Start ``coro`` as a task kept until it ends."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        task = loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def cancel(self) -> list[asyncio.Task[None]]:
        """Ask every task to stop; returns them (await them with :func:`wait_cancelled`)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks

    async def aclose(self) -> None:
        """Cancel every task and wait until all have ended."""
        await wait_cancelled(self.cancel())

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._logger.error(
                "Task %s ended with an error",
                task.get_name(),
                exc_info=(type(exc), exc, exc.__traceback__),
            )


async def wait_cancelled(tasks: list[asyncio.Task[None]]) -> None:
    """Wait for cancelled ``tasks`` to end; their errors were logged already."""
    current = asyncio.current_task()
    pending = [task for task in tasks if task is not current and not task.done()]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds pass; True if it was set."""
    try:
        async with asyncio.timeout(max(0.0, timeout)):
            await event.wait()
    except TimeoutError:
        return False
    return True
