"""Keeps the one notification store in step with the server.

At start the first page (50 rows) is fetched. Then each poll is a ``limit=1`` probe of
the newest id and the unread count, and the first page is fetched again only when the
probe shows a change (:func:`~tray_app.core.sync_logic.needs_full_fetch`). Intervals,
backoff with full jitter and ``retry-after`` come from a
:class:`~tray_app.core.schedule.PollScheduler`: every 15 s while idle (the job watcher
adds one request every 30 s: one every 10 s together), every 3 s while the list window
is open or a job runs (:meth:`SyncService.set_active`). Background requests pass a
shared :class:`~tray_app.core.schedule.RequestBudget`; the user's own requests (Refresh,
scrolling, the "unread only" filter) are only charged to it.

Where the server has a notification stream (:class:`StreamFeed`), its events update the
store directly and polling drops to a safety poll every two minutes. Waking from sleep
and the network coming back (:class:`ResumeWatcher`) resync at once. New rows are
announced for toasts through :class:`SeenTracker`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, AuthError, RateLimited
from tray_app.api.models import Notification, NotificationPage
from tray_app.core.schedule import PollMode, PollScheduler, RequestBudget, UpdateSpeed
from tray_app.core.schedule import requests_per_hour as cost_per_hour
from tray_app.core.store import NotificationStore, StoreSnapshot
from tray_app.core.sync_logic import Snapshot, needs_full_fetch, snapshot_of
from tray_app.services._tasks import TaskSet, wait_event
from tray_app.services.actions import ActionService
from tray_app.services.sync_stream import StreamApplier, StreamFeed
from tray_app.services.sync_support import (
    ResumeWatcher,
    SeenTracker,
    SyncOptions,
    failure_report,
    take_budget,
    update_speed,
)

__all__ = ["SyncOptions", "SyncService"]

_log = logging.getLogger(__name__)


class SyncService(QObject):
    """Polls or streams the server into a :class:`NotificationStore`.

    With ``actions``, fetched pages and stream events are overlaid with the pending
    user actions, and this service drives it: client, retries, stop. ``resume``
    replaces the default wake/network watcher (tests feed it a fake wall clock).

    Signals:
        connection_changed(str, str): "online", "offline" or "error", and a message.
        synced(object): aware UTC datetime of the last successful sync.
        new_notifications(list, bool): new rows for toasts; True when catching up after
            start-up, wake or an outage (coalesce them into one summary).
        auth_failed(): the token was refused; paused until :meth:`set_client`.
        action_failed(str): a user action was refused and undone (from ``actions``).
        requests_per_hour(int): background requests per hour at the current pace.
    """

    connection_changed = Signal(str, str)
    synced = Signal(object)
    new_notifications = Signal(list, bool)
    auth_failed = Signal()
    action_failed = Signal(str)
    requests_per_hour = Signal(int)

    def __init__(
        self,
        store: NotificationStore,
        *,
        actions: ActionService | None = None,
        seen_path: Path | None = None,
        scheduler: PollScheduler | None = None,
        budget: RequestBudget | None = None,
        options: SyncOptions | None = None,
        resume: ResumeWatcher | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._actions = actions
        self._options = opts = options or SyncOptions()
        rng = rng or random.Random()
        self._scheduler = scheduler or PollScheduler(rng=rng)
        self._budget = budget
        self._monotonic = monotonic
        self._client: ApiClient | None = None
        self._paused = False
        self._tasks = TaskSet(_log)
        self._seen = SeenTracker(seen_path)
        self._active: set[str] = set()
        self._unread_only = False
        self._connection: tuple[str, str] | None = None
        self._last_synced: datetime | None = None
        self._cost: int | None = None
        self._reset_state()
        self._stream = StreamFeed(opts, budget=budget, rng=rng, monotonic=monotonic, parent=self)
        self._resume = resume or ResumeWatcher(
            tick_s=opts.wake_tick_s,
            threshold_s=opts.wake_threshold_s,
            watch_network=opts.watch_network,
            parent=self,
        )
        self._connect_parts(actions)

    def _connect_parts(self, actions: ActionService | None) -> None:
        self._applier = StreamApplier(
            self._store,
            actions,
            announce=lambda rows: self._announce(rows, False),
            refetch=self._request_full_fetch,
        )
        self._stream.event_received.connect(self._applier.apply)
        self._stream.connected_changed.connect(self._on_stream_connected_changed)
        self._stream.auth_failed.connect(self._on_auth_error)
        self._resume.woke.connect(self._on_resume_woke)
        self._resume.network_online.connect(self.resync)
        if actions is not None:
            actions.action_failed.connect(self.action_failed)
            actions.auth_failed.connect(self._on_auth_error)
            actions.refetch_needed.connect(self._request_full_fetch)
            actions.settled.connect(self._on_actions_settled)

    def _reset_state(self) -> None:
        """Forget what the last client saw: a new session starts with a full fetch."""
        self._known: Snapshot | None = None
        self._known_at = 0.0
        # Full fetches asked for (start, Refresh, stream hello...) and the last one done.
        self._full_wanted, self._full_done = 1, 0
        self._user_request = False
        self._catch_up = True
        self._kick = asyncio.Event()
        self._due_at = self._last_check_at = 0.0
        self._loading_more = False
        self._stream_started = False

    # ---------------------------------------------------------------- public

    @property
    def client(self) -> ApiClient | None:
        return self._client

    @property
    def store(self) -> NotificationStore:
        """The store this service keeps in step with the server."""
        return self._store

    @property
    def last_synced(self) -> datetime | None:
        """When the server last answered a sync (aware UTC), or None."""
        return self._last_synced

    @property
    def stream_connected(self) -> bool:
        return self._stream.connected

    def set_client(self, client: ApiClient | None) -> None:
        """Sync through ``client``; None (signed out) stops and clears the store.

        The same client again (its token refreshed) resumes after a 401. Another
        client for the same server keeps the loaded rows; another server clears them.
        """
        if client is not None and client is self._client:
            if self._paused:
                self._paused = False
                self._start(client)
        else:
            self._tasks.cancel()
            self._stream.cancel()
            previous, self._client, self._paused = self._client, client, False
            self._reset_state()
            if client is None or (previous is not None and previous.base_url != client.base_url):
                self._store.clear()
            if client is None:
                self._resume.stop()
                self._connection = None
            else:
                self._start(client)
        if self._actions is not None:
            self._actions.set_client(client)

    def set_active(self, reason: str, on: bool) -> None:
        """Poll faster while any reason holds ("window": list open, "job": a job runs)."""
        if on:
            self._active.add(reason)
        else:
            self._active.discard(reason)
        mode = PollMode.ACTIVE if self._active else PollMode.IDLE
        if mode is not self._scheduler.mode:
            self._scheduler.mode = mode
            self._replan()

    def set_speed(self, speed: UpdateSpeed | str) -> None:
        """Apply the "Update speed" setting (an UpdateSpeed, or the setting's string)."""
        self._scheduler.speed = update_speed(speed)
        self._replan()

    def refresh_now(self) -> None:
        """Fetch the first page now and send pending actions (the user asked)."""
        if self._client is None:
            return
        if self._paused:
            self.auth_failed.emit()
            return
        self._user_request = True
        self._request_full_fetch()
        self._stream.retry_soon()
        if self._actions is not None:
            self._actions.retry_now()

    def resync(self) -> None:
        """Check at once, forgetting the backoff (wake, network back)."""
        if self._client is None or self._paused:
            return
        self._check_now()
        if self._stream_started:
            self._stream.start(self._client)  # after sleep the connection may be dead
        if self._actions is not None:
            self._actions.retry_now()

    def load_more(self) -> None:
        """Fetch the next page of the listing (infinite scroll)."""
        client = self._client
        if client is None or self._paused or self._loading_more or not self._store.has_more:
            return
        self._loading_more = True
        self._tasks.spawn(self._load_more(client), name="load-more")

    def set_unread_only(self, unread_only: bool) -> None:
        """Show only unread rows (the server's filter); the badge keeps the total."""
        if unread_only == self._unread_only:
            return
        self._unread_only = unread_only
        # Empty the listing but keep the total: the badge must not blink to zero.
        self._store.restore(StoreSnapshot((), None, self._store.unread_count, False))
        self._known = None  # the probe's meaning changes with the filter
        self._loading_more = False
        self._user_request = True
        self._request_full_fetch()

    async def stop(self) -> None:
        """Stop every loop and wait for them to end."""
        self._resume.stop()
        self._client = None
        await self._stream.aclose()
        await self._tasks.aclose()
        if self._actions is not None:
            await self._actions.stop()

    # ------------------------------------------------------------ scheduling

    def _start(self, client: ApiClient) -> None:
        """Start polling; the stream follows the first successful check."""
        self._stream_started = False
        self._check_now()
        self._tasks.spawn(self._poll_loop(client), name="poll")
        self._resume.start()
        speed = self._scheduler.speed
        _log.info(
            "Syncing at %s speed: about %d requests per hour idle, %d active (jobs included)",
            speed.value,
            cost_per_hour(speed, PollMode.IDLE),
            cost_per_hour(speed, PollMode.ACTIVE),
        )
        self._report_cost()

    def _plan(self, now: float) -> None:
        self._due_at = now + self._scheduler.next_delay(now)

    def _replan(self) -> None:
        """Recompute the next check from the last one (mode, speed or stream changed)."""
        if self._scheduler.failures == 0 and self._known is not None:
            self._due_at = self._last_check_at + self._scheduler.next_delay(self._last_check_at)
            self._kick.set()
        self._report_cost()

    def _request_full_fetch(self) -> None:
        self._full_wanted += 1
        self._check_now()

    def _check_now(self) -> None:
        """Forget the backoff and wake the poll loop (a ``retry-after`` still holds)."""
        self._scheduler.resync()
        self._plan(self._monotonic())
        self._kick.set()

    def _report_cost(self) -> None:
        s = self._scheduler
        cost = cost_per_hour(s.speed, s.mode, stream_healthy=s.stream_healthy)
        if cost != self._cost:
            self._cost = cost
            self.requests_per_hour.emit(cost)

    async def _wait_until_due(self) -> None:
        while (wait := self._due_at - self._monotonic()) > 0:
            self._kick.clear()
            if not await wait_event(self._kick, wait):
                return

    # ---------------------------------------------------------------- polling

    async def _poll_loop(self, client: ApiClient) -> None:
        while client is self._client and not self._paused:
            await self._wait_until_due()
            user, self._user_request = self._user_request, False
            ok = False
            try:
                await self._check(client, user)
                ok = True
            except AuthError:
                self._on_auth_error()
                return
            except ApiError as exc:
                self._on_failure(exc)
            except Exception:
                _log.exception("Unexpected error while syncing")
                self._on_failure(None)
            if ok:
                self._on_success(client)
            self._last_check_at = now = self._monotonic()
            self._plan(now)
            if ok and self._full_wanted > self._full_done:
                self._due_at = now  # asked for while this check was in flight

    async def _check(self, client: ApiClient, user: bool) -> None:
        """Probe, and fetch the first page if something changed (or was asked)."""
        if self._full_wanted <= self._full_done and self._known is not None:
            await take_budget(self._budget, self._monotonic, user=user)
            probe = await client.list_notifications(1, 1, self._unread_only)
            age = self._monotonic() - self._known_at
            if not needs_full_fetch(self._known, probe, full_fetch_age_s=age):
                return
        await take_budget(self._budget, self._monotonic, user=user)
        wanted = self._full_wanted
        page = await self._fetch_page(client, 1)
        if page is not None:
            self._full_done = wanted
            self._known, self._known_at = snapshot_of(page), self._monotonic()

    async def _fetch_page(self, client: ApiClient, number: int) -> NotificationPage | None:
        """Fetch and apply page ``number``; returns it as the server sent it.

        None when the "unread only" filter changed meanwhile (a new fetch is asked for).
        """
        epoch = self._actions.epoch if self._actions is not None else 0
        unread_only = self._unread_only
        with self._applier.recording() as events:
            raw = await client.list_notifications(number, self._options.page_size, unread_only)
        if unread_only != self._unread_only:
            return None
        page = raw if self._actions is None else self._actions.overlay_page(raw, since=epoch)
        if number == 1:
            self._store.apply_first_page(page)
        else:
            self._store.apply_next_page(page)
        self._applier.replay(events)
        self._announce(page.items, self._catch_up and number == 1)
        if self._actions is not None and self._actions.bulk_settled_since(epoch):
            self._request_full_fetch()
        return raw

    def _on_success(self, client: ApiClient) -> None:
        self._scheduler.record_success()
        recovered = self._connection is not None and self._connection[0] != "online"
        self._catch_up = False
        self._set_connection("online", "")
        self._last_synced = datetime.now(UTC)
        self.synced.emit(self._last_synced)
        if self._options.use_stream and not self._stream_started:
            self._stream_started = True
            self._stream.start(client)  # after the first page: its hello refetches anyway
        if recovered:
            self._stream.retry_soon()
            if self._actions is not None:
                self._actions.retry_now()

    def _on_failure(self, exc: ApiError | None) -> None:
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        _log.info("Sync failed: %s", exc.message if exc is not None else "unexpected error")
        if retry_after is not None and self._budget is not None:
            self._budget.hold(self._monotonic(), retry_after)
        self._scheduler.record_failure(self._monotonic(), retry_after=retry_after)
        self._catch_up = True
        self._set_connection(*failure_report(exc))

    def _on_auth_error(self) -> None:
        if self._paused or self._client is None:
            return
        _log.info("The server refused the token: sync paused until a new session")
        self._paused = True
        self._tasks.cancel()
        self._stream.cancel()
        self._stream_started = False
        self.auth_failed.emit()

    def _set_connection(self, state: str, message: str) -> None:
        if self._connection != (state, message):
            self._connection = (state, message)
            self.connection_changed.emit(state, message)

    def _on_actions_settled(self) -> None:
        """Every action confirmed: the store is what the server has, no refetch needed."""
        if self._known is not None:
            newest = self._store.row(0).id if len(self._store) else None
            self._known = Snapshot(newest, self._store.unread_count)

    async def _load_more(self, client: ApiClient) -> None:
        try:
            await take_budget(self._budget, self._monotonic, user=True)
            await self._fetch_page(client, self._store.next_page(self._options.page_size))
        except AuthError:
            self._on_auth_error()
        except ApiError as exc:
            _log.info("Loading more notifications failed: %s", exc.message)
            self._set_connection(*failure_report(exc))
        except Exception:
            _log.exception("Unexpected error while loading more notifications")
        finally:
            self._loading_more = False

    # ------------------------------------------------------------ the stream

    def _on_stream_connected_changed(self, connected: bool) -> None:
        self._scheduler.stream_healthy = connected
        if connected:
            _log.info("Notification stream connected: polling slows to a safety net")
            self._replan()
        else:
            self._check_now()  # changes may have been missed, or the server is gone

    # ------------------------------------------------------------------ misc

    def _announce(self, rows: Sequence[Notification], catch_up: bool) -> None:
        new = self._seen.merge(rows)
        if new:
            self.new_notifications.emit(list(new), catch_up)

    def _on_resume_woke(self, slept: float) -> None:
        _log.info("Woke after about %.0f s: resyncing", slept)
        self._catch_up = True
        self.resync()
