"""Fault injection: latency, 500s, 429 bursts, dropped connections, malformed JSON.

The faults are drawn from a generator seeded with the server's seed, and changed at
run time through :meth:`FaultState.update`. Test-control routes are never affected.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import FaultConfig, ServerConfig
from .ratelimit import rate_limited
from .requestlog import TEST_PREFIX
from .responses import error, internal_error

logger = logging.getLogger(__name__)


class InjectedDrop(Exception):
    """Raised after a partial body so that uvicorn closes the connection."""


class _QuietInjectedDrops(logging.Filter):
    """Keep uvicorn's "Exception in ASGI application" for real errors only."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedDrop)


_FILTER = _QuietInjectedDrops()


def install_log_filter() -> None:
    uvicorn_logger = logging.getLogger("uvicorn.error")
    if _FILTER not in uvicorn_logger.filters:
        uvicorn_logger.addFilter(_FILTER)


class FaultState:
    """The faults in force and the seeded generator that decides who gets one."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self._config = config
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def config(self) -> FaultConfig:
        return self._config

    def update(self, changes: Mapping[str, Any]) -> FaultConfig:
        """Apply ``changes`` (FaultConfig field names); ``ValueError`` leaves all as it was."""
        with self._lock:
            self._config = self._config.updated(changes)
            return self._config

    def take_burst(self) -> int | None:
        """The retry-after of a 429 owed to this request, if a burst is in progress."""
        with self._lock:
            if self._config.burst_429 <= 0:
                return None
            self._config = self._config.updated({"burst_429": self._config.burst_429 - 1})
            return self._config.burst_retry_after_s

    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate


class FaultMiddleware:
    def __init__(self, app: ASGIApp, server: ServerConfig, state: FaultState) -> None:
        self.app = app
        self.server = server
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.state.config
        path = scope.get("path", "")
        exempt = self.server.test_control and path.startswith(TEST_PREFIX)
        if scope["type"] != "http" or exempt or not faults.active or not faults.applies_to(path):
            await self.app(scope, receive, send)
            return
        if faults.latency_s:
            await asyncio.sleep(faults.latency_s)
        retry_after = self.state.take_burst()
        if retry_after is not None:
            seconds, message = rate_limited(retry_after)
            response = error(429, message)
            response.headers["retry-after"] = str(seconds)
            await response(scope, receive, send)
            return
        if self.state.chance(faults.error_rate):
            await internal_error()(scope, receive, send)
            return
        if self.state.chance(faults.drop_rate):
            await self.app(scope, receive, _dropping(send))
            return
        if self.state.chance(faults.malformed_rate):
            await self.app(scope, receive, _MalformingSend(send))
            return
        await self.app(scope, receive, send)


def _dropping(send: Send) -> Send:
    """Send the headers and half of the first body chunk, then break the connection."""

    async def dropping_send(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        body: bytes = message.get("body", b"")
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        raise InjectedDrop("connection dropped by fault injection")

    return dropping_send


class _MalformingSend:
    """Buffers a JSON answer and sends a truncated, unparseable copy of it instead."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._passthrough = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            is_json = content_type.startswith(b"application/json")
            if not is_json:
                self._passthrough = True
                await self._send(message)
            else:
                self._start = message
            return
        if self._passthrough or self._start is None:
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = _corrupt(b"".join(self._chunks))
        headers = [(k, v) for k, v in self._start.get("headers", []) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})


def _corrupt(body: bytes) -> bytes:
    """A strict prefix of a JSON document; made surely invalid if it happens to parse."""
    if not body:
        return b"{"
    cut = body[: max(1, len(body) // 2)]
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return cut + b"<"
