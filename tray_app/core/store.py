"""The one in-memory copy of the user's notifications.

The tray badge, the list window and the toast policy all read from a single
:class:`NotificationStore`. It keeps the loaded notifications newest first (``created_at``
descending, ``id`` ascending as the tie-break), never holds the same id twice, and keeps
the server's total ``unreadCount`` (which counts rows that were never loaded).

The server paginates by offset with no cursor, so a page fetched after rows were added or
deleted overlaps or skips neighbouring pages: every page is merged by id. The first page
is authoritative for its time span: a loaded row newer than the page's oldest item that
the page lacks was deleted on the server (or, in an "unread only" listing, read).

Listeners get precise change events (the shape of Qt's begin/end insert/remove/reset), so
an item model can forward them without ever resetting for a single-row change. Each
mutator emits ``about_to_*`` before touching the rows and the matching ``inserted()`` /
``removed()`` / ``reset()`` after; indices are those of the rows at the time of the event.

A store holds one listing at a time: call :meth:`NotificationStore.clear` before loading
another one (e.g. when the user toggles the server-side "unread only" filter).
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tray_app.api.models import Notification, NotificationPage

_log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

#: Above this many separate change runs a bulk operation resets listeners instead:
#: one reset is cheaper for a view than hundreds of insert/remove notifications.
RESET_THRESHOLD = 64

_SortKey = tuple[int, str]


def sort_key(notification: Notification) -> _SortKey:
    """The ordering key: ascending keys are newest first, ties broken by id.

    Whole microseconds since the epoch (negated) instead of a float timestamp, so that
    two rows of the same millisecond compare equal and fall back to the id. A naive
    ``created_at`` is taken as UTC.
    """
    created = notification.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (-((created - _EPOCH) // _MICROSECOND), notification.id)


class StoreListener(Protocol):
    """Receives the store's changes; subclass it to inherit no-op defaults.

    Indices refer to the rows as they are at the time of the call. ``about_to_insert``
    announces rows that will occupy ``first..last`` (inclusive) and ``inserted`` follows
    once they are in place; likewise ``about_to_remove``/``removed`` and
    ``about_to_reset``/``reset`` (every row may have changed). ``changed`` reports rows
    replaced in place (e.g. marked read), ``unread_changed`` the new server-wide count,
    ``page_applied`` the end of a page merge and whether older pages remain.

    The bodies say ``return None`` so that type checkers do not take them for abstract.
    """

    def about_to_insert(self, first: int, last: int) -> None:
        return None

    def inserted(self) -> None:
        return None

    def about_to_remove(self, first: int, last: int) -> None:
        return None

    def removed(self) -> None:
        return None

    def changed(self, first: int, last: int) -> None:
        return None

    def about_to_reset(self) -> None:
        return None

    def reset(self) -> None:
        return None

    def unread_changed(self, count: int) -> None:
        return None

    def page_applied(self, has_more: bool) -> None:
        return None


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """A saved state of some rows (or of the whole store), to undo a rejected action.

    ``ids`` is None for a snapshot of the whole store; otherwise it names the rows
    saved (an id absent from ``rows`` was not loaded when the snapshot was taken).
    """

    rows: tuple[Notification, ...]
    ids: frozenset[str] | None
    unread_count: int
    has_more: bool


class NotificationStore:
    """Loaded notifications, newest first, unique by id, plus the server's unread count.

    Lookups by id and single-row changes cost O(log n) comparisons (a sorted key list and
    an id map are kept in step with the rows), so 10,000 rows stay cheap.
    """

    def __init__(self) -> None:
        self._rows: list[Notification] = []
        self._keys: list[_SortKey] = []
        self._by_id: dict[str, Notification] = {}
        self._unread_count = 0
        self._has_more = False
        self._listeners: list[StoreListener] = []

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Notification]:
        return iter(tuple(self._rows))

    def __contains__(self, notification_id: object) -> bool:
        return notification_id in self._by_id

    def row(self, index: int) -> Notification:
        """The notification at ``index`` (0 is the newest)."""
        return self._rows[index]

    def rows(self) -> tuple[Notification, ...]:
        """A copy of all loaded rows, newest first (O(n))."""
        return tuple(self._rows)

    def get(self, notification_id: str) -> Notification | None:
        """The loaded notification with this id, or None."""
        return self._by_id.get(notification_id)

    def index_of(self, notification_id: str) -> int | None:
        """The row of the notification with this id, or None when it is not loaded."""
        notification = self._by_id.get(notification_id)
        if notification is None:
            return None
        return bisect.bisect_left(self._keys, sort_key(notification))

    @property
    def unread_count(self) -> int:
        """The server's total unread count, adjusted by local optimistic actions."""
        return self._unread_count

    @property
    def has_more(self) -> bool:
        """Whether the server has older rows than the loaded ones."""
        return self._has_more

    def next_page(self, limit: int) -> int:
        """The page number (1-based) to fetch with ``limit`` to extend the loaded rows.

        Chosen so that the page starts at or before the offset of the first row not yet
        loaded: overlapping rows are merged by id, whereas a gap would lose rows.
        """
        if limit <= 0:
            raise ValueError("limit must be positive")
        return len(self._rows) // limit + 1

    # --------------------------------------------------------------- listeners

    def add_listener(self, listener: StoreListener) -> None:
        """Start sending change events to ``listener``."""
        self._listeners.append(listener)

    def remove_listener(self, listener: StoreListener) -> None:
        """Stop sending change events to ``listener`` (no error if unknown)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    # ----------------------------------------------------------------- merging

    def apply_first_page(self, page: NotificationPage) -> list[Notification]:
        """Merge the newest page; returns the notifications that were not loaded before.

        Loaded rows strictly newer than the page's oldest item and missing from the page
        are removed (deleted on the server); older loaded rows are kept. A last page
        (shorter than its limit) holds everything, so every missing row is removed.
        """
        items = _unique_sorted(page.items)
        fresh = [n for n in items if n.id not in self._by_id]
        self._drop_moved(items)
        if page.is_last:
            self._transform_prefix(len(self._rows), items)
            self._has_more = False
        elif items and self._keys and sort_key(items[-1]) < self._keys[0]:
            # The whole page is newer than anything loaded: more rows may have arrived
            # than one page holds, leaving an unknown gap. Start over from this page.
            self._transform_prefix(len(self._rows), items)
            self._has_more = True
        elif items:
            self._merge_head(items)
        self._finish_page(page.unread_count)
        return fresh

    def apply_next_page(self, page: NotificationPage) -> list[Notification]:
        """Merge an older page (deduplicated by id); returns the newly loaded rows."""
        items = _unique_sorted(page.items)
        fresh = [n for n in items if n.id not in self._by_id]
        self._drop_moved(items)
        self._replace_existing(n for n in items if n.id in self._by_id)
        self._insert_many(fresh)
        self._has_more = not page.is_last
        self._finish_page(page.unread_count)
        return fresh

    def _merge_head(self, items: list[Notification]) -> None:
        """Make the rows down to the oldest page item's timestamp equal to ``items``.

        Loaded rows sharing that oldest timestamp but absent from the page are kept: the
        server's order among equal timestamps is unknown, so they may be on page 2.
        """
        boundary = sort_key(items[-1])[0]
        start = bisect.bisect_left(self._keys, (boundary, ""))
        end = bisect.bisect_left(self._keys, (boundary + 1, ""))
        page_ids = {n.id for n in items}
        tied = [n for n in self._rows[start:end] if n.id not in page_ids]
        was_single_page = len(self._rows) <= len(items)
        self._transform_prefix(end, sorted([*items, *tied], key=sort_key))
        if was_single_page:
            self._has_more = True

    def _finish_page(self, unread_count: int) -> None:
        self.set_unread_count(unread_count)
        for listener in self._emit():
            listener.page_applied(self._has_more)

    # -------------------------------------------------------- single-row edits

    def upsert(self, notification: Notification) -> bool:
        """Insert or replace one notification (e.g. from the stream); True if new.

        The unread count is left alone: the server sends its own count along.
        """
        self._drop_moved([notification])
        if notification.id in self._by_id:
            self._replace_existing([notification])
            return False
        self._insert_many([notification])
        return True

    def remove(self, notification_id: str) -> Notification | None:
        """Remove one notification; an unread one lowers the unread count.

        Returns the removed notification, or None when it was not loaded.
        """
        index = self.index_of(notification_id)
        if index is None:
            return None
        removed = self._rows[index]
        self._remove_range(index, index)
        if not removed.is_read:
            self.set_unread_count(self._unread_count - 1)
        return removed

    def mark_read(self, notification_id: str) -> bool:
        """Mark one loaded notification read; True if it was unread."""
        current = self._by_id.get(notification_id)
        if current is None or current.is_read:
            return False
        self._replace_existing([dataclasses.replace(current, is_read=True)])
        self.set_unread_count(self._unread_count - 1)
        return True

    def mark_all_read(self) -> None:
        """Mark every loaded row read and the server-wide count zero."""
        unread = [i for i, n in enumerate(self._rows) if not n.is_read]
        if unread:
            first, last = unread[0], unread[-1]
            for i in unread:
                self._set_row(i, dataclasses.replace(self._rows[i], is_read=True))
            for listener in self._emit():
                listener.changed(first, last)
        self.set_unread_count(0)

    def remove_read(self) -> list[Notification]:
        """Remove every loaded read row (the unread count stays); returns them."""
        read = [n for n in self._rows if n.is_read]
        self._transform_prefix(len(self._rows), [n for n in self._rows if not n.is_read])
        return read

    def set_unread_count(self, count: int) -> None:
        """Set the server-wide unread count (never below zero)."""
        count = max(0, count)
        if count != self._unread_count:
            self._unread_count = count
            for listener in self._emit():
                listener.unread_changed(count)

    def clear(self) -> None:
        """Forget every row (logout, or before loading another listing)."""
        self._transform_prefix(len(self._rows), [])
        self._has_more = False
        self.set_unread_count(0)

    # -------------------------------------------------------------------- undo

    def snapshot(self, ids: Iterable[str] | None = None) -> StoreSnapshot:
        """Save the rows named by ``ids`` (all rows when None) before an optimistic edit."""
        if ids is None:
            return StoreSnapshot(tuple(self._rows), None, self._unread_count, self._has_more)
        wanted = frozenset(ids)
        rows = tuple(self._by_id[i] for i in wanted if i in self._by_id)
        return StoreSnapshot(rows, wanted, self._unread_count, self._has_more)

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Put back the rows saved in ``snapshot`` after the server rejected an action.

        A whole-store snapshot restores rows, unread count and ``has_more`` exactly. A
        partial one restores only its rows and shifts the unread count by the difference
        in unread rows, so changes made meanwhile to other rows survive.
        """
        if snapshot.ids is None:
            self._transform_prefix(len(self._rows), _unique_sorted(snapshot.rows))
            self._has_more = snapshot.has_more
            self.set_unread_count(snapshot.unread_count)
            return
        saved = {n.id: n for n in snapshot.rows}
        delta = 0
        for notification_id in snapshot.ids:
            current, before = self._by_id.get(notification_id), saved.get(notification_id)
            if before is None:
                continue  # not loaded when saved: nothing to put back
            delta += _unread(before) - _unread(current)
            self.upsert(before)
        self.set_unread_count(self._unread_count + delta)

    # ------------------------------------------------------- row bookkeeping

    def _emit(self) -> tuple[StoreListener, ...]:
        # A copy, so that a listener may unsubscribe while being notified.
        return tuple(self._listeners)

    def _set_row(self, index: int, notification: Notification) -> None:
        self._rows[index] = notification
        self._by_id[notification.id] = notification

    def _drop_moved(self, items: Sequence[Notification]) -> None:
        """Remove loaded rows whose ``created_at`` differs from the incoming version."""
        for notification in items:
            current = self._by_id.get(notification.id)
            if current is not None and sort_key(current) != sort_key(notification):
                index = self.index_of(notification.id)
                if index is not None:
                    self._remove_range(index, index)

    def _replace_existing(self, items: Iterable[Notification]) -> None:
        """Replace loaded rows by their new versions, one ``changed`` per run of rows."""
        indices: list[int] = []
        for notification in items:
            index = self.index_of(notification.id)
            if index is not None and self._rows[index] != notification:
                self._set_row(index, notification)
                indices.append(index)
        for first, last in _runs(sorted(indices)):
            for listener in self._emit():
                listener.changed(first, last)

    def _insert_many(self, items: Sequence[Notification]) -> None:
        """Insert rows not yet loaded, grouped into contiguous runs (last run first)."""
        if not items:
            return
        ordered = sorted(items, key=sort_key)
        groups: dict[int, list[Notification]] = {}
        for notification in ordered:
            position = bisect.bisect_left(self._keys, sort_key(notification))
            groups.setdefault(position, []).append(notification)
        # Inserting from the bottom keeps the positions of the upper groups valid.
        for position in sorted(groups, reverse=True):
            self._insert_run(position, groups[position])

    def _insert_run(self, position: int, run: list[Notification]) -> None:
        last = position + len(run) - 1
        for listener in self._emit():
            listener.about_to_insert(position, last)
        self._rows[position:position] = run
        self._keys[position:position] = [sort_key(n) for n in run]
        self._by_id.update((n.id, n) for n in run)
        for listener in self._emit():
            listener.inserted()

    def _remove_range(self, first: int, last: int) -> None:
        for listener in self._emit():
            listener.about_to_remove(first, last)
        doomed = self._rows[first : last + 1]
        del self._rows[first : last + 1]
        del self._keys[first : last + 1]
        for notification in doomed:
            if self._by_id.get(notification.id) is notification:
                del self._by_id[notification.id]
        for listener in self._emit():
            listener.removed()

    def _transform_prefix(self, end: int, target: list[Notification]) -> None:
        """Turn rows ``[0, end)`` into ``target`` (sorted, unique) with minimal events."""
        plan = _plan(self._keys[:end], [sort_key(n) for n in target])
        if len(plan) > RESET_THRESHOLD:
            self._reset_prefix(end, target)
            return
        for op, first, last, start in plan:
            if op == "remove":
                self._remove_range(first, last)
            else:
                self._insert_run(first, target[start : start + last - first + 1])
        self._replace_existing(target)

    def _reset_prefix(self, end: int, target: list[Notification]) -> None:
        for listener in self._emit():
            listener.about_to_reset()
        self._rows[:end] = target
        self._keys[:end] = [sort_key(n) for n in target]
        self._by_id = {n.id: n for n in self._rows}
        for listener in self._emit():
            listener.reset()


_PlanStep = tuple[str, int, int, int]


def _plan(current: list[_SortKey], target: list[_SortKey]) -> list[_PlanStep]:
    """The remove/insert runs that turn ``current`` into ``target`` (both sorted).

    Each step is ``(op, first, last, target_start)`` with row indices valid at the time
    the step is applied, in order.
    """
    steps: list[_PlanStep] = []
    # c: next row of `current`; j: next row of `target`; i: where the list being
    # transformed has reached (rows before i already equal target[:j]).
    i = j = c = 0
    while c < len(current) or j < len(target):
        if j == len(target) or (c < len(current) and current[c] < target[j]):
            start = c
            while c < len(current) and (j == len(target) or current[c] < target[j]):
                c += 1
            steps.append(("remove", i, i + c - start - 1, -1))
        elif c == len(current) or target[j] < current[c]:
            start = j
            while j < len(target) and (c == len(current) or target[j] < current[c]):
                j += 1
            steps.append(("insert", i, i + j - start - 1, start))
            i += j - start
        else:
            c += 1
            j += 1
            i += 1
    return steps


def _runs(indices: list[int]) -> Iterator[tuple[int, int]]:
    """Contiguous ``(first, last)`` runs of sorted integers."""
    start = previous = -2
    for index in indices:
        if index != previous + 1:
            if start >= 0:
                yield start, previous
            start = index
        previous = index
    if start >= 0:
        yield start, previous


def _unique_sorted(items: Iterable[Notification]) -> list[Notification]:
    """Items sorted newest first, the last occurrence of an id winning."""
    return sorted({n.id: n for n in items}.values(), key=sort_key)


def _unread(notification: Notification | None) -> int:
    return 1 if notification is not None and not notification.is_read else 0
