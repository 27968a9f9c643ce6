"""Frozen dataclasses for what the server returns.

Parsing lives in :mod:`tray_app.api.parsing`; these classes only hold checked values.
Unknown notification types are kept as they are (``KNOWN_TYPES`` lists the six the
server documents) so the UI can show them with a generic icon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

#: The six notification categories, in the order the server documents them.
KNOWN_TYPES: Final[tuple[str, ...]] = (
    "weekly_report",
    "job_completed",
    "job_failed",
    "rule_executed",
    "quota_warning",
    "integrity_alert",
)

#: The documented defaults of the 12 preference keys (in-app key, then ``<key>_toast``).
DEFAULT_PREFERENCES: Final[dict[str, bool]] = {
    "weekly_report": True,
    "job_completed": True,
    "job_failed": True,
    "rule_executed": False,
    "quota_warning": True,
    "integrity_alert": True,
    "weekly_report_toast": False,
    "job_completed_toast": True,
    "job_failed_toast": True,
    "rule_executed_toast": False,
    "quota_warning_toast": False,
    "integrity_alert_toast": False,
}

PREFERENCE_KEYS: Final[frozenset[str]] = frozenset(DEFAULT_PREFERENCES)

#: Job statuses after which a job never changes again.
FINISHED_JOB_STATUSES: Final[frozenset[str]] = frozenset({"completed", "failed", "cancelled"})


def toast_key(notification_type: str) -> str:
    """The preference key that decides toasts for ``notification_type``."""
    return f"{notification_type}_toast"


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    type: str
    title: str
    body: str | None
    data: dict[str, Any] | None = field(hash=False, compare=True)
    is_read: bool
    created_at: datetime
    user_id: str | None = None

    @property
    def job_id(self) -> str | None:
        """``data.jobId`` (the job's queue-style ``bullmq_id``), if any."""
        value = (self.data or {}).get("jobId")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: tuple[Notification, ...]
    unread_count: int
    page: int
    limit: int
    #: True when the page was shorter than ``limit``: there is nothing after it.
    is_last: bool


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    role: str
    totp_enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful login or refresh returns. ``repr`` hides the token."""

    token: str = field(repr=False)
    user: User
    #: Expiry read from the JWT payload (aware, UTC); None when it has no ``exp``.
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Me:
    user: User
    storage_used_bytes: int | None
    gmail_accounts: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class AuthConfig:
    allow_registration: bool
    google_sso_enabled: bool
    social_providers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Health:
    status: str
    version: str | None
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    bullmq_id: str | None
    type: str
    status: str
    progress: int | None
    total: int | None
    processed: int | None
    error: str | None
    created_at: datetime | None
    completed_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_JOB_STATUSES


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One message of ``/api/jobs/:id/events``.

    ``kind`` is ``"row"`` for the first message (the whole job, in ``job``),
    ``"progress"``, ``"completed"`` or ``"failed"`` for updates.
    """

    kind: str
    status: str | None
    progress: int | None = None
    processed: int | None = None
    total: int | None = None
    error: str | None = None
    bullmq_id: str | None = None
    job: Job | None = None


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One message of our proposed ``/api/notifications/stream``.

    ``kind`` is ``"hello"`` (first message after connecting), ``"created"``,
    ``"updated"``, ``"deleted"`` or ``"sync"`` (refetch: bulk change, or a message this
    client could not read); ``notification`` is set for created/updated,
    ``notification_id`` for created/updated/deleted.
    """

    kind: str
    unread_count: int | None
    notification: Notification | None = None
    notification_id: str | None = None
