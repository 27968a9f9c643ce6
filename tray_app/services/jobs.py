"""Watches the user's jobs, as the server's own web front end does, to toast their outcome.

The server has no stream of new jobs, so the list (``GET /api/jobs``) is polled: every
30 s when nothing runs (balanced speed; at least twice the notification poll's idle
interval), every 10 s while a job is pending or active, to discover new ones. Each
running job is followed through its own event stream (``GET /api/jobs/:id/events``,
one long-lived request), so that its completion is seen within a second without
polling fast. Every poll and every stream opened first takes a token from the shared
:class:`~tray_app.core.schedule.RequestBudget`.

A job toasts only when its status is SEEN to change (the toast policy decides). Like
the web front end, a job first seen already finished is not reported, with one
exception: a job created since the previous successful look, while the watcher was
looking continuously, finished between two looks. It is reported as a change from
``pending``: otherwise any job shorter than the idle interval would never toast.

Errors are quiet: the watcher backs off (honouring ``retry-after``) and the sync
service is the one that reports the connection state.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import math
import random
import time
from collections.abc import Callable, Iterable
from contextlib import aclosing
from datetime import datetime
from typing import Final

from PySide6.QtCore import QObject, Signal

from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, RateLimited
from tray_app.api.models import Job, JobEvent
from tray_app.core.schedule import (
    POLL_JITTER,
    PollMode,
    RequestBudget,
    UpdateSpeed,
    backoff_delay,
    job_poll_interval,
)
from tray_app.core.toast_policy import JobTransition
from tray_app.services._tasks import wait_event

__all__ = ["ActiveJob", "JobWatcher", "job_percent"]

logger = logging.getLogger(__name__)

ActiveJob = tuple[str, int | None]
"""(translated activity label such as "Archiving", percent done or None)."""

RUNNING_STATUSES: Final = frozenset({"pending", "active"})
#: Event streams open at once; further running jobs are followed by the list poll.
MAX_FOLLOWED: Final = 4
#: A job whose stream failed this often is left to the list poll.
MAX_STREAM_FAILURES: Final = 2
#: After a ``failed`` event, keep listening this long for a retry (the server retries).
RETRY_GRACE_S: Final = 60.0
#: A new, already finished job counts as seen finishing only if the previous successful
#: look is at most this old (longer gaps are outages or sleep: the rows catch up).
CONTINUITY_S: Final = 300.0
_MIN_WAIT_S: Final = 0.5
_END_STATUSES: Final = frozenset({"completed", "cancelled"})


def job_percent(job: Job) -> int | None:
    """The job's progress in percent: ``progress``, else ``processed / total``."""
    if job.progress is not None:
        return max(0, min(100, job.progress))
    if job.total and job.total > 0 and job.processed is not None:
        return max(0, min(100, 100 * job.processed // job.total))
    return None


class JobWatcher(QObject):
    """Polls the job list and follows running jobs; see the module doc.

    Signals:
        transitions(list[JobTransition]): status changes seen, in the order seen.
        active_jobs_changed(list[tuple[str, int | None]]): the running jobs as
            (translated activity label, percent or None), newest first.
        busy_changed(bool): whether some job is pending or active (the sync service
            polls faster then).
    """

    transitions = Signal(list)
    active_jobs_changed = Signal(list)
    busy_changed = Signal(bool)

    def __init__(
        self,
        client: ApiClient | None = None,
        *,
        speed: UpdateSpeed = UpdateSpeed.BALANCED,
        budget: RequestBudget | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_followed: int = MAX_FOLLOWED,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._speed = speed
        self._budget = budget if budget is not None else RequestBudget()
        self._rng = rng if rng is not None else random.Random()
        self._clock = clock
        self._max_followed = max_followed
        self._started = False
        self._task: asyncio.Task[None] | None = None
        self._followers: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._failures = 0
        self._busy = False
        self._active: list[ActiveJob] = []
        self._forget_jobs()

    # --- public API --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def active_jobs(self) -> list[ActiveJob]:
        return list(self._active)

    def set_client(self, client: ApiClient | None) -> None:
        """Watch with ``client`` from now on; None stops watching and forgets the jobs."""
        if client is self._client:
            return
        self._cancel_tasks()
        self._client = client
        if client is None:
            self._forget_jobs()
            self._refresh_active()
        elif self._started:
            self._spawn_main()

    def start(self) -> None:
        """Start watching (needs the running event loop). Idempotent."""
        self._started = True
        if self._task is None and self._client is not None:
            self._spawn_main()

    async def stop(self) -> None:
        """Stop watching; returns once every request and stream is closed."""
        self._started = False
        tasks = self._cancel_tasks()
        await asyncio.gather(*tasks, return_exceptions=True)

    def set_speed(self, speed: UpdateSpeed) -> None:
        """The user's update speed; applies from the next wait on."""
        self._speed = speed

    def poll_now(self) -> None:
        """Look at the job list now (wake, network back, window opened), budget allowing."""
        self._wake.set()

    # --- the poll loop -----------------------------------------------------------------

    def _spawn_main(self) -> None:
        assert self._client is not None
        self._task = asyncio.ensure_future(self._run(self._client))

    def _cancel_tasks(self) -> list[asyncio.Task[None]]:
        tasks = [*self._followers.values(), *([self._task] if self._task else [])]
        for task in tasks:
            task.cancel()
        self._followers.clear()
        self._task = None
        return tasks

    async def _run(self, client: ApiClient) -> None:
        while True:
            try:
                delay = await self._poll(client)
            except Exception:  # never let one bad answer end the watching
                logger.exception("Job poll failed unexpectedly")
                self._failures += 1
                delay = backoff_delay(self._failures, self._rng)
            await self._pause(max(delay, _MIN_WAIT_S))

    async def _pause(self, delay: float) -> None:
        # wait_for on an event can swallow a cancellation on Python 3.11; this cannot.
        await wait_event(self._wake, delay)
        self._wake.clear()

    async def _poll(self, client: ApiClient) -> float:
        """One look at the job list; returns the seconds to wait before the next."""
        started = self._clock()
        if not self._budget.try_acquire(started):
            return self._budget.wait_time(started)
        try:
            jobs = await client.list_jobs()
        except RateLimited as exc:
            self._budget.hold(self._clock(), exc.retry_after)
            return self._failed(exc, exc.retry_after)
        except ApiError as exc:
            return self._failed(exc, None)
        self._failures = 0
        self._apply_list(jobs, started)
        self._follow_running(client)
        return self._interval()

    def _failed(self, exc: ApiError, retry_after: float | None) -> float:
        self._failures += 1
        logger.debug("Job poll failed (%d in a row): %s", self._failures, exc.message)
        return backoff_delay(self._failures, self._rng, retry_after=retry_after)

    def _interval(self) -> float:
        mode = PollMode.ACTIVE if self._busy else PollMode.IDLE
        nominal = job_poll_interval(self._speed, mode)
        return nominal * self._rng.uniform(1.0 - POLL_JITTER, 1.0 + POLL_JITTER)

    # --- what a look at the list tells -------------------------------------------------

    def _forget_jobs(self) -> None:
        self._known: dict[str, Job] = {}
        #: Monotonic time of each job's last update from its event stream.
        self._touched: dict[str, float] = {}
        self._stream_failures: dict[str, int] = {}
        self._last_look: float | None = None
        #: Newest ``created_at`` seen, and whether the previous look found no job at all.
        self._horizon: datetime | None = None
        self._looked_empty = False

    def _apply_list(self, jobs: Iterable[Job], started: float) -> None:
        continuous = self._last_look is not None and started - self._last_look <= CONTINUITY_S
        changes: list[JobTransition] = []
        fresh: dict[str, Job] = {}
        for job in jobs:
            old = self._known.get(job.id)
            if old is not None and self._touched.get(job.id, -math.inf) > started:
                fresh[job.id] = old  # its stream told something newer than this list
                continue
            fresh[job.id] = job
            if old is not None and old.status != job.status:
                changes.append(_transition(job, old.status))
            elif old is None and job.finished and continuous and self._born_since(job):
                changes.append(_transition(job, "pending"))
        for job_id in self._followers:  # a followed job may drop out of the 50 newest
            if job_id not in fresh and job_id in self._known:
                fresh[job_id] = self._known[job_id]
        self._known = fresh
        self._touched = {k: v for k, v in self._touched.items() if k in fresh}
        self._looked_empty = not fresh
        stamps = [job.created_at for job in fresh.values() if job.created_at is not None]
        if self._horizon is not None:
            stamps.append(self._horizon)
        self._horizon = max(stamps, default=None)
        self._last_look = started
        self._publish(changes)

    def _born_since(self, job: Job) -> bool:
        """Whether ``job`` was created after the previous look (it is not in that list)."""
        if job.created_at is None:
            return False
        if self._horizon is None:
            return self._looked_empty
        return job.created_at > self._horizon

    def _publish(self, changes: list[JobTransition]) -> None:
        if changes:
            logger.debug("Job transitions: %s", changes)
            self.transitions.emit(changes)
        self._refresh_active()

    def _refresh_active(self) -> None:
        running = [job for job in self._known.values() if job.status in RUNNING_STATUSES]
        active = [(self._label(job.type), job_percent(job)) for job in running]
        if active != self._active:
            self._active = active
            self.active_jobs_changed.emit(list(active))
        if bool(running) != self._busy:
            self._busy = bool(running)
            self.busy_changed.emit(self._busy)

    def _label(self, job_type: str) -> str:
        labels = {
            "archive_mails": self.tr("Archiving"),
            "import_mbox": self.tr("Importing mbox"),
            "import_imap": self.tr("Importing IMAP"),
            "bulk_operation": self.tr("Bulk operation"),
            "run_rule": self.tr("Running rule"),
            "sync_dashboard": self.tr("Syncing"),
        }
        return labels.get(job_type) or self.tr("Job")

    # --- following running jobs --------------------------------------------------------

    def _follow_running(self, client: ApiClient) -> None:
        for job in list(self._known.values()):
            if len(self._followers) >= self._max_followed:
                return
            if job.status not in RUNNING_STATUSES or job.id in self._followers:
                continue
            if self._stream_failures.get(job.id, 0) >= MAX_STREAM_FAILURES:
                continue
            if not self._budget.try_acquire(self._clock()):
                return
            task = asyncio.ensure_future(self._follow(client, job.id))
            self._followers[job.id] = task
            task.add_done_callback(functools.partial(self._follower_done, job.id))

    def _follower_done(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self._followers.get(job_id) is task:
            del self._followers[job_id]

    async def _follow(self, client: ApiClient, job_id: str) -> None:
        """Apply the job's events until it completes (or, after failing, is not retried)."""
        loop = asyncio.get_running_loop()
        try:
            async with (
                asyncio.timeout(None) as deadline,
                aclosing(client.job_events(job_id)) as events,
            ):
                async for event in events:
                    status = self._apply_event(job_id, event)
                    if status is None or status in _END_STATUSES:
                        return  # the server keeps the stream open after "completed"
                    grace = loop.time() + RETRY_GRACE_S if status == "failed" else None
                    deadline.reschedule(grace)
        except TimeoutError:
            logger.debug("Job %s failed and was not retried in time", job_id)
        except ApiError as exc:
            self._stream_failures[job_id] = self._stream_failures.get(job_id, 0) + 1
            logger.debug("Job %s event stream failed: %s", job_id, exc.message)
        except Exception:  # an unexpected answer must not break the watcher
            self._stream_failures[job_id] = MAX_STREAM_FAILURES
            logger.exception("Job %s event stream failed unexpectedly", job_id)

    def _apply_event(self, job_id: str, event: JobEvent) -> str | None:
        """Record one stream event; the job's status afterwards (None: not tracked)."""
        old = self._known.get(job_id)
        if old is None:
            return None
        row = event.job
        new = row if row is not None and row.id == job_id else _updated(old, event)
        self._known[job_id] = new
        self._touched[job_id] = self._clock()
        self._publish([_transition(new, old.status)] if new.status != old.status else [])
        return new.status


def _updated(job: Job, event: JobEvent) -> Job:
    """``job`` with what a progress/completed/failed event says (missing fields kept)."""
    status = event.status or (event.kind if event.kind in ("completed", "failed") else None)
    return dataclasses.replace(
        job,
        status=status or job.status,
        progress=event.progress if event.progress is not None else job.progress,
        processed=event.processed if event.processed is not None else job.processed,
        total=event.total if event.total is not None else job.total,
        error=event.error if event.error is not None else job.error,
    )


def _transition(job: Job, old_status: str | None) -> JobTransition:
    return JobTransition(
        job_id=job.id,
        bullmq_id=job.bullmq_id,
        job_type=job.type,
        old_status=old_status,
        new_status=job.status,
        error=job.error if job.status == "failed" else None,
    )
