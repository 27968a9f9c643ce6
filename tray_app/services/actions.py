"""The user's actions on notifications: shown at once, then carried to the server.

Mark read, mark all read, delete and delete all read change the
:class:`~tray_app.core.store.NotificationStore` immediately (the badge and the list
agree at once), join the persisted :class:`~tray_app.core.outbox.Outbox` and are sent in
order. Network and server errors retry with backoff (a QTimer armed at the outbox's next
due time), a ``retry-after`` is honoured, and the outbox file carries pending actions
across a restart. When the server refuses an action for good (a 4xx other than 401/429,
or an answer this client cannot read), the change is undone on the store and
``action_failed`` says so.

Pages fetched while actions are pending would show the old state (a deleted row coming
back, the badge jumping up): :meth:`ActionService.overlay_page` and
:meth:`ActionService.overlay_event` lay the pending actions over what the sync service
fetched or received, using the rows as they were before each action to correct the
unread count for rows outside the fetched page. User actions are never refused by the
request budget; they are only charged to it, so background polling yields after a burst.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from tray_app.api.client import ApiClient
from tray_app.api.errors import (
    ApiError,
    AuthError,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    TotpRequired,
)
from tray_app.api.models import Notification, NotificationPage
from tray_app.core.outbox import Action, ActionKind, Outbox, apply_pending
from tray_app.core.schedule import RequestBudget
from tray_app.core.store import NotificationStore, StoreSnapshot, sort_key
from tray_app.services._tasks import TaskSet

_log = logging.getLogger(__name__)

#: Confirmed actions kept to overlay pages whose request started before the confirmation.
_SETTLED_KEPT = 200
#: QTimer intervals are 32-bit milliseconds; a later due time is re-armed on expiry.
_MAX_TIMER_MS = 2**31 - 1


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ActionService(QObject):
    """Optimistic user actions with a persisted, retried outbox.

    Signals:
        action_failed(str): the server refused an action; it was undone (translated text).
        auth_failed(): the token was refused; sending waits for :meth:`set_client`.
        refetch_needed(): the server said something unexpected: refetch the listing.
        settled(): every queued action is confirmed: the store matches the server.
        pending_changed(int): how many actions wait for the server.
    """

    action_failed = Signal(str)
    auth_failed = Signal()
    refetch_needed = Signal()
    settled = Signal()
    pending_changed = Signal(int)

    def __init__(
        self,
        store: NotificationStore,
        outbox: Outbox,
        *,
        budget: RequestBudget | None = None,
        clock: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._outbox = outbox
        self._budget = budget
        self._clock = clock
        self._monotonic = monotonic
        self._client: ApiClient | None = None
        self._paused = False
        self._tasks = TaskSet(_log)
        self._flushing = False
        # Rows as they were before each pending action: to undo it, and to correct counts.
        self._before: dict[str, StoreSnapshot] = {}
        self._settled: deque[tuple[int, Action, tuple[Notification, ...]]] = deque(
            maxlen=_SETTLED_KEPT
        )
        self._epoch = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    # ------------------------------------------------------------------ state

    @property
    def epoch(self) -> int:
        """Counts confirmed actions; pass it to :meth:`overlay_page` as ``since``."""
        return self._epoch

    @property
    def pending_count(self) -> int:
        return len(self._outbox.pending())

    def set_client(self, client: ApiClient | None) -> None:
        """Send through ``client`` from now on (None: signed out, nothing is sent)."""
        if client is not self._client:
            self._tasks.cancel()
            self._flushing = False
        self._client = client
        self._paused = False
        if client is None:
            self._timer.stop()
            return
        self.retry_now()

    def retry_now(self) -> None:
        """Send every pending action now (network back, wake, the user's Refresh)."""
        if self._outbox.pending():
            self._outbox.retry_all_now(self._clock())
        self._schedule()

    def clear_pending(self) -> None:
        """Forget every pending action without sending it (the account signed out)."""
        _log.info("Forgetting %d pending actions", len(self._outbox.pending()))
        self._timer.stop()
        for action in self._outbox.pending():
            self._outbox.failed(action.id, self._clock(), permanent=True)
        self._before.clear()
        self.pending_changed.emit(0)

    async def stop(self) -> None:
        """Stop sending (pending actions stay in the outbox file)."""
        self._timer.stop()
        self._client = None
        await self._tasks.aclose()
        self._flushing = False

    # ---------------------------------------------------------------- actions

    def mark_read(self, notification_id: str) -> None:
        """Mark one notification read (nothing to do if it is loaded and already read)."""
        current = self._store.get(notification_id)
        if current is not None and current.is_read:
            return
        snapshot = self._store.snapshot([notification_id])
        self._store.mark_read(notification_id)
        self._queue(ActionKind.MARK_READ, notification_id, snapshot)

    def mark_all_read(self) -> None:
        """Mark every notification read, loaded or not."""
        snapshot = self._store.snapshot([n.id for n in self._store if not n.is_read])
        self._store.mark_all_read()
        self._queue(ActionKind.MARK_ALL_READ, None, snapshot)

    def delete(self, notification_id: str) -> None:
        """Delete one notification."""
        snapshot = self._store.snapshot([notification_id])
        self._store.remove(notification_id)
        self._queue(ActionKind.DELETE, notification_id, snapshot)

    def delete_read(self) -> None:
        """Delete every read notification (unread ones stay)."""
        snapshot = self._store.snapshot([n.id for n in self._store if n.is_read])
        self._store.remove_read()
        self._queue(ActionKind.DELETE_READ, None, snapshot)

    def _queue(self, kind: ActionKind, target: str | None, snapshot: StoreSnapshot) -> None:
        before = {a.id for a in self._outbox.pending()}
        try:
            action = self._outbox.add(kind, target, now=self._clock())
        except ValueError:
            _log.exception("Refused an invalid %s action", kind.value)
            self._store.restore(snapshot)
            return
        # Actions the new one replaced: their "before" rows are older, hence truer.
        gone = before - {a.id for a in self._outbox.pending()}
        older = [self._before.pop(i) for i in gone if i in self._before]
        if action.id in self._before:
            older.insert(0, self._before[action.id])
        self._before[action.id] = _merge_snapshots([*older, snapshot])
        self.pending_changed.emit(len(self._outbox.pending()))
        self._schedule()

    # ---------------------------------------------------------------- overlay

    def overlay_page(self, page: NotificationPage, *, since: int | None = None) -> NotificationPage:
        """``page`` as the user should see it, with the pending actions applied.

        ``since`` is the :attr:`epoch` read when the page's request started: actions
        confirmed after it may be missing from the page, so they are applied too
        (every action is idempotent on a listing). A row saved before an action and
        absent from the page corrects the unread count only when it lies outside the
        page's span; within it, its absence means the server already applied the action.
        """
        actions = self._actions_since(since)
        if not actions:
            return page
        ids = {n.id for n in page.items}
        extra = [r for r in self._rows_before(actions) if r.id not in ids and not _in_span(r, page)]
        overlaid = apply_pending([*page.items, *extra], page.unread_count, actions)
        items = tuple(n for n in overlaid.items if n.id in ids)
        return replace(page, items=items, unread_count=overlaid.unread_count)

    def overlay_event(
        self, rows: Sequence[Notification], unread_count: int, *, gone: str | None = None
    ) -> tuple[tuple[Notification, ...], int]:
        """Rows and unread count of a stream event with the pending actions applied.

        ``gone`` is the id the event reports deleted on the server.
        """
        actions = self._outbox.pending()
        if not actions:
            return tuple(rows), unread_count
        ids = {n.id for n in rows}
        extra = [r for r in self._rows_before(actions) if r.id not in ids and r.id != gone]
        overlaid = apply_pending([*rows, *extra], unread_count, actions)
        return tuple(n for n in overlaid.items if n.id in ids), overlaid.unread_count

    def bulk_settled_since(self, since: int) -> bool:
        """Whether a bulk action was confirmed after epoch ``since``.

        A page fetched meanwhile may hold rows that arrived after it was applied on the
        server; laying it over them again would hide them: refetch instead.
        """
        return any(e > since and action.is_bulk for e, action, _ in self._settled)

    def _actions_since(self, since: int | None) -> list[Action]:
        confirmed = [a for e, a, _ in self._settled if since is not None and e > since]
        return [*confirmed, *self._outbox.pending()]

    def _rows_before(self, actions: Iterable[Action]) -> list[Notification]:
        wanted = {a.id for a in actions}
        rows: dict[str, Notification] = {}
        for _, action, saved in self._settled:
            if action.id in wanted:
                rows.update((n.id, n) for n in saved)
        for action_id, snapshot in self._before.items():
            if action_id in wanted:
                rows.update((n.id, n) for n in snapshot.rows)
        return list(rows.values())

    # ------------------------------------------------------------------ sending

    def _schedule(self) -> None:
        """Send what is due now, or arm the timer for the next due action."""
        if self._client is None or self._paused or self._flushing:
            return  # a running flush re-schedules when it ends
        due_at = self._outbox.next_due_at()
        if due_at is None:
            self._timer.stop()
            return
        delay_ms = (due_at - self._clock()).total_seconds() * 1000.0
        if self._budget is not None:  # a 429 told to any poller holds the actions too
            delay_ms = max(delay_ms, self._budget.held_for(self._monotonic()) * 1000.0)
        if delay_ms > 0:
            self._timer.start(min(_MAX_TIMER_MS, max(1, round(delay_ms))))
            return
        self._timer.stop()
        self._flushing = True
        self._tasks.spawn(self._flush(self._client), name="outbox-flush")

    def _on_timer_timeout(self) -> None:
        self._schedule()

    async def _flush(self, client: ApiClient) -> None:
        """Send the due actions in order until none is due or one must wait."""
        try:
            while client is self._client and not self._paused:
                batch = self._outbox.due(self._clock())
                if not batch:
                    break
                for action in batch:
                    if not await self._send(client, action):
                        return
        finally:
            if client is self._client:
                self._flushing = False
                self.pending_changed.emit(len(self._outbox.pending()))
                self._schedule()

    async def _send(self, client: ApiClient, action: Action) -> bool:
        """Send one action; False when the rest must wait (offline, throttled, 401)."""
        if self._budget is not None:
            self._budget.charge(self._monotonic())
        try:
            await _call(client, action)
        except AuthError:
            _log.info("The server refused the token while sending %s", action.kind.value)
            self._paused = True
            self.auth_failed.emit()
            return False
        except RateLimited as exc:
            self._outbox.failed(action.id, self._clock(), retry_after=exc.retry_after)
            if self._budget is not None:
                self._budget.hold(self._monotonic(), exc.retry_after)
            return False
        except (NetworkError, ServerError) as exc:
            _log.info("Sending %s failed, will retry: %s", action.kind.value, exc.message)
            self._outbox.failed(action.id, self._clock())
            return False
        except (ProtocolError, TotpRequired, ValueError) as exc:
            self._reject(action, exc)
            return True
        except ApiError as exc:
            _log.warning("Sending %s failed, will retry: %r", action.kind.value, exc)
            self._outbox.failed(action.id, self._clock())
            return False
        except Exception:
            _log.exception("Unexpected failure while sending %s", action.kind.value)
            self._outbox.failed(action.id, self._clock())
            return False
        self._confirm(action)
        return True

    def _confirm(self, action: Action) -> None:
        self._outbox.succeeded(action.id)
        snapshot = self._before.pop(action.id, None)
        self._epoch += 1
        self._settled.append((self._epoch, action, snapshot.rows if snapshot else ()))
        if not self._outbox.pending():
            self.settled.emit()

    def _reject(self, action: Action, exc: Exception) -> None:
        """The server refused the action for good: undo it and say so."""
        _log.warning("The server refused %s: %s", action.kind.value, exc)
        self._outbox.failed(action.id, self._clock(), permanent=True)
        snapshot = self._before.pop(action.id, None)
        if snapshot is not None:
            self._store.restore(snapshot)
        self.action_failed.emit(self._failure_text(action.kind))
        self.refetch_needed.emit()

    def _failure_text(self, kind: ActionKind) -> str:
        texts = {
            ActionKind.MARK_READ: self.tr(
                "The server refused to mark the notification as read; it was restored."
            ),
            ActionKind.MARK_ALL_READ: self.tr(
                "The server refused to mark all notifications as read; they were restored."
            ),
            ActionKind.DELETE: self.tr(
                "The server refused to delete the notification; it was restored."
            ),
            ActionKind.DELETE_READ: self.tr(
                "The server refused to delete the read notifications; they were restored."
            ),
        }
        return texts[kind]


async def _call(client: ApiClient, action: Action) -> None:
    target = action.target or ""
    if action.kind is ActionKind.MARK_READ:
        await client.mark_read(target)
    elif action.kind is ActionKind.DELETE:
        await client.delete(target)
    elif action.kind is ActionKind.MARK_ALL_READ:
        await client.mark_all_read()
    else:
        await client.delete_read()


def _in_span(row: Notification, page: NotificationPage) -> bool:
    """Whether ``row`` would be on ``page`` if the server still had it unchanged."""
    if not page.items:
        return page.page == 1 and page.is_last
    key = sort_key(row)
    after_start = page.page == 1 or key >= sort_key(page.items[0])
    before_end = page.is_last or key <= sort_key(page.items[-1])
    return after_start and before_end


def _merge_snapshots(snapshots: Sequence[StoreSnapshot]) -> StoreSnapshot:
    """One snapshot holding, for each id, the row from the OLDEST snapshot that has it."""
    rows: dict[str, Notification] = {}
    ids: set[str] = set()
    for snapshot in snapshots:
        for row in snapshot.rows:
            rows.setdefault(row.id, row)
        ids |= snapshot.ids or {n.id for n in snapshot.rows}
    first = snapshots[0]
    return StoreSnapshot(tuple(rows.values()), frozenset(ids), first.unread_count, first.has_more)
