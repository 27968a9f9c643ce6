"""Rate limiting, fault injection and the request log of the reference server."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tray_app.reference_server import FaultConfig, RunningServer

EMAIL, PASSWORD = "user@example.com", "password-123"
TLS = ssl.create_default_context()
RATE_MESSAGE = "Rate limit exceeded, retry in {} seconds"


def connect(running: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=running.url, timeout=5.0, verify=TLS)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def set_faults(client: httpx.Client, **faults: Any) -> httpx.Response:
    return client.put("/api/_test/faults", json=faults)


# Rate limiting


def test_global_budget_per_ip_includes_health(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(rate_per_min=5, test_control=True)
    with connect(running) as client:
        answers = [client.get("/health" if i % 2 else "/api/auth/config") for i in range(5)]
        assert [a.status_code for a in answers] == [200] * 5
        assert answers[0].headers["x-ratelimit-limit"] == "5"
        assert answers[-1].headers["x-ratelimit-remaining"] == "0"
        for _ in range(3):
            assert (
                client.post(
                    "/api/_test/users", json={"email": f"u{_}@example.com", "password": "x"}
                ).status_code
                == 201
            )
        limited = client.get("/health")
        assert limited.status_code == 429
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert limited.json() == {"error": RATE_MESSAGE.format(retry_after)}
        assert client.get("/api/notifications").status_code == 429  # before auth


def test_login_and_register_have_their_own_budgets(
    server_factory: Callable[..., RunningServer],
) -> None:
    running = server_factory()
    running.create_user(EMAIL, PASSWORD)
    with connect(running) as client:
        logins = [
            client.post("/api/auth/login", json={"email": EMAIL, "password": "nope"})
            for _ in range(6)
        ]
        assert [r.status_code for r in logins] == [401] * 5 + [429]
        body = {"password": "long-enough"}
        registers = [
            client.post("/api/auth/register", json={**body, "email": f"r{i}@example.com"})
            for i in range(4)
        ]
        assert [r.status_code for r in registers] == [201] * 3 + [429]
        assert "retry-after" in registers[-1].headers
        assert client.get("/health").status_code == 200  # the global budget still has room


def test_the_window_resets(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(rate_per_min=2, rate_window_s=2.0)
    with connect(running) as client:
        assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 429]
        wait_until(lambda: client.get("/health").status_code == 200)


def test_rate_limit_can_be_switched_off(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(rate_limit=False, rate_per_min=1)
    with connect(running) as client:
        assert {client.get("/health").status_code for _ in range(10)} == {200}
        assert "x-ratelimit-limit" not in client.get("/health").headers


# Faults


def test_latency(server: RunningServer) -> None:
    with connect(server) as client:
        set_faults(client, latency_s=0.5)
        started = time.perf_counter()
        assert client.get("/health").status_code == 200
        assert time.perf_counter() - started >= 0.5
        started = time.perf_counter()
        client.get("/api/_test/requests")  # test-control routes are never delayed
        assert time.perf_counter() - started < 0.5


def test_error_rate(server: RunningServer) -> None:
    with connect(server) as client:
        assert set_faults(client, error_rate=1.0).json()["error_rate"] == 1.0
        response = client.get("/health")
        assert (response.status_code, response.json()) == (500, {"error": "Internal server error"})
        set_faults(client, error_rate=0.5)
        statuses = {client.get("/health").status_code for _ in range(40)}
        assert statuses == {200, 500}


def test_429_burst(server: RunningServer) -> None:
    with connect(server) as client:
        set_faults(client, burst_429=2, burst_retry_after_s=7)
        first, second, third = (client.get("/health") for _ in range(3))
        for limited in (first, second):
            assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
            assert limited.json() == {"error": RATE_MESSAGE.format(7)}
        assert third.status_code == 200
        assert client.get("/api/_test/faults").json()["burst_429"] == 0


def test_dropped_connections(server: RunningServer) -> None:
    with connect(server) as client:
        set_faults(client, drop_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/auth/config")
        set_faults(client, drop_rate=0.0)
        assert client.get("/api/auth/config").status_code == 200  # the server lives on


def test_malformed_json(server: RunningServer) -> None:
    with connect(server) as client:
        set_faults(client, malformed_rate=1.0)
        response = client.get("/api/auth/config")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        with pytest.raises(json.JSONDecodeError):
            response.json()


def test_faults_can_target_paths_and_come_from_the_config(
    server_factory: Callable[..., RunningServer],
) -> None:
    running = server_factory(
        test_control=True, rate_limit=False, faults=FaultConfig(error_rate=1.0, paths=("/health",))
    )
    with connect(running) as client:
        assert client.get("/health").status_code == 500
        assert client.get("/api/auth/config").status_code == 200
        running.set_faults(error_rate=0.0)
        assert client.get("/health").status_code == 200


def test_bad_fault_settings_are_refused(server: RunningServer) -> None:
    with connect(server) as client:
        assert set_faults(client, error_rate=2).status_code == 400
        assert set_faults(client, nonsense=1).status_code == 400
        assert set_faults(client, burst_429=True).status_code == 400
        assert client.get("/api/_test/faults").json() == FaultConfig().to_json()


# Request log


def test_request_log_records_requests_but_not_test_control(server: RunningServer) -> None:
    with connect(server) as client:
        client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        client.get("/api/notifications", params={"limit": 5})
        client.get("/nowhere")
        log = client.get("/api/_test/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/api/auth/login", 200),
        ("GET", "/api/notifications", 200),
        ("GET", "/nowhere", 404),
    ]
    login, listing = log[0], log[1]
    assert login["body_keys"] == ["email", "password"]
    assert PASSWORD not in json.dumps(log)
    assert listing["query"] == "limit=5" and listing["bytes"] > 0 and listing["complete"] is True
    assert listing["client"] == "127.0.0.1" and listing["time"].endswith("Z")
    assert server.requests() == log
    with connect(server) as client:
        assert client.delete("/api/_test/requests").json() == {"cleared": 3}
        assert client.get("/api/_test/requests").json() == []


def test_request_log_marks_dropped_answers(server: RunningServer) -> None:
    server.set_faults(drop_rate=1.0)
    with connect(server) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/health")
    [entry] = server.requests()
    assert entry["status"] == 200 and entry["complete"] is False


def test_test_control_is_absent_unless_enabled(
    server_factory: Callable[..., RunningServer],
) -> None:
    running = server_factory(rate_limit=False)
    with connect(running) as client:
        response = client.get("/api/_test/requests")
        assert response.status_code == 404
        assert (
            client.post(
                "/api/_test/users", json={"email": "a@example.com", "password": "x"}
            ).status_code
            == 404
        )
