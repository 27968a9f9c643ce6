"""Shared fixtures: reference servers on loopback, stopped at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tray_app.reference_server import RunningServer, ServerConfig, start_in_thread

#: Cheap password hashes keep logins fast in tests (the demo and CLI use the default).
_TEST_PASSWORD_ITERATIONS = 1_000


@pytest.fixture
def server_factory() -> Iterator[Callable[..., RunningServer]]:
    """``server_factory(**ServerConfig kwargs)`` starts a server; all are closed at teardown."""
    servers: list[RunningServer] = []

    def factory(**kwargs: Any) -> RunningServer:
        kwargs.setdefault("password_iterations", _TEST_PASSWORD_ITERATIONS)
        running = start_in_thread(ServerConfig(**kwargs))
        servers.append(running)
        return running

    yield factory
    for running in servers:
        running.close()


def _with_user(running: RunningServer) -> RunningServer:
    running.create_user("user@example.com", "password-123")
    return running


@pytest.fixture
def server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """Observed flavor, test control on, no rate limit, ``user@example.com``/``password-123``."""
    return _with_user(server_factory(flavor="observed", test_control=True, rate_limit=False))


@pytest.fixture
def documented_server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """Like ``server``, in the documented flavor."""
    return _with_user(server_factory(flavor="documented", test_control=True, rate_limit=False))
