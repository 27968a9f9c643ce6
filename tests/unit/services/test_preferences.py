"""The preferences service against the reference server, with the real API client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tray_app.api.client import ApiClient
from tray_app.api.models import DEFAULT_PREFERENCES
from tray_app.reference_server import RunningServer
from tray_app.services.preferences import PreferencesService

EMAIL, PASSWORD = "user@example.com", "password-123"
PREFS_PATH = "/api/notifications/preferences"


class Recorder:
    def __init__(self, service: PreferencesService) -> None:
        self.changed: list[dict[str, bool]] = []
        self.saved: list[tuple[str, bool]] = []
        self.failed: list[tuple[str, bool, str]] = []
        self.load_failed: list[str] = []
        service.preferences_changed.connect(self.changed.append)
        service.saved.connect(lambda key, value: self.saved.append((key, value)))
        service.save_failed.connect(lambda k, v, why: self.failed.append((k, v, why)))
        service.load_failed.connect(self.load_failed.append)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "state" / "preferences.json"


@pytest.fixture
def connect(
    aloop: Any,
) -> Iterator[Callable[[RunningServer], Coroutine[Any, Any, ApiClient]]]:
    clients: list[ApiClient] = []

    async def make(server: RunningServer) -> ApiClient:
        client = ApiClient(server.url)
        clients.append(client)
        await client.login(EMAIL, PASSWORD)
        return client

    yield make

    async def close() -> None:
        for client in clients:
            await client.aclose()

    aloop.run(close())


def put_bodies(server: RunningServer) -> list[list[str] | None]:
    return [r["body_keys"] for r in server.requests() if r["method"] == "PUT"]


@pytest.mark.parametrize("flavor", ["observed", "documented"])
def test_load_emits_and_caches_the_server_values(
    flavor: str,
    request: pytest.FixtureRequest,
    connect: Callable[..., Any],
    cache: Path,
    aloop: Any,
) -> None:
    server: RunningServer = request.getfixturevalue(
        "server" if flavor == "observed" else "documented_server"
    )

    async def scenario() -> None:
        client = await connect(server)
        await client.update_preferences({"rule_executed_toast": True, "weekly_report": False})
        service = PreferencesService(cache, client)
        assert service.preferences == DEFAULT_PREFERENCES  # nothing cached yet
        events = Recorder(service)
        assert await service.load() is True
        expected = {**DEFAULT_PREFERENCES, "rule_executed_toast": True, "weekly_report": False}
        assert events.changed == [expected] and service.preferences == expected
        assert json.loads(cache.read_text())["preferences"] == expected
        assert cache.stat().st_mode & 0o777 == 0o600

    aloop.run(scenario(), timeout=40)


def test_a_change_puts_only_that_key(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        client = await connect(server)
        service = PreferencesService(cache, client)
        events = Recorder(service)
        server.clear_requests()
        assert await service.set_preference("job_completed_toast", False) is True
        assert put_bodies(server) == [["job_completed_toast"]]
        assert events.saved == [("job_completed_toast", False)] and events.failed == []
        assert events.changed[-1]["job_completed_toast"] is False
        assert (await client.get_preferences())["job_completed_toast"] is False
        assert json.loads(cache.read_text())["preferences"]["job_completed_toast"] is False

    aloop.run(scenario(), timeout=40)


def test_quick_toggles_reach_the_server_in_order(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        client = await connect(server)
        service = PreferencesService(cache, client)
        server.clear_requests()
        server.set_faults(latency_s=0.1)  # each answer takes a while
        tasks = [service.set_preference("quota_warning_toast", v) for v in (True, False, True)]
        assert await asyncio.gather(*tasks) == [True, True, True]
        server.set_faults(latency_s=0.0)
        starts = [datetime.fromisoformat(r["time"]) for r in server.requests()]
        assert len(starts) == 3  # one after the other, never two at once:
        gaps = [later - earlier for earlier, later in pairwise(starts)]
        assert min(gaps) >= timedelta(seconds=0.09)
        assert (await client.get_preferences())["quota_warning_toast"] is True
        assert service.preferences["quota_warning_toast"] is True

    aloop.run(scenario(), timeout=40)


def test_a_server_error_keeps_the_old_value_and_says_why(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        client = await connect(server)
        service = PreferencesService(cache, client)
        await service.load()
        events = Recorder(service)
        server.set_faults(error_rate=1.0, paths=[PREFS_PATH])
        assert await service.set_preference("integrity_alert_toast", True) is False
        server.set_faults(error_rate=0.0)
        ((key, old, message),) = events.failed
        assert (key, old) == ("integrity_alert_toast", False)
        assert message == "The server had an internal error."
        assert events.saved == [] and events.changed == []
        assert service.preferences["integrity_alert_toast"] is False
        assert (await client.get_preferences())["integrity_alert_toast"] is False

    aloop.run(scenario(), timeout=40)


def test_a_stopped_server_keeps_the_old_value_and_says_why(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        service = PreferencesService(cache, await connect(server))
        events = Recorder(service)
        server.stop()
        assert await service.set_preference("weekly_report_toast", True) is False
        assert await service.load() is False
        ((key, old, message),) = events.failed
        assert (key, old) == ("weekly_report_toast", False)
        assert "cannot be reached" in message
        assert events.load_failed == ["The server cannot be reached."]
        assert service.preferences == DEFAULT_PREFERENCES

    aloop.run(scenario(), timeout=40)


def test_the_cache_serves_offline_and_refuses_changes_without_a_client(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        online = PreferencesService(cache, await connect(server))
        await online.set_preference("job_failed_toast", False)
        offline = PreferencesService(cache)  # next start, before any connection
        assert offline.preferences == {**DEFAULT_PREFERENCES, "job_failed_toast": False}
        events = Recorder(offline)
        assert await offline.set_preference("job_failed_toast", True) is False
        assert events.failed == [("job_failed_toast", False, "Not connected to the server.")]
        assert offline.preferences["job_failed_toast"] is False

    aloop.run(scenario(), timeout=40)


def test_reset_to_defaults_is_one_put_of_all_keys(
    server: RunningServer, connect: Callable[..., Any], cache: Path, aloop: Any
) -> None:
    async def scenario() -> None:
        client = await connect(server)
        await client.update_preferences({"job_completed": False, "quota_warning_toast": True})
        service = PreferencesService(cache, client)
        await service.load()
        events = Recorder(service)
        server.clear_requests()
        assert await service.reset_to_defaults() is True
        assert put_bodies(server) == [sorted(DEFAULT_PREFERENCES)]
        assert sorted(events.saved) == [("job_completed", True), ("quota_warning_toast", False)]
        assert service.preferences == DEFAULT_PREFERENCES
        assert await client.get_preferences() == DEFAULT_PREFERENCES

    aloop.run(scenario(), timeout=40)


def test_invalid_changes_are_refused_before_any_request(tmp_path: Path) -> None:
    service = PreferencesService(None)
    with pytest.raises(ValueError, match="unknown preference"):
        service.set_preference("dark_mode", True)
    with pytest.raises(ValueError, match="boolean"):
        service.set_preference("job_failed", 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"version": 9, "preferences": {}}', '["a list"]'],
)
def test_an_unreadable_cache_is_moved_aside(content: str, cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text(content)
    service = PreferencesService(cache)
    assert service.preferences == DEFAULT_PREFERENCES
    assert not cache.exists() and cache.with_name(cache.name + ".corrupt").exists()


def test_garbage_values_in_the_cache_are_ignored(cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    values = {"job_failed": False, "job_failed_toast": "no", "unknown": True}
    cache.write_text(json.dumps({"version": 1, "preferences": values}))
    assert PreferencesService(cache).preferences == {**DEFAULT_PREFERENCES, "job_failed": False}
