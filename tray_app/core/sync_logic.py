"""Change detection for cheap polling, and which notifications are NEW.

Polling the whole first page every few seconds would waste the server's shared request
budget, so a poll is a ``limit=1`` probe: the newest row and ``unreadCount`` (which is
always the user's total). :func:`needs_full_fetch` compares it with what the last full
fetch saw. Its blind spot: deleting or marking read an OLDER row elsewhere with nothing
else changing keeps both values (e.g. a read row deleted from the web app); hence a full
fetch at least every :data:`FULL_FETCH_MAX_AGE_S` seconds anyway.

:func:`merge_page` decides which rows deserve a toast. A row is NEW when its id was never
seen AND it is not older than the newest row already seen (minus a tolerance). The age
test matters because the server paginates by offset: after a deletion an old row that
was never loaded slides into the first page, and it is not news. At the first sync
(``state`` None) everything is taken as already seen: the app just started and has no
idea what the user knows. Read rows are never new: the user read them elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from tray_app.api.models import Notification, NotificationPage

#: Upper bound on the age of the last full fetch before polling fetches one anyway.
FULL_FETCH_MAX_AGE_S: Final = 300.0
#: How many seen ids :class:`SeenState` keeps (newest first).
MAX_SEEN_IDS: Final = 2000
#: The server stamps ``created_at`` at insert time, and a row can become visible a little
#: after a newer one (concurrent transactions): rows this much older than the newest one
#: seen can still be new.
NEW_TOLERANCE: Final = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a probe is compared with: the newest id and the total unread count."""

    newest_id: str | None
    unread_count: int


def snapshot_of(page: NotificationPage) -> Snapshot:
    """The snapshot of a first page (a probe or a full fetch)."""
    return Snapshot(page.items[0].id if page.items else None, page.unread_count)


def needs_full_fetch(
    known: Snapshot | None,
    probe: NotificationPage,
    *,
    full_fetch_age_s: float = 0.0,
    max_age_s: float = FULL_FETCH_MAX_AGE_S,
) -> bool:
    """Whether the ``limit=1`` ``probe`` shows a change that needs the first page.

    ``known`` is the snapshot of the last full fetch (None: there was none), and
    ``full_fetch_age_s`` how long ago it happened.
    """
    if known is None or full_fetch_age_s >= max_age_s:
        return True
    return snapshot_of(probe) != known


@dataclass(frozen=True, slots=True)
class SeenState:
    """The ids seen so far (newest first, bounded) and the newest ``created_at`` seen."""

    ids: tuple[str, ...] = ()
    watermark: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict, for callers that persist it across restarts."""
        mark = None if self.watermark is None else self.watermark.isoformat()
        return {"ids": list(self.ids), "watermark": mark}

    @classmethod
    def from_json(cls, data: object) -> SeenState:
        """Inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
        if not isinstance(data, dict):
            raise ValueError("seen state must be an object")
        ids, mark = data.get("ids"), data.get("watermark")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError("seen state ids must be a list of strings")
        if mark is not None and not isinstance(mark, str):
            raise ValueError("seen state watermark must be a string")
        return cls(tuple(ids), None if mark is None else datetime.fromisoformat(mark))


@dataclass(frozen=True, slots=True)
class MergeResult:
    """``new``: rows to consider for toasts, in page order; ``state``: the next state."""

    new: tuple[Notification, ...]
    state: SeenState


def merge_page(
    state: SeenState | None,
    items: Sequence[Notification],
    *,
    max_ids: int = MAX_SEEN_IDS,
    tolerance: timedelta = NEW_TOLERANCE,
) -> MergeResult:
    """Merge freshly fetched rows (any page, or one streamed row) into ``state``.

    ``state`` None means the first sync since start-up: nothing is new.
    """
    if state is None:
        new: tuple[Notification, ...] = ()
        state = SeenState()
    else:
        seen = set(state.ids)
        floor = None if state.watermark is None else state.watermark - tolerance
        new = tuple(
            row
            for row in items
            if row.id not in seen and not row.is_read and (floor is None or row.created_at >= floor)
        )
    return MergeResult(new, _advance(state, items, max_ids))


def _advance(state: SeenState, items: Sequence[Notification], max_ids: int) -> SeenState:
    """Put the page's ids first (most recently seen), keep the newest ``max_ids``."""
    fresh = list(dict.fromkeys(row.id for row in items))
    in_fresh = set(fresh)
    ids = (fresh + [i for i in state.ids if i not in in_fresh])[:max_ids]
    marks = [row.created_at for row in items]
    if state.watermark is not None:
        marks.append(state.watermark)
    return SeenState(tuple(ids), max(marks) if marks else None)
