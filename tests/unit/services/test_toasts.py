"""The toast coordinator: real rows from the reference server, a recording toast backend."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tray_app.api.client import ApiClient
from tray_app.api.models import Notification
from tray_app.core.silence import Silence
from tray_app.core.toast import ACTION_MARK_READ, ACTION_OPEN, Toast
from tray_app.core.toast_policy import JobTransition
from tray_app.reference_server import RunningServer
from tray_app.services.notifier import ActionHandler, ToastService
from tray_app.services.toasts import ACTION_OPEN_BUTTON, ToastCoordinator

EMAIL, PASSWORD = "user@example.com", "password-123"
JOB_ID = "0b6f2a4e-8d9c-4f7e-9a51-3c2d1e0f9a8b"


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
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

    def click(self, notification_id: str, action_key: str) -> None:
        assert self.handler is not None
        self.handler(notification_id, action_key)


class Rig:
    """A coordinator fed with real rows of the reference server."""

    def __init__(self, server: RunningServer, client: ApiClient, log_path: Path) -> None:
        self.server = server
        self.client = client
        self.log_path = log_path
        self.backend = FakeBackend()
        self.coordinator = self.new_coordinator()
        self.opened: list[str] = []
        self.marked: list[str] = []
        self.coordinator.open_requested.connect(self.opened.append)
        self.coordinator.mark_read_requested.connect(self.marked.append)

    def new_coordinator(self, **kwargs: Any) -> ToastCoordinator:
        """A coordinator (as after a restart) sharing the log file, with a new backend."""
        self.backend = FakeBackend()
        return ToastCoordinator(ToastService([self.backend]), self.log_path, **kwargs)

    async def rows(self, count: int = 1, **fields: Any) -> list[Notification]:
        """Create ``count`` rows on the server and read them back through the client."""
        body = {"email": EMAIL, "type": "job_completed", "count": count, **fields}
        response = httpx.post(f"{self.server.url}/api/_test/notifications", json=body, timeout=5)
        assert response.status_code == 201, response.text
        ids = {row["id"] for row in response.json()}
        page = await self.client.list_notifications(limit=100)
        return [row for row in page.items if row.id in ids]

    async def barrier(self, coordinator: ToastCoordinator | None = None) -> None:
        """Show one more toast and wait for it: whatever was queued before is shown too."""
        (row,) = await self.rows(title="Barrier", data={})
        (coordinator or self.coordinator).on_new_notifications([row], False)
        await eventually(lambda: "Barrier" in self.titles())

    def titles(self) -> list[str]:
        return [toast.title for toast in self.backend.shown]


@pytest.fixture
def rig_factory(
    aloop: Any, tmp_path: Path, server: RunningServer
) -> Iterator[Callable[[], Coroutine[Any, Any, Rig]]]:
    clients: list[ApiClient] = []

    async def make() -> Rig:
        client = ApiClient(server.url)
        clients.append(client)
        await client.login(EMAIL, PASSWORD)
        return Rig(server, client, tmp_path / "state" / "toasted.json")

    yield make

    async def close() -> None:
        for client in clients:
            await client.aclose()

    aloop.run(close())


def transition(status: str = "completed", job_type: str = "archive_mails") -> JobTransition:
    error = "Error: disk full" if status == "failed" else None
    return JobTransition(JOB_ID, "archive_mails-1", job_type, "active", status, error)


# --- what a toast says -----------------------------------------------------------------


def test_a_row_toast_is_plain_server_text_with_its_icon_urgency_and_buttons(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rig.coordinator.set_preferences({"quota_warning_toast": True})
        (quota,) = await rig.rows(type="quota_warning", title="<b>Quota</b> & co", body=None)
        (done,) = await rig.rows(type="job_completed", title="Archivage terminé", body="42 ok")
        rig.coordinator.on_new_notifications([quota, done], False)
        await eventually(lambda: len(rig.backend.shown) == 2)
        first, second = rig.backend.shown
        assert (first.title, first.body, first.urgency) == ("<b>Quota</b> & co", "", "critical")
        assert first.notification_id == quota.id and first.category == "quota_warning"
        assert first.icon_path is not None and first.icon_path.name == "quota_warning.svg"
        assert first.icon_path.exists()
        assert first.buttons == ((ACTION_MARK_READ, "Mark as read"), (ACTION_OPEN_BUTTON, "Open"))
        assert (second.title, second.body, second.urgency) == (
            "Archivage terminé",
            "42 ok",
            "normal",
        )

    aloop.run(scenario(), timeout=40)


@pytest.mark.parametrize(
    ("status", "job_type", "title", "body", "urgency"),
    [
        ("completed", "archive_mails", "Archiving completed", "", "normal"),
        ("failed", "import_mbox", "Mbox import failed", "Error: disk full", "critical"),
        ("completed", "something_new", "Job completed", "", "normal"),
    ],
)
def test_a_job_toast_has_a_translated_title_and_the_error(
    status: str,
    job_type: str,
    title: str,
    body: str,
    urgency: str,
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]],
    aloop: Any,
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rig.coordinator.on_job_transitions([transition(status, job_type)])
        await eventually(lambda: bool(rig.backend.shown))
        toast = rig.backend.shown[0]
        assert (toast.title, toast.body, toast.urgency) == (title, body, urgency)
        assert toast.notification_id is None and toast.buttons == ((ACTION_OPEN_BUTTON, "Open"),)
        assert toast.icon_path is not None and toast.icon_path.name == f"job_{status}.svg"

    aloop.run(scenario(), timeout=40)


def test_toast_preferences_off_means_no_toast(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        await rig.client.update_preferences({"job_completed_toast": False})
        rig.coordinator.set_preferences(await rig.client.get_preferences())
        rig.coordinator.on_new_notifications(await rig.rows(title="Quiet"), False)
        rig.coordinator.on_job_transitions([transition("completed")])
        # job_completed toasts are off: the barrier must be of another category.
        (barrier,) = await rig.rows(type="job_failed", title="Barrier", data={})
        rig.coordinator.on_new_notifications([barrier], False)
        await eventually(lambda: "Barrier" in rig.titles())
        assert rig.titles() == ["Barrier"]

    aloop.run(scenario(), timeout=40)


# --- bursts, restarts, silence ---------------------------------------------------------


def test_a_burst_of_twenty_rows_gives_at_most_four_toasts(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rig.coordinator = rig.new_coordinator(burst_window=timedelta(seconds=0.4))
        rows = await rig.rows(count=20)
        for row in rows:  # twenty syncs in a row, one new notification each
            rig.coordinator.on_new_notifications([row], False)
        await eventually(lambda: len(rig.backend.shown) == 4)  # after the window: the summary
        summary = rig.backend.shown[-1]
        # "%n new notification(s)": its English plural forms come from the catalogue.
        assert summary.title.startswith("17 new notification")
        assert summary.notification_id is None
        assert [t.notification_id for t in rig.backend.shown[:3]] == [r.id for r in rows[:3]]

    aloop.run(scenario(), timeout=40)


def test_one_batch_or_a_catch_up_becomes_one_summary(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rig.coordinator.on_new_notifications(await rig.rows(count=20), False)
        await eventually(lambda: bool(rig.backend.shown))
        assert len(rig.titles()) == 1 and rig.titles()[0].startswith("20 new notification")
        rig.coordinator = rig.new_coordinator()
        rig.coordinator.on_new_notifications(await rig.rows(count=2), True)
        await eventually(lambda: bool(rig.backend.shown))
        assert len(rig.titles()) == 1 and rig.titles()[0].startswith("2 new notification")

    aloop.run(scenario(), timeout=40)


def test_a_restart_repeats_nothing(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rows = await rig.rows(count=2)
        rig.coordinator.on_new_notifications(rows, False)
        rig.coordinator.on_job_transitions([transition("failed")])
        await eventually(lambda: len(rig.backend.shown) == 3)
        assert rig.log_path.exists()
        restarted = rig.new_coordinator()
        restarted.on_new_notifications(rows, False)
        restarted.on_job_transitions([transition("failed")])
        await rig.barrier(restarted)
        assert rig.titles() == ["Barrier"]

    aloop.run(scenario(), timeout=40)


def test_silenced_toasts_are_dropped_and_never_shown_later(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        now = datetime.now().astimezone()
        rig.coordinator.set_silence(Silence(paused_until=now + timedelta(hours=1)))
        rows = await rig.rows(count=2)
        rig.coordinator.on_new_notifications(rows, False)
        rig.coordinator.set_silence(Silence())
        rig.coordinator.on_new_notifications(rows, False)
        await rig.barrier()
        assert rig.titles() == ["Barrier"]

    aloop.run(scenario(), timeout=40)


# --- clicks and test toasts ------------------------------------------------------------


def test_clicks_become_open_and_mark_read_requests(
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]], aloop: Any
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        rows = await rig.rows()
        rig.coordinator.on_new_notifications(rows, False)
        await eventually(lambda: bool(rig.backend.shown))
        toast_id = rig.backend.shown[0].notification_id
        assert toast_id == rows[0].id
        rig.backend.click(toast_id, ACTION_MARK_READ)
        rig.backend.click(toast_id, ACTION_OPEN)
        rig.backend.click(toast_id, ACTION_OPEN_BUTTON)
        rig.backend.click("", ACTION_OPEN)  # a summary or job toast
        rig.backend.click("", ACTION_MARK_READ)  # nothing to mark
        rig.backend.click(toast_id, "unknown-button")
        assert rig.marked == [toast_id]
        assert rig.opened == [toast_id, toast_id, ""]
        # As the app wires it: the request marks the row read on the server.
        await rig.client.mark_read(rig.marked[0])
        page = await rig.client.list_notifications()
        assert [row.is_read for row in page.items if row.id == toast_id] == [True]

    aloop.run(scenario(), timeout=40)


@pytest.mark.parametrize(
    ("category", "title", "icon", "urgency"),
    [
        ("job_failed", "Mbox import failed", "job_failed.svg", "critical"),
        ("weekly_report", "Weekly report", "weekly_report.svg", "normal"),
        ("", "Test notification", "generic.svg", "normal"),
    ],
)
def test_a_test_toast_shows_a_sample_even_when_silenced(
    category: str,
    title: str,
    icon: str,
    urgency: str,
    rig_factory: Callable[[], Coroutine[Any, Any, Rig]],
    aloop: Any,
) -> None:
    async def scenario() -> None:
        rig = await rig_factory()
        now = datetime.now().astimezone()
        rig.coordinator.set_silence(Silence(paused_until=now + timedelta(hours=1)))
        shown_id = await rig.coordinator.test_toast(category)
        assert shown_id == "1"
        (toast,) = rig.backend.shown
        assert (toast.title, toast.urgency) == (title, urgency) and toast.body
        assert toast.icon_path is not None and toast.icon_path.name == icon

    aloop.run(scenario(), timeout=40)
