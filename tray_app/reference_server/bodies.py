"""Request-body parsing with Fastify's rules and error answers.

Fastify never parses GET and HEAD bodies. For other methods it picks a parser by
content type: ``application/json`` (an empty body is a 400 with its own message,
invalid JSON another 400), ``text/plain`` (the text), anything else 415. Without a
content type an empty body means "no body" (``request.body`` undefined), which some
routes then trip over with a 500.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .responses import NO_BODY, PARSED_BODY_KEY, RAW_BODY_KEY, error

EMPTY_JSON_MESSAGE = "Body cannot be empty when content-type is set to 'application/json'"


class BodyParseMiddleware:
    """Leaves the parsed body in ``scope[PARSED_BODY_KEY]`` or answers 400/415."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        raw: bytes = scope.get(RAW_BODY_KEY, b"")
        content_type = Headers(scope=scope).get("content-type")
        try:
            scope[PARSED_BODY_KEY] = _parse(raw, content_type)
        except _BodyError as exc:
            await error(exc.status, exc.message)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _parse(raw: bytes, content_type: str | None) -> Any:
    if content_type is None:
        if raw:
            raise _BodyError(415, "Unsupported Media Type: ")
        return NO_BODY
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        if not raw.strip():
            raise _BodyError(400, EMPTY_JSON_MESSAGE)
        try:
            return json.loads(raw)
        except UnicodeDecodeError:
            raise _BodyError(400, "Invalid UTF-8 in JSON body") from None
        except json.JSONDecodeError as exc:
            raise _BodyError(400, f"Unexpected token in JSON at position {exc.pos}") from None
    if media_type == "text/plain":
        return raw.decode("utf-8", errors="replace") if raw else NO_BODY
    raise _BodyError(415, f"Unsupported Media Type: {media_type}")
