"""Notification rows, preferences, and the ``notify()`` dispatcher.

Every change made through the server is published on the user's stream topic
(``created``, ``updated``, ``deleted``, or ``sync`` after bulk changes). Rows written
into the file behind the server's back are read by the next request but never
published: clients keep a slow safety poll for that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any, Final

from .db import Database, as_bool, dump_json, new_id, notification_json, now_iso
from .stream import Broker, sse_message

#: The 12 preference keys and their defaults, as the server documents them.
PREFERENCE_DEFAULTS: Final[dict[str, bool]] = {
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
MAX_LIMIT: Final = 100


def user_topic(user_id: str) -> str:
    return f"user:{user_id}"


class NotificationStore:
    def __init__(self, db: Database, broker: Broker) -> None:
        self._db = db
        self._broker = broker

    # Reading

    def unread_count(self, user_id: str, conn: sqlite3.Connection | None = None) -> int:
        if conn is None:
            with self._db.connect() as own:
                return self.unread_count(user_id, own)
        row = conn.execute(
            "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND is_read = 0", (user_id,)
        ).fetchone()
        return int(row[0])

    def page(self, user_id: str, page: int, limit: int, unread_only: bool) -> dict[str, Any]:
        """One page, newest first (ties in insertion order), plus the total unread count."""
        where = "user_id = ?" + (" AND is_read = 0" if unread_only else "")
        with self._db.connect() as conn:
            rows = conn.execute(
                f"SELECT * FROM notifications WHERE {where}"
                " ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
                (user_id, limit, (page - 1) * limit),
            ).fetchall()
            unread = self.unread_count(user_id, conn)
        return {
            "notifications": [notification_json(row) for row in rows],
            "unreadCount": unread,
            "page": page,
            "limit": limit,
        }

    def hello(self, user_id: str) -> bytes:
        return sse_message({"unreadCount": self.unread_count(user_id)}, "hello")

    # Writing

    def insert(
        self,
        user_id: str,
        type_: str,
        title: str,
        body: str | None = None,
        data: Any = None,
        *,
        is_read: bool = False,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """Store one notification (no preference check) and publish ``created``."""
        return self.insert_many(user_id, [(type_, title, body, data, is_read, created_at)])[0]

    def insert_many(
        self,
        user_id: str,
        items: list[tuple[str, str, str | None, Any, bool, str | None]],
    ) -> list[dict[str, Any]]:
        """Store (type, title, body, data, is_read, created_at) rows in one transaction."""
        with self._db.connect() as conn:
            ids = []
            for type_, title, body, data, is_read, created_at in items:
                ids.append(new_id())
                conn.execute(
                    "INSERT INTO notifications (id, user_id, type, title, body, data, is_read,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (ids[-1], user_id, type_, title, body, dump_json(data), int(is_read),
                     created_at or now_iso()),
                )  # fmt: skip
            rows = [self._row(conn, user_id, nid) for nid in ids]
            unread = self.unread_count(user_id, conn)
        created = [row for row in rows if row is not None]
        for row in created:
            self._publish(user_id, "created", {"notification": row, "unreadCount": unread})
        return created

    def mark_read(self, user_id: str, notification_id: str) -> bool:
        with self._db.connect() as conn:
            changed = conn.execute(
                "UPDATE notifications SET is_read = 1 WHERE id = ? AND user_id = ? AND is_read = 0",
                (notification_id, user_id),
            ).rowcount
            row = self._row(conn, user_id, notification_id) if changed else None
            unread = self.unread_count(user_id, conn)
        if row is not None:
            self._publish(user_id, "updated", {"notification": row, "unreadCount": unread})
        return row is not None

    def mark_all_read(self, user_id: str) -> int:
        return self._bulk(user_id, "UPDATE notifications SET is_read = 1", "is_read = 0")

    def delete(self, user_id: str, notification_id: str) -> bool:
        with self._db.connect() as conn:
            changed = conn.execute(
                "DELETE FROM notifications WHERE id = ? AND user_id = ?",
                (notification_id, user_id),
            ).rowcount
            unread = self.unread_count(user_id, conn)
        if changed:
            self._publish(user_id, "deleted", {"id": notification_id, "unreadCount": unread})
        return bool(changed)

    def delete_read(self, user_id: str) -> int:
        return self._bulk(user_id, "DELETE FROM notifications", "is_read = 1")

    def _bulk(self, user_id: str, statement: str, condition: str) -> int:
        with self._db.connect() as conn:
            changed = conn.execute(
                f"{statement} WHERE user_id = ? AND {condition}", (user_id,)
            ).rowcount
            unread = self.unread_count(user_id, conn)
        if changed:
            self._publish(user_id, "sync", {"unreadCount": unread})
        return int(changed)

    def _row(self, conn: sqlite3.Connection, user_id: str, nid: str) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT * FROM notifications WHERE id = ? AND user_id = ?", (nid, user_id)
        ).fetchone()
        return None if row is None else notification_json(row)

    def _publish(self, user_id: str, event: str, data: dict[str, Any]) -> None:
        self._broker.publish(user_topic(user_id), sse_message(data, event))

    # Preferences and the dispatcher

    def preferences(self, user_id: str) -> dict[str, bool]:
        """The user's 12 preferences; the defaults if they never saved any."""
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT * FROM notification_preferences WHERE user_id = ?", (user_id,)
            ).fetchone()
        if row is None:
            return dict(PREFERENCE_DEFAULTS)
        return {key: as_bool(row[key]) for key in PREFERENCE_DEFAULTS}

    def update_preferences(self, user_id: str, changes: Mapping[str, Any]) -> dict[str, bool]:
        """Apply the known keys that carry real booleans; drop the rest silently.

        The row is created (with the defaults) on the first update, even an empty one.
        """
        applied = {k: v for k, v in changes.items() if k in PREFERENCE_DEFAULTS and type(v) is bool}
        with self._db.connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO notification_preferences (id, user_id) VALUES (?, ?)",
                (new_id(), user_id),
            )
            if applied:
                assignments = ", ".join(f"{key} = ?" for key in applied)
                conn.execute(
                    f"UPDATE notification_preferences SET {assignments}, updated_at = ?"
                    " WHERE user_id = ?",
                    (*(int(v) for v in applied.values()), now_iso(), user_id),
                )
        return applied

    def notify(
        self, user_id: str, category: str, title: str, body: str | None, data: Any
    ) -> dict[str, Any] | None:
        """The server's dispatcher: store a row only if the in-app preference allows it.

        Categories without a preference key are always stored. Webhooks are not modelled.
        """
        if category in PREFERENCE_DEFAULTS and not self.preferences(user_id)[category]:
            return None
        return self.insert(user_id, category, title, body, data)
