"""SyncService against the real reference server on loopback, through the real client."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import SignalInstance

from tray_app.api.client import ApiClient
from tray_app.api.models import Notification, NotificationPage, StreamEvent
from tray_app.core.schedule import PollScheduler, SpeedProfile, UpdateSpeed
from tray_app.core.store import NotificationStore, StoreListener
from tray_app.reference_server import RunningServer
from tray_app.services.sync import SyncOptions, SyncService
from tray_app.services.sync_stream import StreamApplier
from tray_app.services.sync_support import ResumeWatcher

EMAIL, PASSWORD = "user@example.com", "password-123"  # the `server` fixture's user

ClientFactory = Callable[..., ApiClient]
AddRows = Callable[..., list[dict[str, Any]]]
LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)


class Recorder:
    """Records every emission of a signal."""

    def __init__(self, signal: SignalInstance) -> None:
        self.calls: list[tuple[Any, ...]] = []
        signal.connect(lambda *args: self.calls.append(args))

    @property
    def last(self) -> tuple[Any, ...] | None:
        return self.calls[-1] if self.calls else None


class Highest(random.Random):
    """Always draws the top of the range: the longest jitter, the longest backoff."""

    def uniform(self, a: float, b: float) -> float:
        return max(a, b)


def scheduler(
    idle: float = 0.05,
    active: float = 0.02,
    *,
    safety: float = 0.5,
    base: float = 0.02,
    cap: float = 0.1,
    rng: random.Random | None = None,
) -> PollScheduler:
    profiles = {speed: SpeedProfile(idle_s=idle, active_s=active) for speed in UpdateSpeed}
    return PollScheduler(
        rng=rng or random.Random(0),
        profiles=profiles,
        stream_safety_s=safety,
        backoff_base_s=base,
        backoff_cap_s=cap,
    )


@pytest.fixture
def make_sync(aloop: LoopRunner, tmp_path: Path) -> Iterator[Callable[..., SyncService]]:
    """``make_sync(stream=False, sched=None, seen=..., **SyncOptions)``; stopped at teardown."""
    services: list[SyncService] = []

    def factory(
        *,
        stream: bool = False,
        sched: PollScheduler | None = None,
        seen: Path | None = tmp_path / "seen.json",
        store: NotificationStore | None = None,
        resume: ResumeWatcher | None = None,
        **options: Any,
    ) -> SyncService:
        options.setdefault("watch_network", False)
        service = SyncService(
            store or NotificationStore(),
            seen_path=seen,
            scheduler=sched or scheduler(),
            options=SyncOptions(use_stream=stream, **options),
            resume=resume,
        )
        services.append(service)
        return service

    yield factory
    for service in services:
        aloop.run(service.stop())


def store_of(service: SyncService) -> NotificationStore:
    return service.store


def list_requests(server: RunningServer, path: str = "/api/notifications") -> list[dict[str, Any]]:
    return [r for r in server.requests() if r["path"] == path and r["method"] == "GET"]


# ---- fetching and polling ---------------------------------------------------------


def test_initial_fetch_fills_the_store(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    add_rows(server, 3)
    add_rows(server, 2, is_read=True)
    service = make_sync(sched=scheduler(idle=60.0, active=60.0))
    synced = Recorder(service.synced)
    states = Recorder(service.connection_changed)
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: len(store) == 5)
    assert store.unread_count == 3
    assert states.calls == [("online", "")]
    (when,) = synced.calls[0]
    assert when.tzinfo is not None and abs(time.time() - when.timestamp()) < 5
    [first] = list_requests(server)
    assert "limit=50" in first["query"] and "page=1" in first["query"]


def test_a_new_notification_shows_within_the_active_interval(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    service = make_sync(sched=scheduler(idle=60.0, active=0.05))
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: service.last_synced is not None)
    service.set_active("window", True)
    [row] = add_rows(server, title="Archivage terminé")
    aloop.wait_until(lambda: row["id"] in store, timeout=2.0)
    assert store.get(row["id"]).title == "Archivage terminé"  # type: ignore[union-attr]
    assert store.unread_count == 1


def test_probes_avoid_full_fetches_while_nothing_changes(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    add_rows(server, 4)
    service = make_sync(sched=scheduler(idle=0.02))
    service.set_client(make_client(server))
    aloop.wait_until(lambda: len(list_requests(server)) >= 12)
    queries = [r["query"] for r in list_requests(server)]
    assert "limit=50" in queries[0]
    assert all("limit=1&" in q or q.endswith("limit=1") for q in queries[1:]), queries
    # A change seen by a probe costs exactly one full fetch.
    [row] = add_rows(server)
    store = store_of(service)
    aloop.wait_until(lambda: row["id"] in store)
    server.clear_requests()
    aloop.wait_until(lambda: len(list_requests(server)) >= 10)
    assert not any("limit=50" in r["query"] for r in list_requests(server))


def test_requests_per_hour_follows_the_mode(
    aloop: LoopRunner, server: RunningServer, make_client: ClientFactory, make_sync: Any
) -> None:
    service = make_sync(sched=scheduler(idle=60.0, active=60.0))
    cost = Recorder(service.requests_per_hour)
    service.set_client(make_client(server))
    service.set_active("window", True)
    service.set_active("job", True)
    service.set_active("window", False)
    service.set_active("job", False)
    # Balanced: 240 notification polls + 120 job polls idle; 1200 + 600 active.
    assert cost.calls == [(360,), (1800,), (360,)]


# ---- new notifications for toasts -------------------------------------------------


def test_only_unseen_rows_are_announced_and_catch_up_after_restart(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
    tmp_path: Path,
) -> None:
    seen = tmp_path / "state" / "seen.json"
    add_rows(server, 2)
    first = make_sync(seen=seen)
    announced = Recorder(first.new_notifications)
    first.set_client(make_client(server))
    aloop.wait_until(lambda: len(store_of(first)) == 2)
    assert announced.calls == []  # first run ever: nothing is news
    [live] = add_rows(server)
    aloop.wait_until(lambda: announced.calls)
    assert [[n.id for n in rows] for rows, _ in announced.calls] == [[live["id"]]]
    assert announced.last is not None and announced.last[1] is False
    aloop.run(first.stop())
    assert seen.stat().st_mode & 0o777 == 0o600

    [missed] = add_rows(server)  # arrives while the app is closed
    second = make_sync(seen=seen)
    again = Recorder(second.new_notifications)
    second.set_client(make_client(server))
    aloop.wait_until(lambda: again.calls)
    assert [[n.id for n in rows] for rows, _ in again.calls] == [[missed["id"]]]
    assert again.calls[0][1] is True  # catching up: one summary toast


# ---- the stream -------------------------------------------------------------------


def test_stream_events_update_the_store_at_once(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    [old] = add_rows(server)
    service = make_sync(stream=True, sched=scheduler(idle=60.0, active=60.0, safety=60.0))
    announced = Recorder(service.new_notifications)
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: service.stream_connected and old["id"] in store)

    [row] = add_rows(server, title="Règle exécutée")  # published before it answers
    aloop.wait_until(lambda: row["id"] in store, timeout=0.5)
    assert store.unread_count == 2
    assert [[n.id for n in rows] for rows, _ in announced.calls] == [[row["id"]]]

    other = make_client(server)
    aloop.run(other.mark_read(old["id"]))
    aloop.wait_until(lambda: store.get(old["id"]).is_read, timeout=0.5)  # type: ignore[union-attr]
    assert store.unread_count == 1
    aloop.run(other.delete(row["id"]))
    aloop.wait_until(lambda: row["id"] not in store, timeout=0.5)
    assert store.unread_count == 0
    # Nothing of this needed a poll: only the start-up fetches hit the list.
    assert all("limit=50" in r["query"] for r in list_requests(server))


def test_without_a_stream_it_polls_and_asks_for_the_stream_only_once(
    aloop: LoopRunner,
    server_factory: Callable[..., RunningServer],
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    plain = server_factory(test_control=True, rate_limit=False, notification_stream=False)
    plain.create_user(EMAIL, PASSWORD)
    service = make_sync(stream=True, sched=scheduler(idle=0.03))
    service.set_client(make_client(plain))
    store = store_of(service)
    aloop.wait_until(lambda: list_requests(plain, "/api/notifications/stream"))
    [row] = add_rows(plain)
    aloop.wait_until(lambda: row["id"] in store)
    aloop.wait_until(lambda: len(list_requests(plain)) >= 20)
    streams = list_requests(plain, "/api/notifications/stream")
    assert [r["status"] for r in streams] == [404]
    assert not service.stream_connected


def test_a_failing_stream_falls_back_to_polling_after_three_errors(
    aloop: LoopRunner, server: RunningServer, make_client: ClientFactory, make_sync: Any
) -> None:
    server.set_faults(error_rate=1.0, paths=["/api/notifications/stream"])
    service = make_sync(
        stream=True,
        sched=scheduler(idle=0.03),
        stream_backoff_base_s=0.01,
        stream_backoff_cap_s=0.02,
    )
    service.set_client(make_client(server))
    aloop.wait_until(lambda: len(list_requests(server, "/api/notifications/stream")) >= 3)
    # Polling goes on meanwhile, and the stream is left alone for stream_retry_s.
    polls = len(list_requests(server))
    aloop.wait_until(lambda: len(list_requests(server)) >= polls + 20)
    streams = list_requests(server, "/api/notifications/stream")
    assert [r["status"] for r in streams] == [500, 500, 500]


# ---- failures ---------------------------------------------------------------------


def test_offline_then_online_again_without_restarting(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    service = make_sync(sched=scheduler(idle=0.03))
    states = Recorder(service.connection_changed)
    service.set_client(make_client(server))
    aloop.wait_until(lambda: states.last == ("online", ""))
    server.stop()
    aloop.wait_until(lambda: states.last is not None and states.last[0] == "offline")
    assert states.last is not None and states.last[1]  # a message for the user
    server.start()
    aloop.wait_until(lambda: states.last == ("online", ""))
    [row] = add_rows(server)
    aloop.wait_until(lambda: row["id"] in store_of(service))


def test_network_back_resyncs_at_once(
    aloop: LoopRunner, server: RunningServer, make_client: ClientFactory, make_sync: Any
) -> None:
    watcher = ResumeWatcher(tick_s=60.0, watch_network=False)
    # Huge backoff: only the network signal can bring it back within the test.
    sched = scheduler(idle=0.03, base=1000.0, cap=1000.0, rng=Highest())
    service = make_sync(sched=sched, resume=watcher)
    states = Recorder(service.connection_changed)
    service.set_client(make_client(server))
    aloop.wait_until(lambda: states.last == ("online", ""))
    server.stop()
    aloop.wait_until(lambda: states.last is not None and states.last[0] == "offline")
    server.start()
    watcher.network_online.emit()
    aloop.wait_until(lambda: states.last == ("online", ""), timeout=2.0)


def test_waking_from_sleep_resyncs_and_catches_up(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    offset = [0.0]
    watcher = ResumeWatcher(
        tick_s=0.02, threshold_s=30.0, watch_network=False, wall=lambda: time.time() + offset[0]
    )
    service = make_sync(sched=scheduler(idle=60.0, active=60.0), resume=watcher)
    announced = Recorder(service.new_notifications)
    service.set_client(make_client(server))
    aloop.wait_until(lambda: service.last_synced is not None)
    [row] = add_rows(server)
    offset[0] = 3600.0  # the wall clock jumps: the machine slept for an hour
    aloop.wait_until(lambda: announced.calls, timeout=2.0)
    [(rows, catch_up)] = announced.calls
    assert [n.id for n in rows] == [row["id"]] and catch_up is True


def test_retry_after_is_honoured(
    aloop: LoopRunner, server: RunningServer, make_client: ClientFactory, make_sync: Any
) -> None:
    client = make_client(server)
    seen: list[tuple[float, int | None]] = []
    client.on_request = lambda method, path, status: seen.append((time.monotonic(), status))
    service = make_sync(sched=scheduler(idle=0.02))
    states = Recorder(service.connection_changed)
    service.set_client(client)
    aloop.wait_until(lambda: service.last_synced is not None)
    server.set_faults(burst_429=1, burst_retry_after_s=1, paths=["/api/notifications"])
    aloop.wait_until(lambda: any(status == 429 for _, status in seen))
    assert states.last is not None and states.last[0] == "error"
    index = next(i for i, (_, status) in enumerate(seen) if status == 429)
    aloop.wait_until(lambda: len(seen) > index + 1, timeout=3.0)
    assert seen[index + 1][0] - seen[index][0] >= 0.99
    aloop.wait_until(lambda: states.last == ("online", ""))


def test_garbage_answers_do_not_stop_the_loop(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    service = make_sync(sched=scheduler(idle=0.02))
    states = Recorder(service.connection_changed)
    service.set_client(make_client(server))
    aloop.wait_until(lambda: states.last == ("online", ""))
    server.set_faults(malformed_rate=1.0, paths=["/api/notifications"])
    aloop.wait_until(lambda: states.last is not None and states.last[0] == "error")
    server.set_faults(malformed_rate=0.0)
    [row] = add_rows(server)
    aloop.wait_until(lambda: row["id"] in store_of(service))
    assert states.last == ("online", "")


def test_a_refused_token_pauses_until_a_new_client_is_set(
    aloop: LoopRunner, server: RunningServer, make_client: ClientFactory, make_sync: Any
) -> None:
    client = make_client(server)
    service = make_sync(sched=scheduler(idle=0.02))
    refused = Recorder(service.auth_failed)
    service.set_client(client)
    aloop.wait_until(lambda: service.last_synced is not None)
    revoker = ApiClient(server.url, token=client.token)
    aloop.run(revoker.logout())  # the token is blacklisted at once
    aloop.run(revoker.aclose())
    aloop.wait_until(lambda: refused.calls)
    server.clear_requests()
    aloop.run(client.login(EMAIL, PASSWORD))
    assert list_requests(server) == []  # paused: nothing was polled meanwhile
    service.set_client(client)
    aloop.wait_until(lambda: list_requests(server) and list_requests(server)[-1]["status"] == 200)
    assert len(refused.calls) == 1


def test_signing_out_clears_the_store(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    add_rows(server, 2)
    service = make_sync()
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: len(store) == 2)
    service.set_client(None)
    assert len(store) == 0 and store.unread_count == 0
    assert service.client is None


# ---- the listing ------------------------------------------------------------------


def test_load_more_pages_through_everything(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    rows = add_rows(server, 120)
    service = make_sync(sched=scheduler(idle=60.0, active=60.0))
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: len(store) == 50)
    assert store.has_more
    service.load_more()
    service.load_more()  # ignored while a page is loading
    aloop.wait_until(lambda: len(store) == 100)
    service.load_more()
    aloop.wait_until(lambda: len(store) == 120)
    assert not store.has_more
    assert {n.id for n in store} == {r["id"] for r in rows}
    assert [r["query"] for r in list_requests(server)][1:] == [
        "page=2&limit=50",
        "page=3&limit=50",
    ]


def test_unread_only_is_the_servers_filter_and_the_badge_keeps_the_total(
    aloop: LoopRunner,
    server: RunningServer,
    make_client: ClientFactory,
    make_sync: Any,
    add_rows: AddRows,
) -> None:
    unread = add_rows(server, 3)
    add_rows(server, 2, is_read=True)
    service = make_sync(sched=scheduler(idle=60.0, active=60.0))
    service.set_client(make_client(server))
    store = store_of(service)
    aloop.wait_until(lambda: len(store) == 5)
    badge: list[int] = []

    class Badge(StoreListener):
        def unread_changed(self, count: int) -> None:
            badge.append(count)

    store.add_listener(Badge())
    service.set_unread_only(True)
    aloop.wait_until(lambda: len(store) == 3)
    assert {n.id for n in store} == {r["id"] for r in unread}
    assert store.unread_count == 3
    assert 0 not in badge  # the badge never blinked to zero
    assert "unread_only=true" in list_requests(server)[-1]["query"]
    service.set_unread_only(False)
    aloop.wait_until(lambda: len(store) == 5)
    assert store.unread_count == 3


# ---- pieces -------------------------------------------------------------------------


def _row(minute: int) -> Notification:
    return Notification(
        id=str(uuid.UUID(int=minute + 1)),
        type="job_completed",
        title=f"row {minute}",
        body=None,
        data=None,
        is_read=False,
        created_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC) - timedelta(minutes=minute),
    )


def test_stream_events_during_a_fetch_are_replayed_over_the_page() -> None:
    store = NotificationStore()
    announced: list[Notification] = []
    applier = StreamApplier(store, None, announce=announced.extend, refetch=lambda: None)
    old, new = _row(5), _row(0)
    store.apply_first_page(NotificationPage((old,), 1, 1, 50, True))
    with applier.recording() as events:
        # The page is being fetched when the row is created and streamed.
        applier.apply(StreamEvent("created", 2, notification=new))
    assert new.id in store and announced == [new]
    store.apply_first_page(NotificationPage((old,), 1, 1, 50, True))  # computed before it
    assert new.id not in store  # the page alone would lose the row until the next poll
    applier.replay(events)
    assert [n.id for n in store] == [new.id, old.id] and store.unread_count == 2
    assert announced == [new]  # replaying does not announce twice
