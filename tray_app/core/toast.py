"""What a desktop toast says, independent of the backend that shows it.

A :class:`Toast` is plain data: the toast policy builds them, the notifier service shows
them. Title and body are PLAIN TEXT (server text included); backends that speak markup
escape it themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["ACTION_MARK_READ", "ACTION_OPEN", "Toast", "ToastUrgency"]

ToastUrgency = Literal["low", "normal", "critical"]

ACTION_OPEN = "open"
"""Action key reported when the user clicks the toast itself."""

ACTION_MARK_READ = "mark_read"
"""Action key of the usual "Mark as read" button."""


@dataclass(frozen=True)
class Toast:
    """One desktop toast.

    ``notification_id`` is the server notification it stands for (None for a summary
    of several); it comes back with the user's clicks. ``buttons`` are
    ``(action_key, label)`` pairs, labels already translated. ``category`` is a
    free-form tag such as ``"job_completed"`` or ``"summary"``.
    """

    title: str
    body: str = ""
    urgency: ToastUrgency = "normal"
    icon_path: Path | None = None
    category: str | None = None
    notification_id: str | None = None
    buttons: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.urgency not in ("low", "normal", "critical"):
            raise ValueError(f"unknown urgency {self.urgency!r}")
        keys = [key for key, _label in self.buttons]
        if ACTION_OPEN in keys or len(set(keys)) != len(keys):
            raise ValueError("button keys must be unique and must not be 'open'")
