"""The job watcher against the reference server, with the real API client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tray_app.api.client import ApiClient
from tray_app.core.toast import Toast
from tray_app.core.toast_policy import JobTransition
from tray_app.reference_server import RunningServer
from tray_app.services.jobs import CONTINUITY_S, JobWatcher, job_percent
from tray_app.services.notifier import ActionHandler, ToastService
from tray_app.services.toasts import ToastCoordinator

EMAIL, PASSWORD = "user@example.com", "password-123"


# --- helpers ---------------------------------------------------------------------------


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait, letting the loop run, until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class FakeBackend:
    """A toast backend that records what it is asked to show."""

    name = "fake"

    def __init__(self) -> None:
        self.shown: list[Toast] = []
        self.handler: ActionHandler | None = None

    def set_action_handler(self, handler: ActionHandler) -> None:
        self.handler = handler

    async def available(self) -> tuple[bool, str]:
        return True, "fake toasts"

    async def show(self, toast: Toast) -> str | None:
        self.shown.append(toast)
        return str(len(self.shown))


class Rig:
    """A logged-in client, a watcher and a toast coordinator wired as the app does."""

    def __init__(
        self, server: RunningServer, client: ApiClient, state_dir: Path, **watcher: Any
    ) -> None:
        self.server = server
        self.client = client
        self.polls = 0
        self.failed: list[tuple[str, int | None]] = []
        self.streams: list[str] = []
        client.on_request = self._on_request
        self.watcher = JobWatcher(client, **watcher)
        self.backend = FakeBackend()
        self.coordinator = ToastCoordinator(ToastService([self.backend]), state_dir / "toasted")
        self.seen: list[tuple[float, JobTransition]] = []
        self.busy: list[bool] = []
        self.active: list[list[tuple[str, int | None]]] = []
        self.watcher.transitions.connect(self._on_transitions)
        self.watcher.transitions.connect(self.coordinator.on_job_transitions)
        self.watcher.busy_changed.connect(self.busy.append)
        self.watcher.active_jobs_changed.connect(self.active.append)

    def _on_request(self, method: str, path: str, status: int | None) -> None:
        if status != 200:
            self.failed.append((path, status))
        elif path == "/api/jobs":
            self.polls += 1
        elif path.endswith("/events"):
            self.streams.append(path.split("/")[3])

    def _on_transitions(self, changes: list[JobTransition]) -> None:
        self.seen.extend((time.time(), change) for change in changes)

    def transitions_of(self, job_id: str) -> list[JobTransition]:
        return [change for _, change in self.seen if change.job_id == job_id]

    def statuses_of(self, job_id: str) -> list[str]:
        return [change.new_status for change in self.transitions_of(job_id)]

    async def poll(self) -> None:
        """Ask for a look at the list and wait until it was applied."""
        target = self.polls + 1
        self.watcher.poll_now()
        await eventually(lambda: self.polls >= target)

    def start_job(self, **fields: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.server.url}/api/_test/jobs", json={"email": EMAIL, **fields}, timeout=5
        )
        assert response.status_code == 201, response.text
        job: dict[str, Any] = response.json()
        return job


@pytest.fixture
def rig_factory(aloop: Any, tmp_path: Path) -> Iterator[Callable[..., Coroutine[Any, Any, Rig]]]:
    rigs: list[Rig] = []

    async def make(server: RunningServer, **watcher: Any) -> Rig:
        client = ApiClient(server.url)
        await client.login(EMAIL, PASSWORD)
        rig = Rig(server, client, tmp_path, **watcher)
        rigs.append(rig)
        return rig

    yield make

    async def teardown() -> None:
        for rig in rigs:
            await rig.watcher.stop()
            await rig.client.aclose()

    aloop.run(teardown())


# --- tests -----------------------------------------------------------------------------


def test_a_new_job_toasts_once_within_a_second_of_completing(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        job = rig.start_job(type="archive_mails", duration_s=2.0)
        await rig.poll()
        await eventually(lambda: job["id"] in rig.streams)  # followed through its stream
        await eventually(lambda: bool(rig.backend.shown))
        finished = await rig.client.get_job(job["id"])
        assert finished.status == "completed" and finished.completed_at is not None
        seen_at, change = next((t, c) for t, c in rig.seen if c.new_status == "completed")
        assert seen_at - finished.completed_at.timestamp() < 1.0
        assert change.old_status == "active" and change.bullmq_id == job["bullmq_id"]
        await rig.poll()  # the list now says "completed" too: no second transition
        assert rig.statuses_of(job["id"]).count("completed") == 1
        assert len(rig.backend.shown) == 1
        toast = rig.backend.shown[0]
        assert (toast.title, toast.urgency, toast.category) == (
            "Archiving completed",
            "normal",
            "job_completed",
        )

    aloop.run(scenario(), timeout=40)


def test_a_failed_job_toasts_as_critical_with_its_error(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        job = rig.start_job(type="import_mbox", duration_s=1.0, outcome="failed", error="E: x")
        await rig.poll()
        await eventually(lambda: bool(rig.backend.shown))
        toast = rig.backend.shown[0]
        assert (toast.title, toast.body, toast.urgency) == (
            "Mbox import failed",
            "E: x",
            "critical",
        )
        assert rig.transitions_of(job["id"])[-1].error == "E: x"

    aloop.run(scenario(), timeout=40)


def test_a_completed_job_toasts_even_without_its_in_app_notification(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    """The channels are independent: job_completed off, job_completed_toast on."""

    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        await rig.client.update_preferences({"job_completed": False})
        rig.coordinator.set_preferences(await rig.client.get_preferences())
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        rig.start_job(type="sync_dashboard", duration_s=1.0)
        await rig.poll()
        await eventually(lambda: bool(rig.backend.shown))
        assert rig.backend.shown[0].title == "Sync completed"
        page = await rig.client.list_notifications()
        assert page.items == ()  # the server stored no row: only the job watcher saw it

    aloop.run(scenario(), timeout=40)


@pytest.mark.parametrize("row_first", [False, True], ids=["transition-first", "row-first"])
def test_a_failed_job_and_its_row_toast_once(
    row_first: bool,
    server: RunningServer,
    rig_factory: Callable[..., Any],
    aloop: Any,
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)

        async def feed_rows(only_id: str | None = None) -> None:
            rows = (await rig.client.list_notifications()).items
            rows = tuple(r for r in rows if only_id is None or r.id == only_id)
            rig.coordinator.on_new_notifications(list(rows), False)

        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        job = rig.start_job(type="bulk_operation", duration_s=1.0, outcome="failed")

        def failed() -> bool:
            return "failed" in rig.statuses_of(job["id"])

        def row_stored() -> bool:
            return bool(server.sql("SELECT id FROM notifications"))

        if row_first:
            await eventually(row_stored)
            await feed_rows()
            await eventually(lambda: len(rig.backend.shown) == 1)
            await rig.poll()  # sees the job finished since the previous look
        else:
            await rig.poll()  # sees it running and follows it
            await eventually(failed)
            await eventually(row_stored)
        assert failed()
        await feed_rows()
        # A later, unrelated toast shows that nothing else was queued before it.
        barrier = httpx.post(
            f"{server.url}/api/_test/notifications",
            json={"email": EMAIL, "type": "job_completed", "title": "Barrier", "data": {}},
            timeout=5,
        ).json()
        await feed_rows(barrier["id"])
        await eventually(lambda: any(t.title == "Barrier" for t in rig.backend.shown))
        assert [t.category for t in rig.backend.shown] == ["job_failed", "job_completed"]
        assert rig.backend.shown[0].urgency == "critical"

    aloop.run(scenario(), timeout=40)


def test_a_job_first_seen_finished_does_not_toast(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        job = rig.start_job(duration_s=0.2)
        await eventually(lambda: server.sql("SELECT status FROM jobs")[0][0] == "completed")
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        await rig.poll()
        assert rig.transitions_of(job["id"]) == []
        assert rig.streams == [] and rig.busy == [] and rig.backend.shown == []

    aloop.run(scenario(), timeout=40)


def test_a_job_born_and_finished_between_two_looks_is_a_change(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    """Jobs shorter than the poll interval must still toast (the list was empty before)."""

    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        job = rig.start_job(duration_s=0.2)
        await eventually(lambda: server.sql("SELECT status FROM jobs")[0][0] == "completed")
        await rig.poll()
        changes = rig.transitions_of(job["id"])
        assert [(c.old_status, c.new_status) for c in changes] == [("pending", "completed")]
        await eventually(lambda: len(rig.backend.shown) == 1)

    aloop.run(scenario(), timeout=40)


def test_after_a_long_gap_new_finished_jobs_are_not_changes(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    """After sleep or an outage, the notification rows catch up instead."""
    now = [1000.0]

    async def scenario() -> None:
        rig: Rig = await rig_factory(server, clock=lambda: now[0])
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        job = rig.start_job(duration_s=0.2)
        await eventually(lambda: server.sql("SELECT status FROM jobs")[0][0] == "completed")
        now[0] += CONTINUITY_S + 1
        await rig.poll()
        assert rig.transitions_of(job["id"]) == []

    aloop.run(scenario(), timeout=40)


def test_progress_labels_and_busy_follow_the_running_jobs(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        rig.start_job(type="import_mbox", duration_s=1.5)
        rig.start_job(type="mystery_type", duration_s=0.5)
        await rig.poll()
        assert rig.busy[0] is True
        await eventually(lambda: rig.busy == [True, False])
        labels = {label for snapshot in rig.active for label, _ in snapshot}
        assert labels == {"Importing mbox", "Job"}
        percents = [p for snap in rig.active for label, p in snap if label == "Importing mbox"]
        assert 0 < max(p for p in percents if p is not None) <= 100
        assert rig.active[-1] == [] and rig.watcher.active_jobs == []

    aloop.run(scenario(), timeout=40)


def test_errors_and_garbage_are_survived_quietly(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        server.set_faults(malformed_rate=1.0, paths=["/api/jobs"])
        job = rig.start_job(duration_s=1.0)
        rig.watcher.poll_now()
        await eventually(lambda: rig.polls == 2)  # a 200 with an unreadable body
        server.set_faults(malformed_rate=0.0, error_rate=1.0)
        rig.watcher.poll_now()
        await eventually(lambda: ("/api/jobs", 500) in rig.failed)
        server.set_faults(error_rate=0.0)
        await eventually(lambda: server.sql("SELECT status FROM jobs")[0][0] == "completed")
        await rig.poll()
        assert rig.statuses_of(job["id"]) == ["completed"]

    aloop.run(scenario(), timeout=40)


def test_a_stopped_server_is_survived(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        server.stop()
        rig.watcher.poll_now()
        await eventually(lambda: ("/api/jobs", None) in rig.failed)
        server.start()
        job = rig.start_job(duration_s=1.0)
        await rig.poll()
        await eventually(lambda: "completed" in rig.statuses_of(job["id"]))

    aloop.run(scenario(), timeout=40)


def test_stop_and_set_client_none_close_everything(
    server: RunningServer, rig_factory: Callable[..., Any], aloop: Any
) -> None:
    async def scenario() -> None:
        rig: Rig = await rig_factory(server)
        before = asyncio.all_tasks()
        rig.watcher.start()
        await eventually(lambda: rig.polls == 1)
        rig.start_job(duration_s=20.0)
        await rig.poll()
        await eventually(lambda: len(rig.streams) == 1)
        rig.watcher.set_client(None)
        assert rig.watcher.busy is False and rig.busy == [True, False]
        rig.watcher.set_client(rig.client)
        await eventually(lambda: len(rig.streams) == 2)  # watching again, stream reopened
        await rig.watcher.stop()
        assert asyncio.all_tasks() - before == set()  # no request or stream left behind

    aloop.run(scenario(), timeout=40)


def test_job_percent() -> None:
    from tray_app.api.models import Job

    def job(**fields: Any) -> Job:
        base: dict[str, Any] = dict(
            id="i", bullmq_id=None, type="t", status="active", progress=None, total=None,
            processed=None, error=None, created_at=datetime.now(), completed_at=None,
        )  # fmt: skip
        return Job(**{**base, **fields})

    assert job_percent(job(progress=45)) == 45
    assert job_percent(job(progress=140)) == 100
    assert job_percent(job(processed=30, total=120)) == 25
    assert job_percent(job(processed=3, total=0)) is None
    assert job_percent(job()) is None
