"""What the client learned about the server's variant of the API.

Two variants exist: the deployed server ("observed") marks everything read with
``PATCH /api/notifications/read-all`` → ``{"ok": true}`` and answers 404 to ``POST``;
the product's documentation ("documented") says ``POST`` → ``{"updated": N}``. The client
tries one method, falls back to the other on 404/405 and remembers the one that worked,
so that later calls cost one request. Share one :class:`ServerCompat` between clients of
the same server to keep what was learned across re-logins.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

logger = logging.getLogger(__name__)

Method = Literal["PATCH", "POST"]

#: The deployed server speaks PATCH, so it is tried first.
_DEFAULT_ORDER: Final[tuple[Method, Method]] = ("PATCH", "POST")

#: Statuses that mean "this server has no such route/method": try the other variant.
FALLBACK_STATUSES: Final[frozenset[int]] = frozenset({404, 405})


class ServerCompat:
    """Remembers which variant of the mark-all-read route the server speaks."""

    def __init__(self) -> None:
        self._mark_all_read: Method | None = None

    def __repr__(self) -> str:
        return f"ServerCompat(mark_all_read={self._mark_all_read!r})"

    @property
    def mark_all_read_method(self) -> Method | None:
        """The method known to work, or None before the first success."""
        return self._mark_all_read

    def mark_all_read_order(self) -> tuple[Method, Method]:
        """Methods to try, the one known to work first."""
        if self._mark_all_read == "POST":
            return ("POST", "PATCH")
        return _DEFAULT_ORDER

    def remember_mark_all_read(self, method: Method) -> None:
        """Record that ``method`` worked (logged when it changes)."""
        if method != self._mark_all_read:
            logger.info("Server marks all notifications read with %s", method)
            self._mark_all_read = method

    def forget(self) -> None:
        """Forget everything, e.g. when the server URL changes."""
        self._mark_all_read = None
