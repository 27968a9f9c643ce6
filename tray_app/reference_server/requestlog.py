"""The outermost middleware: buffers the request body and records every request.

The record (time, method, path, query, body keys, status, bytes sent, client) lets
tests count what a client really sent; bodies are never stored, only their top-level
keys, so passwords and tokens stay out of it. Test-control routes are not recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import now_iso
from .responses import RAW_BODY_KEY

TEST_PREFIX = "/api/_test/"


class RequestLog:
    """A bounded, thread-safe list of request records (plain dicts)."""

    def __init__(self, limit: int = 50_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count


class RequestContextMiddleware:
    """Reads the whole request body first (requests are small) and replays it inward."""

    def __init__(self, app: ASGIApp, log: RequestLog, *, exempt_test_routes: bool) -> None:
        self.app = app
        self.log = log
        self.exempt_test_routes = exempt_test_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        scope[RAW_BODY_KEY] = body
        replay = _replaying(body, receive)
        if self.exempt_test_routes and scope["path"].startswith(TEST_PREFIX):
            await self.app(scope, replay, send)
            return
        entry = _new_entry(scope, body)
        self.log.add(entry)
        started = time.monotonic()

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            elif message["type"] == "http.response.body":
                entry["bytes"] += len(message.get("body", b""))
                if not message.get("more_body", False):
                    entry["complete"] = True
            await send(message)

        try:
            await self.app(scope, replay, recording_send)
        finally:
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 3)


def _new_entry(scope: Scope, body: bytes) -> dict[str, Any]:
    client = scope.get("client")
    return {
        "time": now_iso(),
        "method": scope["method"],
        "path": scope["path"],
        "query": _redacted(scope.get("query_string", b"").decode("latin-1")),
        "body_keys": _body_keys(body),
        "status": None,
        "bytes": 0,
        "complete": False,
        "duration_ms": None,
        "client": client[0] if client else None,
    }


def _redacted(query: str) -> str:
    """The query string with the values of secret-looking parameters hidden."""
    parts = []
    for part in query.split("&") if query else []:
        name, sep, _ = part.partition("=")
        secret = name.lower() in ("token", "password", "access_token")
        parts.append(f"{name}{sep}<redacted>" if secret and sep else part)
    return "&".join(parts)


def _body_keys(body: bytes) -> list[str] | None:
    if not body:
        return None
    try:
        decoded = json.loads(body)
    except ValueError:
        return None
    return sorted(decoded) if isinstance(decoded, dict) else None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out the buffered body once, then waits on the real one."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
