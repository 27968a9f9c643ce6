"""Issuing, checking and revoking the server's JWTs, and reading them from requests.

Like the real server: the token is HS256 with ``{sub, email, role, iat, exp}``, lives
``token_ttl_s`` (15 minutes there) although its cookie says 24 hours, is read from
``Authorization: Bearer`` first and the ``token`` cookie second, and is revoked at
logout (the real server keeps a blacklist in Redis; here a table of token hashes).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from .auth import decode_jwt, encode_jwt, token_hash
from .db import Database
from .users import UserRecord

COOKIE_MAX_AGE = 86_400


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: str
    email: str
    role: str
    token: str = field(repr=False)
    expires_at: int = 0


def set_cookie_value(token: str) -> str:
    """The exact ``Set-Cookie`` the real server sends (without ``Secure`` over plain HTTP)."""
    return f"token={token}; Max-Age={COOKIE_MAX_AGE}; Path=/; HttpOnly; SameSite=Strict"


def clear_cookie_value() -> str:
    return "token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"


class TokenService:
    def __init__(self, db: Database, ttl_s: int) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._secret = self._load_secret()

    def _load_secret(self) -> bytes:
        """One signing key per database, so tokens survive a restart like on the real server."""
        with self._db.connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO server_settings (key, value) VALUES ('jwt_secret', ?)",
                (secrets.token_hex(32),),
            )
            row = conn.execute(
                "SELECT value FROM server_settings WHERE key = 'jwt_secret'"
            ).fetchone()
        return bytes.fromhex(row["value"])

    def issue(self, user: UserRecord) -> str:
        """A new token for ``user``.

        ``iat`` has a one-second resolution, so a login right after a logout could mint
        the very token just revoked; ``exp`` is then pushed by a second to tell them apart.
        """
        iat = int(time.time())
        payload = {"sub": user.id, "email": user.email, "role": user.role, "iat": iat}
        exp = iat + self._ttl_s
        with self._db.connect() as conn:
            while True:
                token = encode_jwt({**payload, "exp": exp}, self._secret)
                if not _is_revoked(conn, token):
                    return token
                exp += 1

    def verify(self, token: str) -> Principal | None:
        payload = decode_jwt(token, self._secret)
        if payload is None:
            return None
        sub, email, role = payload.get("sub"), payload.get("email"), payload.get("role")
        if not (isinstance(sub, str) and isinstance(email, str) and isinstance(role, str)):
            return None
        with self._db.connect() as conn:
            if _is_revoked(conn, token):
                return None
        return Principal(sub, email, role, token, int(payload["exp"]))

    def revoke(self, principal: Principal) -> None:
        with self._db.connect() as conn:
            conn.execute("DELETE FROM revoked_tokens WHERE expires_at < ?", (int(time.time()),))
            conn.execute(
                "INSERT OR IGNORE INTO revoked_tokens (token_hash, expires_at) VALUES (?, ?)",
                (token_hash(principal.token), principal.expires_at),
            )

    def authenticate(self, request: Request) -> Principal | None:
        """The caller, from the Bearer header if there is one, else the ``token`` cookie."""
        header = request.headers.get("authorization")
        if header:
            # The real server strips "Bearer " and uses whatever is left, cookie or not.
            token = header[7:] if header.startswith("Bearer ") else header
        else:
            token = request.cookies.get("token", "")
        return self.verify(token.strip()) if token else None


def _is_revoked(conn: sqlite3.Connection, token: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM revoked_tokens WHERE token_hash = ?", (token_hash(token),)
    ).fetchone()
    return row is not None
