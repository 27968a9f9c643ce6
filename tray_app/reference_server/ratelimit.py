"""Per-client-IP rate limiting in fixed windows, like ``@fastify/rate-limit``.

Every request counts against the global budget (``/health`` included); login and
register also count against their own, smaller ones. Over budget:
``429 {"error":"Rate limit exceeded, retry in N seconds"}`` with ``retry-after: N``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import ServerConfig
from .requestlog import TEST_PREFIX
from .responses import error


class RateLimiter:
    """Counters per (bucket, client) that reset ``window_s`` after their first hit."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def hit(self, bucket: str, client: str, limit: int, window_s: float) -> tuple[int, float]:
        """Count one request; return (requests in this window, seconds until it resets)."""
        now = self._clock()
        with self._lock:
            start, count = self._windows.get((bucket, client), (now, 0))
            if now - start >= window_s:
                start, count = now, 0
            count += 1
            self._windows[(bucket, client)] = (start, count)
        return count, max(0.0, start + window_s - now)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def rate_limited(retry_after_s: float) -> tuple[int, str]:
    """Whole seconds for ``retry-after`` (at least 1) and the matching message."""
    seconds = max(1, math.ceil(retry_after_s))
    return seconds, f"Rate limit exceeded, retry in {seconds} seconds"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, config: ServerConfig, limiter: RateLimiter) -> None:
        self.app = app
        self.config = config
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        config = self.config
        exempt = config.test_control and scope.get("path", "").startswith(TEST_PREFIX)
        if scope["type"] != "http" or not config.rate_limit or exempt:
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        window = config.rate_window_s
        count, reset_in = self.limiter.hit("global", client, config.rate_per_min, window)
        over = [reset_in] if count > config.rate_per_min else []
        route_limit = self._route_limit(scope)
        if route_limit is not None:
            bucket, limit = route_limit
            route_count, route_reset = self.limiter.hit(bucket, client, limit, window)
            if route_count > limit:
                over.append(route_reset)
        if over:
            seconds, message = rate_limited(max(over))
            response = error(429, message)
            response.headers["retry-after"] = str(seconds)
            await response(scope, receive, send)
            return
        headers = [
            (b"x-ratelimit-limit", str(config.rate_per_min).encode()),
            (b"x-ratelimit-remaining", str(max(0, config.rate_per_min - count)).encode()),
            (b"x-ratelimit-reset", str(math.ceil(reset_in)).encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _route_limit(self, scope: Scope) -> tuple[str, int] | None:
        if scope["method"] != "POST":
            return None
        if scope["path"] == "/api/auth/login":
            return "login", self.config.login_per_min
        if scope["path"] == "/api/auth/register":
            return "register", self.config.register_per_min
        return None
