"""The persisted outbox of user actions waiting for the server's confirmation.

Every action the user takes in the list (mark read, mark all read, delete, delete all
read) is shown at once and queued here; a service sends the :meth:`Outbox.due` actions
IN THE ORDER GIVEN and reports each outcome. An action leaves the outbox only when the
server confirmed it (:meth:`Outbox.succeeded`) or when the failure is permanent
(:meth:`Outbox.failed` with ``permanent=True``: the service then undoes the optimistic
change and tells the user). Transient failures are retried with exponential backoff and
full jitter, never earlier than a ``retry-after``. Drain one batch at a time: an action
returned by ``due`` is returned again until its outcome is reported. An action coalesced
away while its request was in flight is simply unknown when the answer comes:
``succeeded``/``failed`` then return None and there is nothing to do.

Exactly once, from the client's side: if the answer to a request is lost, the action is
sent again. That is harmless because all four server operations are idempotent (marking
a read row read, deleting a missing id, and the bulk operations all answer ``200`` and
change nothing the second time).

Order: the bulk actions depend on what came before them (``delete_read`` must run after
the user's earlier ``mark_read`` for those rows to go), so a bulk action is only due once
every earlier action is done, and nothing after it is due before it is done.

Redundant actions are coalesced: an identical pending action is reused, ``mark_read`` of
an id that is pending deletion is dropped, ``delete`` replaces a pending ``mark_read`` of
the same id, and ``mark_all_read`` replaces the ``mark_read`` actions queued after the
last pending ``delete_read``.

The file (JSON, written atomically, mode 0600) survives restarts; a corrupt file is moved
aside and logged, and the outbox starts empty.

:func:`apply_pending` overlays pending actions on a fetched listing, so a refresh never
resurrects a row whose deletion is still queued, and the badge and the list agree.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, NamedTuple

from tray_app.api.models import Notification
from tray_app.core.jsonfile import StateFileError, quarantine, read_json, write_json_atomic
from tray_app.core.schedule import BACKOFF_BASE_S, BACKOFF_CAP_S, backoff_delay

_log = logging.getLogger(__name__)

_VERSION: Final = 1


class ActionKind(StrEnum):
    MARK_READ = "mark_read"
    MARK_ALL_READ = "mark_all_read"
    DELETE = "delete"
    DELETE_READ = "delete_read"


#: Kinds that act on one notification id (``target``); the others act on all rows.
TARGETED_KINDS: Final = frozenset({ActionKind.MARK_READ, ActionKind.DELETE})


@dataclass(frozen=True, slots=True)
class Action:
    """One pending user action. ``target`` is the notification id for targeted kinds."""

    id: str
    kind: ActionKind
    target: str | None
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0

    @property
    def is_bulk(self) -> bool:
        return self.kind not in TARGETED_KINDS

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "target": self.target,
            "created_at": self.created_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, data: object) -> Action:
        """Inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
        if not isinstance(data, dict):
            raise ValueError("action must be an object")
        ident, target, attempts = data.get("id"), data.get("target"), data.get("attempts")
        if not isinstance(ident, str) or not isinstance(attempts, int) or attempts < 0:
            raise ValueError("action id/attempts invalid")
        kind = ActionKind(str(data.get("kind")))
        _check_target(kind, target)
        created, due = data.get("created_at"), data.get("next_attempt_at")
        if not isinstance(created, str) or not isinstance(due, str):
            raise ValueError("action times must be strings")
        return cls(
            ident,
            kind,
            target if isinstance(target, str) else None,
            datetime.fromisoformat(created),
            datetime.fromisoformat(due),
            attempts,
        )


def _check_target(kind: ActionKind, target: object) -> None:
    if kind in TARGETED_KINDS:
        if not isinstance(target, str) or not target:
            raise ValueError(f"{kind.value} needs a notification id")
    elif target is not None:
        raise ValueError(f"{kind.value} takes no target")


class Outbox:
    """Pending user actions, in order, optionally persisted to ``path``.

    ``rng`` drives the retry jitter and the action ids (a seeded one makes tests
    deterministic). Every change is written to the file at once; a failed write is
    logged and the outbox keeps working in memory.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        rng: random.Random | None = None,
        base_s: float = BACKOFF_BASE_S,
        cap_s: float = BACKOFF_CAP_S,
    ) -> None:
        self._path = path
        self._rng = rng if rng is not None else random.Random()
        self._base_s = base_s
        self._cap_s = cap_s
        self._actions: list[Action] = self._load(path) if path is not None else []

    def pending(self) -> list[Action]:
        """All pending actions, oldest first."""
        return list(self._actions)

    def get(self, action_id: str) -> Action | None:
        return next((a for a in self._actions if a.id == action_id), None)

    def add(self, kind: ActionKind, target: str | None = None, *, now: datetime) -> Action:
        """Queue an action due at once; returns it, or the pending action that covers it.

        Raises ``ValueError`` when ``target`` does not fit ``kind``.
        """
        _check_target(kind, target)
        covering = self._covering(kind, target)
        if covering is not None:
            return covering
        self._drop_subsumed(kind, target)
        action = Action(self._new_id(), kind, target, now, now)
        self._actions.append(action)
        self._save()
        return action

    def due(self, now: datetime) -> list[Action]:
        """Actions to send now, in order. See the module doc for the bulk barrier."""
        return [a for a in self._unblocked() if a.next_attempt_at <= now]

    def next_due_at(self) -> datetime | None:
        """When :meth:`due` will next return something (for arming a timer), or None.

        May be in the past: then actions are due now.
        """
        return min((a.next_attempt_at for a in self._unblocked()), default=None)

    def _unblocked(self) -> list[Action]:
        """The actions not waiting behind a bulk action (or a bulk one that is first)."""
        for index, action in enumerate(self._actions):
            if action.is_bulk:
                return self._actions[: index + 1] if index == 0 else self._actions[:index]
        return list(self._actions)

    def succeeded(self, action_id: str) -> Action | None:
        """The server confirmed: remove the action. Returns it (None if unknown)."""
        action = self.get(action_id)
        if action is not None:
            self._actions.remove(action)
            self._save()
        return action

    def failed(
        self,
        action_id: str,
        now: datetime,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> Action | None:
        """Record a failed attempt; returns the rescheduled action, or None if dropped.

        ``permanent`` drops it (the caller undoes the optimistic change and says so).
        """
        action = self.get(action_id)
        if action is None:
            return None
        index = self._actions.index(action)
        if permanent:
            del self._actions[index]
            self._save()
            _log.warning("Dropping %s after a permanent failure", action.kind.value)
            return None
        attempts = action.attempts + 1
        delay = backoff_delay(
            attempts, self._rng, retry_after=retry_after, base_s=self._base_s, cap_s=self._cap_s
        )
        updated = replace(action, attempts=attempts, next_attempt_at=now + timedelta(seconds=delay))
        self._actions[index] = updated
        self._save()
        return updated

    def retry_all_now(self, now: datetime) -> None:
        """Make every action due at ``now`` (network back, wake, re-login)."""
        self._actions = [
            replace(a, next_attempt_at=min(a.next_attempt_at, now)) for a in self._actions
        ]
        self._save()

    def _covering(self, kind: ActionKind, target: str | None) -> Action | None:
        """A pending action that already achieves what ``kind``/``target`` would."""
        if kind in TARGETED_KINDS:
            for action in self._actions:
                if action.target == target and (
                    action.kind == kind or action.kind is ActionKind.DELETE
                ):
                    return action
            return None
        # A bulk action is only redundant when nothing was queued after the same one.
        last = self._actions[-1] if self._actions else None
        return last if last is not None and last.kind == kind else None

    def _drop_subsumed(self, kind: ActionKind, target: str | None) -> None:
        if kind is ActionKind.DELETE:
            self._actions = [
                a
                for a in self._actions
                if not (a.kind is ActionKind.MARK_READ and a.target == target)
            ]
        elif kind is ActionKind.MARK_ALL_READ:
            barrier = max(
                (i for i, a in enumerate(self._actions) if a.kind is ActionKind.DELETE_READ),
                default=-1,
            )
            self._actions = [
                a
                for i, a in enumerate(self._actions)
                if i <= barrier or a.kind is not ActionKind.MARK_READ
            ]

    def _new_id(self) -> str:
        taken = {a.id for a in self._actions}
        while True:
            ident = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            if ident not in taken:
                return ident

    def _save(self) -> None:
        if self._path is None:
            return
        data = {"version": _VERSION, "actions": [a.to_json() for a in self._actions]}
        try:
            write_json_atomic(self._path, data)
        except OSError:
            _log.exception("Cannot write the outbox %s", self._path)

    @staticmethod
    def _load(path: Path) -> list[Action]:
        try:
            data = read_json(path)
            if data is None:
                return []
            if not isinstance(data, dict) or data.get("version") != _VERSION:
                raise ValueError("unknown outbox format")
            raw = data.get("actions")
            if not isinstance(raw, list):
                raise ValueError("outbox actions must be a list")
            return [Action.from_json(item) for item in raw]
        except (StateFileError, ValueError) as exc:
            quarantine(path, str(exc))
            return []


class Overlaid(NamedTuple):
    """A listing with pending actions applied."""

    items: tuple[Notification, ...]
    unread_count: int


def apply_pending(
    items: Sequence[Notification], unread_count: int, actions: Iterable[Action]
) -> Overlaid:
    """What the user should see: the fetched ``items``/``unread_count`` with ``actions``.

    Pure. Pass every loaded row (all pages), so that an action on a row of page 3 still
    corrects the total. Actions apply in order; a row already changed on the server (the
    answer was lost) is not counted twice, because only rows still unread here change
    the count.
    """
    rows = list(items)
    count = unread_count
    for action in actions:
        if action.kind is ActionKind.MARK_ALL_READ:
            rows = [r if r.is_read else replace(r, is_read=True) for r in rows]
            count = 0
        elif action.kind is ActionKind.DELETE_READ:
            rows = [r for r in rows if not r.is_read]
        else:
            rows, count = _apply_targeted(rows, count, action)
    return Overlaid(tuple(rows), max(count, 0))


def _apply_targeted(
    rows: list[Notification], count: int, action: Action
) -> tuple[list[Notification], int]:
    result: list[Notification] = []
    for row in rows:
        if row.id != action.target:
            result.append(row)
            continue
        if not row.is_read:
            count -= 1
        if action.kind is ActionKind.MARK_READ:
            result.append(replace(row, is_read=True))
    return result, count
