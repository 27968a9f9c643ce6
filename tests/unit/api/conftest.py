"""Fixtures of the API client's unit tests (the fake server is in api_fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from api_fakes import FakeServer, client_for

from tray_app.api.client import ApiClient


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer("observed")


@pytest.fixture
def fake_documented() -> FakeServer:
    return FakeServer("documented")


@pytest.fixture
async def api(fake: FakeServer, anyio_backend: str) -> AsyncIterator[ApiClient]:
    async with client_for(fake) as client:
        yield client
