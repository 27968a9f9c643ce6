"""The user's actions while the server dies, fails and drops answers, and the app restarts.

The whole app runs in this process (its real controller), so that actions are taken
exactly as the widgets take them (the intents the list window emits). Every action must
reach the server (none lost), none may be confirmed twice, and the list must end as the
server is.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tray_app.reference_server import RunningServer

from . import metrics
from .harness import EMAIL, PASSWORD
from .inprocess import ObservedController, Profile
from .results import RunResult


class Writes:
    """Answers to the app's writes, as the app saw them (``ApiClient.on_request``)."""

    def __init__(self) -> None:
        self.confirmed: Counter[tuple[str, str]] = Counter()

    def __call__(self, method: str, path: str, status: int | None) -> None:
        if method in ("PATCH", "DELETE", "POST") and status is not None and 200 <= status < 300:
            self.confirmed[(method, path)] += 1

    def twice(self) -> int:
        return sum(n - 1 for n in self.confirmed.values() if n > 1)


@pytest.fixture
def writes() -> Writes:
    return Writes()


@pytest.fixture
def profile(aloop, tmp_path: Path, writes: Writes) -> Iterator[Profile]:
    apps = Profile(aloop, tmp_path / "profile", on_request=writes)
    yield apps
    apps.close()


@pytest.fixture
def outbox_server(server_factory) -> RunningServer:
    server = server_factory(test_control=True, notification_stream=False)
    server.create_user(EMAIL, PASSWORD)
    return server


def add_rows(server: RunningServer, count: int) -> list[str]:
    body = {"email": EMAIL, "type": "job_completed", "count": count}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=10)
    response.raise_for_status()
    return [row["id"] for row in response.json()]


def server_state(server: RunningServer) -> dict[str, str]:
    rows = server.sql("SELECT id, is_read FROM notifications")
    return {row_id: "read" if is_read else "unread" for row_id, is_read in rows}


def store_state(controller: ObservedController) -> dict[str, str]:
    return {n.id: "read" if n.is_read else "unread" for n in controller.store}


class User:
    """Clicks through the app's intents and keeps the model of what must result."""

    def __init__(self, ids: list[str]) -> None:
        self.expected = dict.fromkeys(ids, "unread")
        self.actions = 0

    def mark_read(self, app: ObservedController, row_id: str) -> None:
        app.actions.mark_read(row_id)
        self.expected[row_id] = "read"
        self.actions += 1

    def delete(self, app: ObservedController, row_id: str) -> None:
        app.actions.delete(row_id)
        self.expected[row_id] = "deleted"
        self.actions += 1

    def delete_read(self, app: ObservedController) -> None:
        app.actions.delete_read()
        self.expected = {i: "deleted" if s == "read" else s for i, s in self.expected.items()}
        self.actions += 1

    def lost(self, state: dict[str, str]) -> int:
        """Actions whose effect is missing from ``state`` (rows: read, unread or gone)."""
        return sum(1 for i, s in self.expected.items() if state.get(i, "deleted") != s)


def in_flight_write(server: RunningServer) -> bool:
    return any(
        e["method"] in ("PATCH", "DELETE") and e["status"] is None for e in server.requests()
    )


def faulted_writes(server: RunningServer, since: float) -> int:
    """The app's writes since ``since`` that failed: 500s and answers cut off."""
    return sum(
        1
        for r in metrics.requests_of(server.requests())
        if r.start >= since
        and r.method in ("PATCH", "DELETE")
        and (r.status == 500 or (r.status == 200 and not r.complete))
    )


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_actions_survive_server_deaths_faults_and_an_app_restart(
    profile: Profile, outbox_server: RunningServer, writes: Writes, aloop, caplog, results
) -> None:
    caplog.set_level(logging.WARNING)
    server = outbox_server
    ids = add_rows(server, 24)
    user = User(ids)
    app = profile.start()
    profile.sign_in(app, server, EMAIL, PASSWORD)
    aloop.wait_until(lambda: len(app.store) == 24, 20, "the rows")
    started = time.time()

    server.stop()  # offline: the clicks show at once and wait in the outbox
    for row_id in ids[0:4]:
        user.mark_read(app, row_id)
    for row_id in ids[4:7]:
        user.delete(app, row_id)
    assert app.store.unread_count == 24 - 7 and len(app.store) == 21

    server.set_faults(latency_s=1.5)  # the server comes back slow, and dies mid-answer
    server.start()
    aloop.wait_until(lambda: in_flight_write(server), 90, "an action in flight")
    server.stop()
    server.set_faults(latency_s=0.0, error_rate=0.4, drop_rate=0.3)
    server.start()

    for row_id in ids[7:10]:
        user.mark_read(app, row_id)
    for row_id in ids[10:12]:
        user.delete(app, row_id)
    profile.quit(app)  # quitting with actions pending: they are in the outbox file
    app = profile.start()
    profile.wait_synced(app, timeout=120)
    user.delete_read(app)
    for row_id in ids[12:14]:
        user.mark_read(app, row_id)
    user.expected.update(dict.fromkeys(add_rows(server, 2), "unread"))
    aloop.wait_until(
        lambda: faulted_writes(server, started) >= 2 or app.actions.pending_count == 0,
        90,
        "actions meeting the faults",
    )

    cleared = time.time()
    server.set_faults(error_rate=0.0, drop_rate=0.0)
    aloop.wait_until(lambda: app.actions.pending_count == 0, 120, "the outbox drained")
    recovery = round(time.time() - cleared, 2)
    app.sync.refresh_now()
    aloop.wait_until(lambda: store_state(app) == server_state(server), 60, "the list synced")

    requests = metrics.requests_of(server.requests())
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR
        and r.name.startswith("tray_app")
        and not r.name.startswith("tray_app.reference_server")
    ]
    result = results.record(
        RunResult(
            "user actions: server killed mid-answer, 500s and drops, app restarted",
            group="actions",
            duration_s=round(cleared - started, 1),
            crashes=len(errors),
            actions_lost=user.lost(server_state(server)),
            actions_twice=writes.twice(),
            rpm_during=metrics.per_minute(requests, started, cleared),
            peak_rpm=metrics.peak_per_minute(requests),
            first_ok_s=metrics.first_success_after(requests, cleared),
            recovery_s=recovery,
            notes=f"{user.actions} actions; recovered = outbox drained",
            extra={
                "error_logs": errors[:10],
                "store_lost": user.lost(store_state(app)),
                "faulted_writes": faulted_writes(server, started),
            },
        )
    )
    assert result.crashes == 0, errors
    assert result.actions_lost == 0 and result.extra["store_lost"] == 0
    assert result.actions_twice == 0
    assert result.peak_rpm is not None and result.peak_rpm <= metrics.BUDGET_PEAK_PER_MIN
