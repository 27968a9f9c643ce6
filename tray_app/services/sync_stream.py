"""The notification stream: keeping it open, and applying its events to the store.

:class:`StreamFeed` keeps ``/api/notifications/stream`` open where the server has one,
with its fallback policy: a 404 means no stream (ask again every ten minutes), three
errors within five minutes mean polling for ten minutes, and reconnects back off with
full jitter. The client's 45 s read timeout is the heartbeat watchdog (the server sends
a heartbeat every 15 s).

:class:`StreamApplier` applies the events to the store, with the pending user actions
laid over them, and replays those that arrived while a page was being fetched: the page
may predate them, and applied alone it would undo them (a row just created would
vanish until the next poll).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from PySide6.QtCore import QObject, Signal

from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, AuthError, RateLimited, StreamUnavailable
from tray_app.api.models import Notification, StreamEvent
from tray_app.core.schedule import RequestBudget, backoff_delay
from tray_app.core.store import NotificationStore
from tray_app.services._tasks import TaskSet, wait_event
from tray_app.services.actions import ActionService
from tray_app.services.sync_support import SyncOptions, take_budget

_log = logging.getLogger(__name__)


class StreamFeed(QObject):
    """The notification stream of one client, reconnected until told to stop.

    Signals:
        event_received(object): a :class:`~tray_app.api.models.StreamEvent`.
        connected_changed(bool): True at the first event of a connection, False at its end.
        auth_failed(): the token was refused; the feed stopped.
    """

    event_received = Signal(object)
    connected_changed = Signal(bool)
    auth_failed = Signal()

    def __init__(
        self,
        options: SyncOptions,
        *,
        budget: RequestBudget | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._options = options
        self._budget = budget
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self._tasks = TaskSet(_log)
        self._wake = asyncio.Event()
        self._connected = False
        self._unavailable_until = 0.0
        # Bumped on every (re)start: a cancelled loop's late clean-up must not count.
        self._generation = 0

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self, client: ApiClient) -> None:
        """(Re)connect through ``client`` now, dropping any current connection.

        A server known to have no stream is asked again only when its time comes.
        """
        self.cancel()
        self._tasks.spawn(self._loop(client, self._generation), name="notification-stream")

    def cancel(self) -> None:
        self._generation += 1
        self._tasks.cancel()
        self._set_connected(False, self._generation)

    def retry_soon(self) -> None:
        """End a backoff or fallback pause now (the server is reachable again)."""
        self._wake.set()

    async def aclose(self) -> None:
        self._generation += 1
        await self._tasks.aclose()
        self._set_connected(False, self._generation)

    async def _loop(self, client: ApiClient, generation: int) -> None:
        errors: deque[float] = deque()
        while generation == self._generation:
            wait = self._unavailable_until - self._monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            await take_budget(self._budget, self._monotonic, user=False)
            retry_after = await self._connect_once(client, generation)
            if retry_after is None:
                return
            if self._unavailable_until > self._monotonic():
                continue
            now = self._monotonic()
            errors.append(now)
            while errors[0] < now - self._options.stream_error_window_s:
                errors.popleft()
            if len(errors) >= self._options.stream_error_limit:
                _log.warning("The notification stream keeps failing: polling for now")
                errors.clear()
                await self._pause(self._options.stream_retry_s)
                continue
            await self._pause(
                backoff_delay(
                    len(errors),
                    self._rng,
                    retry_after=retry_after or None,
                    base_s=self._options.stream_backoff_base_s,
                    cap_s=self._options.stream_backoff_cap_s,
                )
            )

    async def _connect_once(self, client: ApiClient, generation: int) -> float | None:
        """One connection; returns the ``retry-after`` to honour (0: none), None: stop."""
        try:
            async with contextlib.aclosing(client.notification_stream()) as events:
                async for event in events:
                    if generation != self._generation:
                        return None  # replaced by a newer connection
                    self._set_connected(True, generation)
                    self.event_received.emit(event)
            _log.info("The notification stream ended")
        except StreamUnavailable:
            retry = self._options.stream_retry_s
            _log.info(
                "The server has no notification stream: polling, asking again in %.0f s", retry
            )
            self._unavailable_until = self._monotonic() + retry
        except AuthError:
            self._set_connected(False, generation)
            self.auth_failed.emit()
            return None
        except RateLimited as exc:
            if self._budget is not None:
                self._budget.hold(self._monotonic(), exc.retry_after)
            return exc.retry_after
        except ApiError as exc:
            _log.info("The notification stream failed: %s", exc.message)
        except Exception:
            _log.exception("Unexpected error on the notification stream")
        finally:
            self._set_connected(False, generation)
        return 0.0

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        await wait_event(self._wake, seconds)

    def _set_connected(self, connected: bool, generation: int) -> None:
        if generation == self._generation and connected != self._connected:
            self._connected = connected
            self.connected_changed.emit(connected)


class StreamApplier:
    """Applies notification stream events to the store.

    ``announce`` receives created rows (for toasts); ``refetch`` is called on ``hello``
    and ``sync``, which call for the first page again.
    """

    def __init__(
        self,
        store: NotificationStore,
        actions: ActionService | None,
        *,
        announce: Callable[[Sequence[Notification]], None],
        refetch: Callable[[], None],
    ) -> None:
        self._store = store
        self._actions = actions
        self._announce = announce
        self._refetch = refetch
        self._recordings: list[list[StreamEvent]] = []

    def apply(self, event: StreamEvent) -> None:
        for recording in self._recordings:
            recording.append(event)
        if event.kind in ("hello", "sync"):
            if event.unread_count is not None:
                self._set_unread(event.unread_count)
            self._refetch()
        else:
            self._apply_change(event, announce=True)

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[StreamEvent]]:
        """Collect the events that arrive meanwhile (around a page request)."""
        events: list[StreamEvent] = []
        self._recordings.append(events)
        try:
            yield events
        finally:
            self._recordings.remove(events)

    def replay(self, events: Sequence[StreamEvent]) -> None:
        """Apply ``events`` again over a page that may predate them.

        Every change is published, in order, so the last event's unread count is at
        least as recent as the page's.
        """
        for event in events:
            if event.kind in ("hello", "sync"):
                if event.unread_count is not None:
                    self._set_unread(event.unread_count)
            else:
                self._apply_change(event, announce=False)

    def _apply_change(self, event: StreamEvent, *, announce: bool) -> None:
        count, row = event.unread_count, event.notification
        if event.kind == "deleted" and event.notification_id is not None:
            self._store.remove(event.notification_id)
            if count is not None:
                self._set_unread(count, gone=event.notification_id)
        elif row is not None and count is not None and event.kind in ("created", "updated"):
            rows, shown_count = self._overlay([row], count)
            for shown in rows:
                # An update of a row that was never loaded would leave a gap: skip it.
                if event.kind == "created" or shown.id in self._store:
                    self._store.upsert(shown)
            self._store.set_unread_count(shown_count)
            if announce and event.kind == "created":
                self._announce(rows)

    def _overlay(
        self, rows: Sequence[Notification], count: int, gone: str | None = None
    ) -> tuple[tuple[Notification, ...], int]:
        if self._actions is None:
            return tuple(rows), count
        return self._actions.overlay_event(rows, count, gone=gone)

    def _set_unread(self, count: int, gone: str | None = None) -> None:
        self._store.set_unread_count(self._overlay((), count, gone)[1])
