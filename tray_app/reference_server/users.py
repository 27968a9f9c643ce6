"""Accounts in the ``users`` table."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .auth import hash_password
from .db import Database, as_bool, new_id, normalize_timestamp, now_iso


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    email: str
    password_hash: str | None
    role: str
    is_active: bool
    totp_secret: str | None
    totp_enabled: bool
    created_at: str | None

    def __repr__(self) -> str:  # the hash and the TOTP secret stay out of logs
        return f"UserRecord(id={self.id!r}, email={self.email!r}, role={self.role!r})"

    def public(self) -> dict[str, str]:
        """What login, register and refresh answer under ``user``."""
        return {"id": self.id, "email": self.email, "role": self.role}


class DuplicateEmail(ValueError):
    """An account with this email already exists."""


def _record(row: sqlite3.Row | None) -> UserRecord | None:
    if row is None:
        return None
    return UserRecord(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        role=row["role"],
        is_active=as_bool(row["is_active"]),
        totp_secret=row["totp_secret"],
        totp_enabled=as_bool(row["totp_enabled"]),
        created_at=normalize_timestamp(row["created_at"]),
    )


def create_user(
    db: Database,
    email: str,
    password: str | None,
    *,
    iterations: int,
    role: str = "user",
    totp_secret: str | None = None,
    created_at: str | None = None,
) -> str:
    """Insert an account and return its id; ``password=None`` makes an SSO account.

    A ``totp_secret`` turns two-factor authentication on.
    """
    user_id = new_id()
    password_hash = None if password is None else hash_password(password, iterations)
    try:
        with db.connect() as conn:
            conn.execute(
                "INSERT INTO users (id, email, password_hash, role, is_active, totp_secret,"
                " totp_enabled, created_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                (
                    user_id,
                    email,
                    password_hash,
                    role,
                    totp_secret,
                    int(totp_secret is not None),
                    created_at or now_iso(),
                ),
            )
    except sqlite3.IntegrityError:
        raise DuplicateEmail(f"an account already uses {email}") from None
    return user_id


def find_by_email(db: Database, email: str) -> UserRecord | None:
    with db.connect() as conn:
        return _record(conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone())


def find_by_id(db: Database, user_id: str) -> UserRecord | None:
    with db.connect() as conn:
        return _record(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())


def active_user_ids(db: Database) -> list[str]:
    """Active accounts, oldest first (a stable order for the seeded simulator)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT id FROM users WHERE is_active = 1 ORDER BY created_at, id"
        ).fetchall()
    return [row["id"] for row in rows]
