"""The ASGI application: routes plus the middleware that gives them the real server's manners.

From the outside in: request log (and body buffering) -> rate limit -> faults ->
body parsing -> Starlette routing. Unknown routes and wrong methods answer Fastify's
404; uncaught errors answer ``500 {"error":"Internal server error"}``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .auth_routes import AuthRoutes
from .bodies import BodyParseMiddleware
from .faults import FaultMiddleware, InjectedDrop
from .job_routes import JobRoutes
from .notification_routes import NotificationRoutes
from .ratelimit import RateLimitMiddleware
from .requestlog import RequestContextMiddleware
from .responses import internal_error, route_not_found
from .state import ServerState
from .testcontrol import TestControlRoutes

logger = logging.getLogger(__name__)


async def _not_found(request: Request, exc: Exception) -> Response:
    return route_not_found(request.scope)


async def _server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, InjectedDrop):  # a fault asked for, not a bug
        return internal_error()
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return internal_error()


def build_routes(state: ServerState) -> list[Route]:
    routes = [
        *AuthRoutes(state).routes(),
        *NotificationRoutes(state).routes(),
        *JobRoutes(state).routes(),
    ]
    if state.config.test_control:
        routes += TestControlRoutes(state).routes()
    return routes


def build_app(state: ServerState) -> ASGIApp:
    """The whole server as one ASGI callable, with a lifespan bound to ``state``."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.startup()
        try:
            yield
        finally:
            await state.shutdown()

    starlette = Starlette(
        routes=build_routes(state),
        exception_handlers={404: _not_found, 405: _not_found, Exception: _server_error},
        lifespan=lifespan,
    )
    starlette.router.redirect_slashes = False  # Fastify answers 404 for a trailing slash
    config = state.config
    app: ASGIApp = BodyParseMiddleware(starlette)
    app = FaultMiddleware(app, config, state.faults)
    app = RateLimitMiddleware(app, config, state.limiter)
    return RequestContextMiddleware(app, state.request_log, exempt_test_routes=config.test_control)
