"""SQLite storage with the tables and columns of the real server.

Ids are UUID text and timestamps ISO 8601 UTC text with milliseconds and ``Z``; the
column defaults produce both, so rows can be inserted with plain SQL giving only the
required columns. Nothing is cached in memory: every request reads the file, so rows
written behind the server's back are seen by the next request.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

_UUID_SQL = (
    "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"
    " substr(lower(hex(randomblob(2))), 2) || '-' ||"
    " substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)"
    " || '-' || lower(hex(randomblob(6))))"
)
_NOW_SQL = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY DEFAULT {_UUID_SQL},
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'user',
    is_active INTEGER NOT NULL DEFAULT 1,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT {_NOW_SQL}
);
CREATE TABLE IF NOT EXISTS notifications (
    id TEXT PRIMARY KEY DEFAULT {_UUID_SQL},
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    data TEXT,
    is_read INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT {_NOW_SQL}
);
CREATE INDEX IF NOT EXISTS notifications_user_created
    ON notifications (user_id, created_at DESC);
CREATE TABLE IF NOT EXISTS notification_preferences (
    id TEXT PRIMARY KEY DEFAULT {_UUID_SQL},
    user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    weekly_report INTEGER NOT NULL DEFAULT 1,
    job_completed INTEGER NOT NULL DEFAULT 1,
    job_failed INTEGER NOT NULL DEFAULT 1,
    rule_executed INTEGER NOT NULL DEFAULT 0,
    quota_warning INTEGER NOT NULL DEFAULT 1,
    integrity_alert INTEGER NOT NULL DEFAULT 1,
    weekly_report_toast INTEGER NOT NULL DEFAULT 0,
    job_completed_toast INTEGER NOT NULL DEFAULT 1,
    job_failed_toast INTEGER NOT NULL DEFAULT 1,
    rule_executed_toast INTEGER NOT NULL DEFAULT 0,
    quota_warning_toast INTEGER NOT NULL DEFAULT 0,
    integrity_alert_toast INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT {_NOW_SQL},
    updated_at TEXT NOT NULL DEFAULT {_NOW_SQL}
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY DEFAULT {_UUID_SQL},
    bullmq_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    progress INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    processed INTEGER NOT NULL DEFAULT 0,
    gmail_account_id TEXT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    payload TEXT,
    error TEXT,
    created_at TEXT NOT NULL DEFAULT {_NOW_SQL},
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_user_created ON jobs (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS jobs_bullmq ON jobs (bullmq_id);
-- The real server keeps these two in Redis and its environment.
CREATE TABLE IF NOT EXISTS revoked_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS server_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Database:
    """A path to a SQLite file and short-lived connections to it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def initialize(self) -> None:
        """Create the tables if needed and switch the file to WAL mode."""
        conn = sqlite3.connect(self.path, timeout=10.0)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            conn.commit()
        finally:
            conn.close()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: committed on success, rolled back on error, then closed."""
        conn = sqlite3.connect(self.path, timeout=10.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def execute(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows as plain tuples."""
        with self.connect() as conn:
            return [tuple(row) for row in conn.execute(query, params).fetchall()]


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime) -> str:
    """``2026-03-30T08:00:00.000Z``: UTC, milliseconds, ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(datetime.now(UTC))


def normalize_timestamp(value: Any) -> str | None:
    """Format a stored timestamp the way the server answers, whatever SQL wrote."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace(" ", "T"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment)


def as_bool(value: Any) -> bool:
    """SQLite has no booleans: accept 0/1 and the texts a person might write."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes")
    return bool(value)


def load_json(value: Any) -> Any:
    """Decode a JSON column; text that is not JSON is returned as it is."""
    if value is None or not isinstance(value, str | bytes):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def dump_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def canonical_uuid(value: str) -> str | None:
    """The lower-case hyphenated form of a UUID, or None when ``value`` is not one.

    PostgreSQL accepts the same spellings (hyphens or not, braces, upper case) and
    fails the query on anything else, which the server turns into a 500.
    """
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def notification_json(row: sqlite3.Row) -> dict[str, Any]:
    """A notification row as the list route answers it."""
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "type": row["type"],
        "title": row["title"],
        "body": row["body"],
        "data": load_json(row["data"]),
        "is_read": as_bool(row["is_read"]),
        "created_at": normalize_timestamp(row["created_at"]),
    }


def job_json(row: sqlite3.Row) -> dict[str, Any]:
    """A job row as the jobs routes answer it."""
    return {
        "id": row["id"],
        "bullmq_id": row["bullmq_id"],
        "type": row["type"],
        "status": row["status"],
        "progress": row["progress"],
        "total": row["total"],
        "processed": row["processed"],
        "gmail_account_id": row["gmail_account_id"],
        "user_id": row["user_id"],
        "payload": load_json(row["payload"]),
        "error": row["error"],
        "created_at": normalize_timestamp(row["created_at"]),
        "completed_at": normalize_timestamp(row["completed_at"]),
    }
