"""The persisted memory of what was already toasted, so nothing pops up twice.

Keys are opaque strings chosen by the toast policy (``"n:<notification id>"``,
``"job:<job id>:failed"``...), each with the time it was recorded. The log is bounded:
only the newest ``max_keys`` entries are kept, which is far more than the server ever
shows on its first pages. It lives in a JSON file in the user's state directory, written
atomically with mode 0600; a corrupt file is moved aside and logged, and the log starts
empty (at worst a few old notifications toast again, and the first sync after start-up
treats everything as seen anyway).

File format::

    {"version": 1, "entries": [["n:6f1c...", "2026-03-30T08:00:00+00:00"], ...]}

oldest first.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from tray_app.core.jsonfile import StateFileError, quarantine, read_json, write_json_atomic

_log = logging.getLogger(__name__)

DEFAULT_MAX_KEYS: Final = 2000
_VERSION: Final = 1


class ToastedLog:
    """An ordered, bounded set of keys with timestamps, optionally backed by a file.

    ``path`` None keeps it in memory only (tests, or a read-only state directory).
    Changes are written by :meth:`save`; the toast policy saves after each decision.
    """

    def __init__(self, path: Path | None = None, *, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be positive")
        self._path = path
        self._max_keys = max_keys
        self._entries: OrderedDict[str, datetime] = OrderedDict()
        self._dirty = False
        if path is not None:
            self._load(path)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        """Keys, oldest first."""
        return iter(self._entries)

    def recorded_at(self, key: str) -> datetime | None:
        return self._entries.get(key)

    def add(self, key: str, at: datetime) -> None:
        """Record ``key`` at ``at`` (moving it to the newest end if it was known)."""
        self._entries[key] = at
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)
        self._dirty = True

    def save(self) -> None:
        """Write the log if it changed. A failed write is logged, never raised."""
        if self._path is None or not self._dirty:
            return
        entries = [[key, at.isoformat()] for key, at in self._entries.items()]
        try:
            write_json_atomic(self._path, {"version": _VERSION, "entries": entries})
        except OSError:
            _log.exception("Cannot write the toasted log %s", self._path)
            return
        self._dirty = False

    def _load(self, path: Path) -> None:
        try:
            data = read_json(path)
            if data is None:
                return
            entries = _parse(data)
        except (StateFileError, ValueError) as exc:
            quarantine(path, str(exc))
            return
        for key, at in entries[-self._max_keys :]:
            self._entries[key] = at


def _parse(data: object) -> list[tuple[str, datetime]]:
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        raise ValueError("unknown toasted log format")
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise ValueError("toasted log entries must be a list")
    entries: list[tuple[str, datetime]] = []
    for item in raw:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ):
            raise ValueError("toasted log entry must be [key, time]")
        entries.append((item[0], datetime.fromisoformat(item[1])))
    return entries
