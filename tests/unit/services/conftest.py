"""Service tests run asyncio on the Qt event loop: the ``aloop`` fixture (a running
qasync loop and its :class:`LoopRunner`) lives in ``tests/conftest.py``, shared with the
in-process app tests. This file adds a logged-in API client and row creation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tray_app.api.client import ApiClient
from tray_app.reference_server import RunningServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)

EMAIL = "user@example.com"
PASSWORD = "password-123"


@pytest.fixture
def make_client(aloop: LoopRunner) -> Iterator[Callable[..., ApiClient]]:
    """``make_client(server, **ApiClient kwargs)``: a client logged in as the test user."""
    clients: list[ApiClient] = []

    def factory(server: RunningServer, **kwargs: Any) -> ApiClient:
        client = ApiClient(server.url, **kwargs)
        clients.append(client)
        aloop.run(client.login(EMAIL, PASSWORD))
        return client

    yield factory
    for client in clients:
        aloop.run(client.aclose())


def add_notifications(server: RunningServer, count: int = 1, **fields: Any) -> list[dict[str, Any]]:
    """Create rows for the test user through the server's test-control API (published)."""
    body = {"email": EMAIL, "type": "job_completed", "count": count, **fields}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=5.0)
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()
    return rows


@pytest.fixture
def add_rows() -> Callable[..., list[dict[str, Any]]]:
    """``add_rows(server, count=1, **fields)``: see :func:`add_notifications`."""
    return add_notifications
