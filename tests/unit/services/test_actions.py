"""ActionService with SyncService against the real reference server: optimistic actions,
the persisted outbox across restarts, and visible undo of refused actions."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import SignalInstance

from tray_app.api.client import ApiClient
from tray_app.api.models import Notification, NotificationPage
from tray_app.core.outbox import Outbox
from tray_app.core.schedule import PollScheduler, RequestBudget, SpeedProfile, UpdateSpeed
from tray_app.core.store import NotificationStore, StoreListener
from tray_app.reference_server import RunningServer
from tray_app.services.actions import ActionService
from tray_app.services.sync import SyncOptions, SyncService

ClientFactory = Callable[..., ApiClient]
AddRows = Callable[..., list[dict[str, Any]]]
LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)


@dataclass
class App:
    """The pieces the tray app wires together for the list window."""

    store: NotificationStore
    actions: ActionService
    sync: SyncService
    outbox: Outbox


class Recorder:
    def __init__(self, signal: SignalInstance) -> None:
        self.calls: list[tuple[Any, ...]] = []
        signal.connect(lambda *args: self.calls.append(args))


class Counts(StoreListener):
    """Every unread count the badge was shown."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def unread_changed(self, count: int) -> None:
        self.seen.append(count)


@pytest.fixture
def make_app(aloop: LoopRunner, tmp_path: Path) -> Iterator[Callable[..., App]]:
    """``make_app(outbox=path, stream=False, idle=60.0, budget=None)``; stopped at teardown."""
    apps: list[App] = []

    def factory(
        *,
        outbox: Path = tmp_path / "outbox.json",
        stream: bool = False,
        idle: float = 60.0,
        budget: RequestBudget | None = None,
    ) -> App:
        store = NotificationStore()
        box = Outbox(outbox, rng=random.Random(1), base_s=0.02, cap_s=0.1)
        actions = ActionService(store, box, budget=budget)
        profiles = {s: SpeedProfile(idle_s=idle, active_s=idle) for s in UpdateSpeed}
        scheduler = PollScheduler(
            rng=random.Random(2),
            profiles=profiles,
            stream_safety_s=60.0,
            backoff_base_s=0.02,
            backoff_cap_s=0.1,
        )
        sync = SyncService(
            store,
            actions=actions,
            scheduler=scheduler,
            budget=budget,
            options=SyncOptions(use_stream=stream, watch_network=False),
        )
        app = App(store, actions, sync, box)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        aloop.run(app.sync.stop())


@pytest.fixture(params=["server", "documented_server"])
def any_server(request: pytest.FixtureRequest) -> RunningServer:
    running: RunningServer = request.getfixturevalue(request.param)
    return running


def db_rows(server: RunningServer) -> dict[str, bool]:
    """Notification id -> is_read, straight from the server's database."""
    return {row[0]: bool(row[1]) for row in server.sql("SELECT id, is_read FROM notifications")}


def writes(server: RunningServer) -> list[tuple[str, str, int | None]]:
    return [
        (r["method"], r["path"], r["status"]) for r in server.requests() if r["method"] != "GET"
    ]


def seed(server: RunningServer, add_rows: AddRows) -> dict[str, str]:
    """Rows a, b, d unread and c read; returns their ids by letter."""
    ids = {}
    for letter in "abcd":
        [row] = add_rows(server, title=letter, is_read=letter == "c")
        ids[letter] = row["id"]
    return ids


def start(aloop: LoopRunner, app: App, client: ApiClient, rows: int) -> None:
    app.sync.set_client(client)
    aloop.wait_until(lambda: len(app.store) == rows and app.sync.last_synced is not None)


# ---- every action, both server flavors --------------------------------------------


def test_each_action_shows_at_once_and_reaches_the_server(
    aloop: LoopRunner,
    any_server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
) -> None:
    ids = seed(any_server, add_rows)
    app = make_app()
    start(aloop, app, make_client(any_server), 4)
    assert app.store.unread_count == 3

    app.actions.mark_read(ids["a"])
    assert app.store.get(ids["a"]).is_read and app.store.unread_count == 2  # type: ignore[union-attr]
    aloop.wait_until(lambda: db_rows(any_server)[ids["a"]])

    app.actions.delete(ids["b"])
    assert ids["b"] not in app.store and app.store.unread_count == 1
    aloop.wait_until(lambda: ids["b"] not in db_rows(any_server))

    app.actions.delete_read()
    assert [n.id for n in app.store] == [ids["d"]]
    aloop.wait_until(lambda: set(db_rows(any_server)) == {ids["d"]})

    app.actions.mark_all_read()
    assert app.store.unread_count == 0 and app.store.get(ids["d"]).is_read  # type: ignore[union-attr]
    aloop.wait_until(lambda: db_rows(any_server) == {ids["d"]: True})
    aloop.wait_until(lambda: app.actions.pending_count == 0)
    assert [status for _, _, status in writes(any_server) if status != 200] == (
        [404] if any_server.config.flavor == "documented" else []
    )  # the documented server wants POST for read-all: one fallback, remembered

    # The server's truth, refetched, is what the user already sees.
    synced = Recorder(app.sync.synced)
    app.sync.refresh_now()
    aloop.wait_until(lambda: synced.calls)
    assert [(n.id, n.is_read) for n in app.store] == [(ids["d"], True)]
    assert app.store.unread_count == 0


def test_user_actions_are_never_refused_by_the_budget(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
) -> None:
    ids = seed(server, add_rows)
    budget = RequestBudget(rate_per_min=0.5, burst=2)
    app = make_app(budget=budget)
    start(aloop, app, make_client(server), 4)
    while budget.try_acquire(time.monotonic()):
        pass  # background requests would now wait about two minutes
    app.actions.mark_read(ids["a"])
    app.actions.mark_read(ids["b"])
    aloop.wait_until(lambda: db_rows(server)[ids["a"]] and db_rows(server)[ids["b"]], timeout=2)
    assert budget.available(time.monotonic()) < -1  # but they were counted


# ---- the outbox across restarts ----------------------------------------------------


def test_actions_taken_offline_reach_the_server_once_after_a_restart(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
    tmp_path: Path,
) -> None:
    ids = seed(server, add_rows)
    outbox = tmp_path / "state" / "outbox.json"
    first = make_app(outbox=outbox)
    start(aloop, first, make_client(server), 4)
    server.stop()
    first.actions.mark_read(ids["a"])
    first.actions.delete(ids["b"])
    first.actions.delete_read()  # takes a (just read) and c
    assert [n.id for n in first.store] == [ids["d"]] and first.store.unread_count == 1
    kinds = [a["kind"] for a in json.loads(outbox.read_text())["actions"]]
    assert kinds == ["mark_read", "delete", "delete_read"]
    aloop.wait_until(lambda: first.outbox.pending()[0].attempts > 0)  # tried, failed, kept
    aloop.run(first.sync.stop())  # the app quits

    server.start()
    server.clear_requests()
    second = make_app(outbox=outbox)
    second.sync.set_client(make_client(server))
    aloop.wait_until(lambda: second.actions.pending_count == 0 and second.sync.last_synced)
    aloop.wait_until(lambda: set(db_rows(server)) == {ids["d"]})
    sent = writes(server)
    assert sorted(sent) == sorted(
        [
            ("POST", "/api/auth/login", 200),
            ("PATCH", f"/api/notifications/{ids['a']}/read", 200),
            ("DELETE", f"/api/notifications/{ids['b']}", 200),
            ("DELETE", "/api/notifications", 200),
        ]
    )
    assert sent.index(("DELETE", "/api/notifications", 200)) == len(sent) - 1  # bulk last
    assert [n.id for n in second.store] == [ids["d"]] and second.store.unread_count == 1


def test_pending_actions_are_laid_over_the_first_page_after_a_restart(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
    tmp_path: Path,
) -> None:
    ids = seed(server, add_rows)
    outbox = tmp_path / "outbox.json"
    # The server fails these two rows' writes: the actions stay pending.
    failing = [f"/api/notifications/{ids['a']}", f"/api/notifications/{ids['b']}"]
    server.set_faults(error_rate=1.0, paths=failing)
    first = make_app(outbox=outbox)
    start(aloop, first, make_client(server), 4)
    first.actions.mark_read(ids["a"])
    first.actions.delete(ids["b"])
    aloop.wait_until(lambda: all(a.attempts > 0 for a in first.outbox.pending()))
    aloop.run(first.sync.stop())

    second = make_app(outbox=outbox)
    counts = Counts()
    second.store.add_listener(counts)
    start(aloop, second, make_client(server), 3)
    # The server still has a unread and b: the user sees their own actions.
    assert db_rows(server)[ids["a"]] is False and ids["b"] in db_rows(server)
    assert ids["b"] not in second.store and second.store.get(ids["a"]).is_read  # type: ignore[union-attr]
    assert second.store.unread_count == 1 and counts.seen == [1]
    # A refetch does not bring them back either.
    synced = Recorder(second.sync.synced)
    second.sync.refresh_now()
    aloop.wait_until(lambda: synced.calls)
    assert ids["b"] not in second.store and second.store.unread_count == 1

    server.set_faults(error_rate=0.0)
    aloop.wait_until(lambda: second.actions.pending_count == 0)
    assert db_rows(server) == {ids["a"]: True, ids["c"]: True, ids["d"]: False}
    assert counts.seen == [1]  # the badge never jumped


# ---- refusals -----------------------------------------------------------------------


class RefusingTransport(httpx.AsyncBaseTransport):
    """Loopback transport that answers 400 to one kind of write, as a stricter server might."""

    def __init__(self, method: str, suffix: str) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._method, self._suffix = method, suffix

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self._method and request.url.path.endswith(self._suffix):
            return httpx.Response(400, json={"error": "Validation failed"})
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.mark.parametrize(("method", "suffix"), [("PATCH", "/read"), ("DELETE", "")])
def test_a_refused_action_is_undone_visibly(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
    method: str,
    suffix: str,
) -> None:
    ids = seed(server, add_rows)
    app = make_app()
    failed = Recorder(app.sync.action_failed)
    client = make_client(server, transport=RefusingTransport(method, ids["a"] + suffix))
    start(aloop, app, client, 4)
    before = app.store.rows()
    if method == "PATCH":
        app.actions.mark_read(ids["a"])
    else:
        app.actions.delete(ids["a"])
    assert app.store.unread_count == 2
    aloop.wait_until(lambda: failed.calls)
    [(message,)] = failed.calls
    assert "refused" in message
    assert app.store.rows() == before and app.store.unread_count == 3
    assert app.actions.pending_count == 0
    assert db_rows(server)[ids["a"]] is False


def test_an_unreadable_answer_is_undone_then_corrected_by_a_refetch(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
) -> None:
    ids = seed(server, add_rows)
    app = make_app()
    failed = Recorder(app.sync.action_failed)
    start(aloop, app, make_client(server), 4)
    server.set_faults(malformed_rate=1.0, paths=[f"/api/notifications/{ids['a']}"])
    app.actions.mark_read(ids["a"])
    aloop.wait_until(lambda: failed.calls)
    # The server did apply it: the refetch that follows shows the truth.
    aloop.wait_until(lambda: app.store.get(ids["a"]).is_read)  # type: ignore[union-attr]
    assert app.store.unread_count == 2 and db_rows(server)[ids["a"]] is True


# ---- with the stream -----------------------------------------------------------------


def test_the_streams_echo_of_an_action_is_not_counted_twice(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_app: Any,
    add_rows: AddRows,
) -> None:
    ids = seed(server, add_rows)
    app = make_app(stream=True)
    start(aloop, app, make_client(server), 4)
    aloop.wait_until(lambda: app.sync.stream_connected)
    counts = Counts()
    app.store.add_listener(counts)
    app.actions.mark_read(ids["a"])
    app.actions.delete(ids["b"])
    aloop.wait_until(lambda: app.actions.pending_count == 0)
    # Events arrive in order: once this row shows, the echoes of both actions have too.
    [marker] = add_rows(server, title="marker")
    aloop.wait_until(lambda: marker["id"] in app.store)
    assert app.store.unread_count == 2
    assert min(counts.seen) == 1 and counts.seen[-1] == 2
    assert sorted(n.id for n in app.store) == sorted([ids["a"], ids["c"], ids["d"], marker["id"]])


# ---- the overlay, piece by piece (no server: the races it guards are hard to force) ---


def note(minute: int, *, read: bool = False) -> Notification:
    return Notification(
        id=str(uuid.UUID(int=minute + 1)),
        type="job_completed",
        title=f"row {minute}",
        body=None,
        data=None,
        is_read=read,
        created_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC) - timedelta(minutes=minute),
    )


def page_of(
    rows: list[Notification], unread: int, *, page: int = 1, limit: int = 3
) -> NotificationPage:
    return NotificationPage(tuple(rows), unread, page, limit, len(rows) < limit)


@pytest.fixture
def offline_actions(qapp: Any) -> tuple[NotificationStore, ActionService]:
    """A store with rows 0..5 (all unread, two pages of 3) and actions never sent."""
    store = NotificationStore()
    rows = [note(m) for m in range(6)]
    store.apply_first_page(page_of(rows[:3], 6))
    store.apply_next_page(page_of(rows[3:], 6, page=2))
    return store, ActionService(store, Outbox(None))


def test_a_stale_page_is_overlaid_and_a_fresh_one_is_not_counted_twice(
    offline_actions: tuple[NotificationStore, ActionService],
) -> None:
    store, actions = offline_actions
    rows = [note(m) for m in range(6)]
    actions.mark_read(rows[1].id)
    actions.delete(rows[4].id)
    assert store.unread_count == 4
    # Fetched before the server applied them: both rows still unread in its count.
    stale = actions.overlay_page(page_of(rows[:3], 6))
    assert [(n.id, n.is_read) for n in stale.items] == [
        (rows[0].id, False),
        (rows[1].id, True),
        (rows[2].id, False),
    ]
    assert stale.unread_count == 4  # row 4 lies beyond this page: its deletion still counts
    # Fetched after the server deleted row 4: its absence within page 2 is the deletion.
    fresh = actions.overlay_page(page_of([rows[3], rows[5]], 5, page=2))
    assert fresh.unread_count == 4


def test_a_deleted_event_for_a_pending_delete_is_not_counted_twice(
    offline_actions: tuple[NotificationStore, ActionService],
) -> None:
    store, actions = offline_actions
    gone = note(2)
    actions.delete(gone.id)
    assert store.unread_count == 5
    # The server's echo of our own deletion may arrive before its answer.
    assert actions.overlay_event((), 5, gone=gone.id) == ((), 5)
    # Any other event still gets the pending deletion applied.
    assert actions.overlay_event((), 6) == ((), 5)
