"""Sleep and network changes, through the sync service's own hooks.

The services are wired as the app wires them (store, outbox-backed actions, shared
budget, the product's schedule), with a :class:`ResumeWatcher` whose wall clock the test
moves (a machine waking from sleep) and whose ``network_online`` the test emits (the OS
reporting the network back). Both must resync at once, sending the actions taken
offline, instead of waiting for the backoff or the next idle poll.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tray_app.api.client import ApiClient
from tray_app.core.outbox import Outbox
from tray_app.core.schedule import RequestBudget
from tray_app.core.store import NotificationStore
from tray_app.reference_server import RunningServer
from tray_app.services.actions import ActionService
from tray_app.services.sync import SyncService
from tray_app.services.sync_support import ResumeWatcher, SyncOptions

from . import metrics
from .harness import EMAIL, PASSWORD
from .results import RunResult


class Wall:
    """The wall clock, which the test can move forward as a sleeping machine sees it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def add_rows(server: RunningServer, count: int = 1) -> list[str]:
    body = {"email": EMAIL, "type": "job_completed", "count": count}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=10)
    response.raise_for_status()
    return [row["id"] for row in response.json()]


def server_unread(server: RunningServer) -> int:
    return int(server.sql("SELECT COUNT(*) FROM notifications WHERE is_read = 0")[0][0])


class Highest(random.Random):
    """The worst draw of every jitter: backoff delays at their upper bound."""

    def uniform(self, a: float, b: float) -> float:
        return max(a, b)


class Services:
    """Store, actions and sync as the app builds them, with a test-driven resume watcher."""

    def __init__(self, aloop, server: RunningServer, folder: Path) -> None:
        self.aloop = aloop
        self.wall = Wall()
        self.failures = 0
        self.resume = ResumeWatcher(tick_s=0.1, watch_network=False, wall=self.wall)
        self.budget = budget = RequestBudget()
        rng = Highest()
        self.store = NotificationStore()
        outbox = Outbox(folder / "outbox.json", rng=rng)
        self.actions = ActionService(self.store, outbox, budget=budget)
        self.sync = SyncService(
            self.store,
            actions=self.actions,
            seen_path=folder / "seen.json",
            budget=budget,
            rng=rng,
            options=SyncOptions(watch_network=False),
            resume=self.resume,
        )
        self.client = ApiClient(server.url)
        self.client.on_request = self._count_failures
        aloop.run(self.client.login(EMAIL, PASSWORD))
        self.sync.set_client(self.client)

    def _count_failures(self, method: str, path: str, status: int | None) -> None:
        self.failures += path == "/api/notifications" and status is None

    def close(self) -> None:
        self.aloop.run(self.sync.stop())
        self.aloop.run(self.client.aclose())


@pytest.fixture
def services(aloop, tmp_path: Path) -> Iterator[Services]:
    made: list[Services] = []

    def make(server: RunningServer) -> Services:
        made.append(Services(aloop, server, tmp_path))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.mark.timeout(120)
def test_network_back_and_wake_from_sleep_resync_at_once(
    server: RunningServer, services, aloop, results
) -> None:
    server.create_user(EMAIL, PASSWORD)
    ids = add_rows(server, 5)
    app: Services = services(server)
    aloop.wait_until(lambda: len(app.store) == 5, 20, "the first sync")

    lost_at = time.time()
    server.stop()  # the network goes away; the user keeps reading
    app.actions.mark_read(ids[0])
    app.actions.mark_read(ids[1])
    app.sync.refresh_now()
    # Three failed polls: the next one is 8 s away (2, 4, then 8 s of backoff).
    aloop.wait_until(lambda: app.failures >= 3, 60, "the sync backing off")
    server.start()
    add_rows(server)
    back = time.monotonic()
    app.resume.network_online.emit()  # what QNetworkInformation reports
    aloop.wait_until(
        lambda: app.actions.pending_count == 0 and app.store.unread_count == server_unread(server),
        10,
        "resynced after the network came back",
    )
    network_s = round(time.monotonic() - back, 2)
    requests = metrics.requests_of(server.requests())
    results.record(
        RunResult(
            "network lost and back (OS signal), 2 actions taken offline",
            group="session",
            duration_s=round(time.time() - lost_at, 1),
            actions_lost=_lost(server, ids[:2]),
            rpm_during=metrics.per_minute(requests, lost_at, time.time()),
            peak_rpm=metrics.peak_per_minute(requests),
            recovery_s=network_s,
            notes=f"{app.failures} failed polls before: 8 s of backoff skipped",
        )
    )

    # The resync above spent the request budget's burst; a wake is measured on its own.
    aloop.wait_until(lambda: app.budget.available(time.monotonic()) >= 2, 30, "the budget")
    add_rows(server)
    slept = time.monotonic()
    app.wall.offset += 2 * 3600  # the machine slept two hours: the wall clock ran ahead
    aloop.wait_until(
        lambda: app.store.unread_count == server_unread(server), 10, "resynced after the wake"
    )
    wake_s = round(time.monotonic() - slept, 2)
    results.record(
        RunResult(
            "wall clock jumps 2 h ahead (wake from sleep)",
            group="session",
            recovery_s=wake_s,
            notes="the idle poll would have waited up to 16.5 s",
        )
    )
    assert _lost(server, ids[:2]) == 0
    # Without the signals: 8 s of backoff left, and an idle poll 13.5 s to 16.5 s away.
    assert network_s < 4.0 and wake_s < 4.0


def _lost(server: RunningServer, marked: list[str]) -> int:
    read = {row[0] for row in server.sql("SELECT id FROM notifications WHERE is_read = 1")}
    return sum(1 for row_id in marked if row_id not in read)
