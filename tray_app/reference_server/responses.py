"""Answers shaped like the real server's (Fastify): compact JSON and its error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

#: Where the body middleware leaves the parsed request body in the ASGI scope.
PARSED_BODY_KEY: Final = "tray.body"
#: Where the outermost middleware leaves the raw request body.
RAW_BODY_KEY: Final = "tray.raw_body"


class _NoBody:
    """The request carried no body at all (not even ``{}``)."""

    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Final = _NoBody()


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Fastify's serialisation: no spaces, UTF-8, ``application/json; charset=utf-8``."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, headers, media_type="application/json; charset=utf-8")


def error(status: int, message: str, **extra: Any) -> Response:
    return json_response({"error": message, **extra}, status)


def internal_error() -> Response:
    """What the server answers for any failed query (bad UUID, bad page, no body...)."""
    return error(500, "Internal server error")


def unauthorized() -> Response:
    return error(401, "Unauthorized")


def ok() -> Response:
    return json_response({"ok": True})


def path_with_query(scope: Scope) -> str:
    query: str = scope.get("query_string", b"").decode("latin-1")
    path: str = scope["path"]
    return path + (f"?{query}" if query else "")


def route_not_found(scope: Scope) -> Response:
    """Fastify's own 404, also used where Starlette would say 405 (Fastify says 404)."""
    return json_response(
        {
            "message": f"Route {scope['method']}:{path_with_query(scope)} not found",
            "error": "Not Found",
            "statusCode": 404,
        },
        404,
    )


def request_body(request: Request) -> Any:
    """The parsed JSON (or text) body, or :data:`NO_BODY`."""
    return request.scope.get(PARSED_BODY_KEY, NO_BODY)
