"""``/api/notifications*``: the list, the writes, preferences and our proposed stream.

Quirks kept from the real server: ``page`` below 1 or not a number and ``limit`` below
0 or not a number give 500; ``limit`` is capped at 100; unknown or foreign ids still
get ``{"ok":true}``; non-UUID ids give 500; a PUT of preferences without a body gives
500. The flavor decides mark-all-read's method and the write answers.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .db import canonical_uuid
from .notifications import MAX_LIMIT, user_topic
from .responses import (
    internal_error,
    json_response,
    ok,
    request_body,
    route_not_found,
    unauthorized,
)
from .state import ServerState
from .stream import EventStreamResponse

_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def _query_int(value: str | None, default: int) -> int | None:
    """The integer in a query parameter; None when it is not one (a 500 on the server)."""
    if value is None:
        return default
    return int(value) if _INTEGER.fullmatch(value) else None


class NotificationRoutes:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.store = state.notifications

    def routes(self) -> list[Route]:
        read_all_method = "POST" if self.state.config.documented else "PATCH"
        return [
            Route("/api/notifications", self.list, methods=["GET"]),
            Route("/api/notifications", self.delete_read, methods=["DELETE"]),
            Route("/api/notifications/stream", self.stream, methods=["GET"]),
            Route("/api/notifications/preferences", self.get_preferences, methods=["GET"]),
            Route("/api/notifications/preferences", self.put_preferences, methods=["PUT"]),
            Route("/api/notifications/read-all", self.read_all, methods=[read_all_method]),
            Route("/api/notifications/{id}/read", self.mark_read, methods=["PATCH"]),
            Route("/api/notifications/{id}", self.delete, methods=["DELETE"]),
        ]

    def _user(self, request: Request) -> str | None:
        principal = self.state.tokens.authenticate(request)
        return None if principal is None else principal.user_id

    async def list(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        query = request.query_params
        page = _query_int(query.get("page"), 1)
        limit = _query_int(query.get("limit"), 20)
        if page is None or limit is None or page < 1 or limit < 0:
            return internal_error()  # a negative OFFSET/LIMIT or NaN fails the query
        unread_only = query.get("unread_only") in ("1", "true")
        return json_response(self.store.page(user_id, page, min(limit, MAX_LIMIT), unread_only))

    async def mark_read(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        notification_id = canonical_uuid(request.path_params["id"])
        if notification_id is None:
            return internal_error()
        self.store.mark_read(user_id, notification_id)
        return json_response({"success": True}) if self.state.config.documented else ok()

    async def read_all(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        updated = self.store.mark_all_read(user_id)
        return json_response({"updated": updated}) if self.state.config.documented else ok()

    async def delete(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        notification_id = canonical_uuid(request.path_params["id"])
        if notification_id is None:
            return internal_error()
        self.store.delete(user_id, notification_id)
        return ok()

    async def delete_read(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        self.store.delete_read(user_id)
        return ok()

    async def get_preferences(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        return json_response(self.store.preferences(user_id))

    async def put_preferences(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        body = request_body(request)
        if not isinstance(body, dict):
            return internal_error()  # the server iterates over an undefined body
        self.store.update_preferences(user_id, body)
        return ok()

    async def stream(self, request: Request) -> Response:
        if not self.state.config.notification_stream:
            return route_not_found(request.scope)
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        broker = self.state.broker
        # Subscribe before counting: nothing can be published in between (same loop).
        subscription = broker.subscribe(user_topic(user_id))
        return EventStreamResponse(
            [self.store.hello(user_id)],
            broker=broker,
            subscription=subscription,
            heartbeat_s=self.state.config.heartbeat_s,
        )
