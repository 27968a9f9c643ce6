"""Turn the server's JSON into the frozen dataclasses of :mod:`tray_app.api.models`.

Rules, chosen so that a newer or slightly different server keeps working:

- unknown fields are ignored; unknown notification types are kept as they are;
- a wrong top-level shape raises :class:`ProtocolError`;
- in a list (a page of notifications, the jobs), one malformed item is logged and
  skipped instead of failing the whole list;
- optional fields of a wrong type read as None;
- every function here raises nothing but :class:`ProtocolError`, whatever the JSON.

Error messages name fields, never values: values come from the network.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from tray_app.api.errors import ProtocolError
from tray_app.api.models import (
    DEFAULT_PREFERENCES,
    AuthConfig,
    Health,
    Job,
    JobEvent,
    Me,
    Notification,
    NotificationPage,
    StreamEvent,
    User,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

_UUID_RE: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
#: A count above this is a server bug; it is clamped so the badge stays sane.
MAX_COUNT: Final = 1_000_000
#: The job-stream update kinds the server documents (others are passed through).
JOB_UPDATE_KINDS: Final = frozenset({"progress", "completed", "failed"})
STREAM_KINDS: Final = frozenset({"hello", "created", "updated", "deleted", "sync"})
_MAX_KIND_LEN: Final = 64
# Fields of account objects that must not travel further than the parser (reprs, logs).
_SECRET_FIELD_RE: Final = re.compile(r"token|secret|password", re.IGNORECASE)


# --- ids and scalars -------------------------------------------------------------------


def is_uuid(value: object) -> bool:
    """True for a canonical 8-4-4-4-12 hexadecimal UUID string."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


def check_uuid(value: object, what: str = "id") -> str:
    """``value`` if it is a UUID, else ValueError: the server answers 500 to other ids."""
    if not is_uuid(value):
        raise ValueError(f"{what} must be a UUID")
    assert isinstance(value, str)
    return value


def parse_datetime(value: object, what: str = "date") -> datetime:
    """An ISO 8601 text (``Z``, offsets, milliseconds) as an aware UTC datetime.

    A text without an offset is read as UTC, which is what the server means.
    """
    if not isinstance(value, str):
        raise ProtocolError(f"{what} is not a date text")
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ProtocolError(f"{what} is not an ISO 8601 date") from exc


def parse_count(value: object, what: str = "unreadCount") -> int:
    """A count as a non-negative int; negative or absurd values are clamped and logged."""
    number = _as_int(value)
    if number is None:
        raise ProtocolError(f"{what} is not a number")
    if not 0 <= number <= MAX_COUNT:
        logger.warning("Server sent an out-of-range %s; clamped", what)
        return min(max(number, 0), MAX_COUNT)
    return number


def error_text(body: object) -> str | None:
    """The server's error text (``error``, else Fastify's ``message``), one printable line.

    Not shortened here: callers redact secrets first, then shorten (a cut secret would
    no longer be recognised).
    """
    if not isinstance(body, dict):
        return None
    for key in ("error", "message"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return "".join(ch if ch.isprintable() else " " for ch in value.strip())
    return None


def parse_ok(body: object) -> None:
    """Accept the write acknowledgements of both variants.

    ``{"ok": true}`` (observed), ``{"success": true}`` (documented mark-read),
    ``{"updated": N}`` (documented mark-all-read); ``None`` stands for an empty 204.
    """
    if body is None:
        return
    if isinstance(body, dict):
        if body.get("ok") is True or body.get("success") is True:
            return
        if _as_int(body.get("updated")) is not None:
            return
    raise ProtocolError("unexpected acknowledgement from the server")


# --- notifications ---------------------------------------------------------------------


def parse_notification(item: object) -> Notification:
    """One row of the notification list (or of a stream message)."""
    obj = _object(item, "notification")
    notification_id = obj.get("id")
    if not is_uuid(notification_id):
        raise ProtocolError("notification id is not a UUID")
    assert isinstance(notification_id, str)
    data = obj.get("data")
    if data is not None and not isinstance(data, dict):
        logger.debug("Notification data is not an object; ignored")
        data = None
    return Notification(
        id=notification_id,
        type=_req_str(obj, "type", "notification"),
        title=_req_str(obj, "title", "notification"),
        body=_opt_str(obj, "body"),
        data=data,
        is_read=_req_bool(obj, "is_read", "notification"),
        created_at=parse_datetime(obj.get("created_at"), "notification created_at"),
        user_id=_opt_str(obj, "user_id"),
    )


def parse_notification_page(body: object, *, page: int, limit: int) -> NotificationPage:
    """A page of ``GET /api/notifications`` asked with ``page`` and ``limit``.

    The server caps ``limit`` at 100 and says so in its answer: a page is the last one
    when it holds fewer rows than the smaller of the asked and the answered limit. Rows
    are counted before malformed ones are skipped, so a bad row never ends paging.
    """
    obj = _object(body, "notification page")
    raw = obj.get("notifications")
    if not isinstance(raw, list):
        raise ProtocolError("notification page has no notifications list")
    unread = parse_count(obj.get("unreadCount"))
    server_limit = _as_int(obj.get("limit"))
    effective = min(limit, server_limit) if server_limit is not None and server_limit > 0 else limit
    server_page = _as_int(obj.get("page"))
    items: dict[str, Notification] = {}
    for notification in _parse_items(raw, parse_notification, "notification"):
        items.setdefault(notification.id, notification)
    return NotificationPage(
        items=tuple(items.values()),
        unread_count=unread,
        page=server_page if server_page is not None and server_page >= 1 else page,
        limit=effective,
        is_last=len(raw) < effective,
    )


def parse_preferences(body: object) -> dict[str, bool]:
    """All 12 preference keys: the server's booleans, defaults for missing or odd values."""
    obj = _object(body, "preferences")
    result = dict(DEFAULT_PREFERENCES)
    for key in result:
        value = obj.get(key)
        if isinstance(value, bool):
            result[key] = value
        elif value is not None:
            logger.warning("Preference %s is not a boolean; default used", key)
    return result


def parse_stream_event(kind: str, data: object) -> StreamEvent | None:
    """One message of the notification stream; None for a kind this client ignores."""
    if kind not in STREAM_KINDS:
        return None
    obj = _object(data, f"{kind} message")
    unread = parse_count(obj["unreadCount"]) if obj.get("unreadCount") is not None else None
    if kind in ("hello", "sync"):
        return StreamEvent(kind=kind, unread_count=unread)
    if kind == "deleted":
        return StreamEvent(kind=kind, unread_count=unread, notification_id=_uuid_field(obj))
    notification = parse_notification(obj.get("notification"))
    return StreamEvent(
        kind=kind,
        unread_count=unread,
        notification=notification,
        notification_id=notification.id,
    )


# --- auth ------------------------------------------------------------------------------


def parse_user(item: object) -> User:
    """A ``user`` object of login, refresh or me."""
    obj = _object(item, "user")
    totp = obj.get("totp_enabled")
    return User(
        id=_req_str(obj, "id", "user"),
        email=_req_str(obj, "email", "user"),
        role=_opt_str(obj, "role") or "user",
        totp_enabled=totp if isinstance(totp, bool) else None,
    )


def parse_session_user(body: object) -> User:
    """The ``user`` of a login or refresh answer (``{"user": {...}}``)."""
    return parse_user(_object(body, "login answer").get("user"))


def parse_me(body: object) -> Me:
    """``GET /api/auth/me``; account objects lose any field that looks like a secret."""
    obj = _object(body, "me")
    accounts = obj.get("gmailAccounts")
    cleaned = tuple(
        {k: v for k, v in account.items() if not _SECRET_FIELD_RE.search(str(k))}
        for account in (accounts if isinstance(accounts, list) else [])
        if isinstance(account, dict)
    )
    storage = _as_int(obj.get("storageUsedBytes"))
    return Me(
        user=parse_user(obj.get("user")),
        storage_used_bytes=storage if storage is None or storage >= 0 else None,
        gmail_accounts=cleaned,
    )


def parse_auth_config(body: object) -> AuthConfig:
    """``GET /api/auth/config``; providers may be names or ``{id|name|provider}`` objects."""
    obj = _object(body, "auth config")
    raw = obj.get("socialProviders")
    names = (_provider_name(item) for item in (raw if isinstance(raw, list) else []))
    return AuthConfig(
        allow_registration=obj.get("allowRegistration") is True,
        google_sso_enabled=obj.get("googleSsoEnabled") is True,
        social_providers=tuple(name for name in names if name),
    )


def _provider_name(item: object) -> str | None:
    if isinstance(item, dict):
        item = next(
            (v for k in ("id", "name", "provider") if isinstance(v := item.get(k), str)), None
        )
    return item if isinstance(item, str) else None


def parse_health(body: object) -> Health:
    """``GET /health``."""
    obj = _object(body, "health")
    return Health(
        status=_req_str(obj, "status", "health"),
        version=_opt_str(obj, "version"),
        timestamp=_opt_str(obj, "timestamp"),
    )


# --- jobs ------------------------------------------------------------------------------


def parse_job(item: object) -> Job:
    """One job row (``GET /api/jobs``, ``/api/jobs/:id``, first message of its stream)."""
    obj = _object(item, "job")
    job_id = _uuid_field(obj)
    return Job(
        id=job_id,
        bullmq_id=_opt_str(obj, "bullmq_id"),
        type=_req_str(obj, "type", "job"),
        status=_req_str(obj, "status", "job"),
        progress=_as_int(obj.get("progress")),
        total=_as_int(obj.get("total")),
        processed=_as_int(obj.get("processed")),
        error=_opt_str(obj, "error"),
        created_at=_opt_datetime(obj.get("created_at")),
        completed_at=_opt_datetime(obj.get("completed_at")),
    )


def parse_jobs(body: object) -> list[Job]:
    """``GET /api/jobs``: a JSON array; malformed rows are skipped."""
    if not isinstance(body, list):
        raise ProtocolError("jobs answer is not a list")
    return list(_parse_items(body, parse_job, "job"))


def parse_job_event(kind: str, data: object) -> JobEvent:
    """One message of ``/api/jobs/:id/events``.

    ``kind`` is the SSE event name. The server sends updates as unnamed messages whose
    JSON says ``"event": "progress"|"completed"|"failed"``, and the job row itself first.
    """
    obj = _object(data, "job event")
    named = obj.get("event")
    if kind in JOB_UPDATE_KINDS:
        update_kind: str | None = kind
    elif isinstance(named, str) and 0 < len(named) <= _MAX_KIND_LEN:
        update_kind = named
    else:
        update_kind = None
    if update_kind is None:
        job = parse_job(obj)
        return JobEvent(
            kind="row",
            status=job.status,
            progress=job.progress,
            processed=job.processed,
            total=job.total,
            error=job.error,
            bullmq_id=job.bullmq_id,
            job=job,
        )
    return JobEvent(
        kind=update_kind,
        status=_opt_str(obj, "status"),
        progress=_as_int(obj.get("progress")),
        processed=_as_int(obj.get("processed")),
        total=_as_int(obj.get("total")),
        error=_opt_str(obj, "error"),
        bullmq_id=_opt_str(obj, "bullmqId"),
    )


# --- small helpers ---------------------------------------------------------------------


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not a JSON object")
    return value


def _req_str(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{what} field {key} is missing or not a text")
    return value


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _req_bool(obj: dict[str, Any], key: str, what: str) -> bool:
    value = obj.get(key)
    if not isinstance(value, bool):
        raise ProtocolError(f"{what} field {key} is missing or not a boolean")
    return value


def _uuid_field(obj: dict[str, Any]) -> str:
    value = obj.get("id")
    if not is_uuid(value):
        raise ProtocolError("id is missing or not a UUID")
    assert isinstance(value, str)
    return value


def _as_int(value: object) -> int | None:
    """An int from a JSON number (floats rounded down); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return math.floor(value)
    return None


def _opt_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ProtocolError:
        logger.debug("Ignored an unreadable date")
        return None


def _parse_items(raw: list[Any], parse: Callable[[object], T], what: str) -> Iterator[T]:
    """Parse each item, logging and skipping the malformed ones."""
    for index, item in enumerate(raw):
        try:
            yield parse(item)
        except ProtocolError as exc:
            logger.warning("Skipped malformed %s at index %d: %s", what, index, exc.message)
