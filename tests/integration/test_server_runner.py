"""Starting, stopping and restarting the reference server; its CLI, demo data and simulator."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tray_app.reference_server import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    RunningServer,
    ServerConfig,
    start_in_thread,
)

EMAIL, PASSWORD = "user@example.com", "password-123"
TLS = ssl.create_default_context()


def connect(running: RunningServer, email: str = EMAIL, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=running.url, timeout=5.0, verify=TLS)
    assert (
        client.post("/api/auth/login", json={"email": email, "password": password}).status_code
        == 200
    )
    return client


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_start_and_stop_take_well_under_a_second() -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        running = start_in_thread(ServerConfig(test_control=True, rate_limit=False))
        up = time.perf_counter()
        running.close()
        timings.append((up - started, time.perf_counter() - up))
    worst_start = max(t[0] for t in timings)
    worst_stop = max(t[1] for t in timings)
    print(
        f"start+stop: worst start {worst_start * 1e3:.1f} ms, worst stop {worst_stop * 1e3:.1f} ms"
    )
    assert worst_start < 0.5 and worst_stop < 0.5


def test_stop_and_start_keep_the_port_the_data_and_the_tokens(server: RunningServer) -> None:
    url = server.url
    client = connect(server)
    client.post("/api/_test/notifications", json={"email": EMAIL, "type": "job_completed"})
    server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        client.get("/health")
    server.start()
    assert server.url == url
    page = client.get("/api/notifications").json()  # the cookie from before still works
    assert len(page["notifications"]) == 1
    server.restart()
    assert client.get("/api/notifications").json()["unreadCount"] == 1
    client.close()


def test_a_job_interrupted_by_a_stop_finishes_after_start(server: RunningServer) -> None:
    with closing(connect(server)) as client:
        job = client.post(
            "/api/_test/jobs", json={"email": EMAIL, "duration_s": 0.6, "total": 60}
        ).json()
        wait_until(lambda: client.get(f"/api/jobs/{job['id']}").json()["processed"] > 0)
        server.stop()
        [(processed,)] = server.sql("SELECT processed FROM jobs WHERE id = ?", (job["id"],))
        assert 0 < processed < 60
        server.start()
        wait_until(lambda: client.get(f"/api/jobs/{job['id']}").json()["status"] == "completed")
        assert (
            client.get("/api/notifications").json()["notifications"][0]["data"]["jobId"]
            == job["bullmq_id"]
        )


def test_a_database_file_outlives_its_server(
    tmp_path: Path, server_factory: Callable[..., RunningServer]
) -> None:
    path = str(tmp_path / "server.sqlite3")
    first = server_factory(db_path=path, rate_limit=False)
    first.create_user(EMAIL, PASSWORD)
    first.close()
    second = server_factory(db_path=path, rate_limit=False)
    with closing(connect(second)) as client:
        assert client.get("/api/auth/me").json()["user"]["email"] == EMAIL
    assert second.sql("PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize(
    "config",
    [
        {"host": "0.0.0.0"},
        {"host": "0.0.0.0", "allow_remote": True, "test_control": True},
        {"flavor": "imagined"},
        {"token_ttl_s": 0},
    ],
)
def test_unsafe_or_invalid_configs_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        start_in_thread(ServerConfig(**config))


def test_the_demo_seed(server_factory: Callable[..., RunningServer], tmp_path: Path) -> None:
    path = str(tmp_path / "demo.sqlite3")
    running = server_factory(seed_demo=True, db_path=path, rate_limit=False)
    assert running.demo is not None and running.demo.created
    expected_types = {
        "weekly_report": 4, "job_completed": 12, "rule_executed": 6,
        "job_failed": 5, "quota_warning": 3, "integrity_alert": 2,
    }  # fmt: skip
    assert running.demo.notifications_by_type == expected_types
    assert running.demo.jobs_by_status == {"completed": 20, "failed": 3}
    with closing(connect(running, DEMO_EMAIL, DEMO_PASSWORD)) as client:
        page = client.get("/api/notifications", params={"limit": 100}).json()
        assert len(page["notifications"]) == 32 and page["unreadCount"] == running.demo.unread == 9
        others = [n for n in page["notifications"] if n["type"] != "integrity_alert"]
        alerts = [n for n in page["notifications"] if n["type"] == "integrity_alert"]
        assert [n["is_read"] for n in others[:9]] == [False] * 8 + [True]
        assert [n["is_read"] for n in alerts] == [False, True]
        job_ids = {j["bullmq_id"] for j in client.get("/api/jobs").json()}
        assert len(job_ids) == 23
        referenced = {
            n["data"]["jobId"] for n in page["notifications"] if "jobId" in (n["data"] or {})
        }
        assert referenced <= job_ids
        assert client.get("/api/notifications/preferences").json()["rule_executed"] is True
    running.close()
    again = server_factory(seed_demo=True, db_path=path, rate_limit=False)
    assert again.demo is not None and not again.demo.created
    assert again.sql("SELECT COUNT(*) FROM notifications") == [(32,)]


def test_the_simulator_is_reproducible(server_factory: Callable[..., RunningServer]) -> None:
    runs = []
    for _ in range(2):
        running = server_factory(test_control=True, rate_limit=False, seed=7)
        running.create_user(EMAIL, PASSWORD)
        with httpx.Client(base_url=running.url, verify=TLS) as client:
            runs.append(client.post("/api/_test/simulate", json={"count": 30}).json()["events"])
    assert runs[0] == runs[1]
    assert {"weekly_report", "quota_warning", "integrity_alert"} & set(runs[0])
    assert any(event.startswith("job:") for event in runs[0])


def test_the_simulator_runs_at_its_rate(server_factory: Callable[..., RunningServer]) -> None:
    running = server_factory(rate_limit=False, simulate_rate=600, seed=3)
    running.create_user(EMAIL, PASSWORD)
    with closing(connect(running)) as client:
        wait_until(
            lambda: len(client.get("/api/notifications").json()["notifications"]) >= 3, timeout=20
        )
        wait_until(
            lambda: any(j["status"] != "pending" for j in client.get("/api/jobs").json()),
            timeout=20,
        )
        titles = [n["title"] for n in client.get("/api/notifications").json()["notifications"]]
        assert all(titles)


def _run_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tray_app.reference_server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_cli_serves_until_sigint(tmp_path: Path) -> None:
    process = _run_cli(
        "--port",
        "0",
        "--seed-demo",
        "--db",
        str(tmp_path / "cli.sqlite3"),
        "--log-level",
        "WARNING",
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Reference server listening on http://127.0.0.1:")
        url = first.split()[4]
        lines = [process.stdout.readline() for _ in range(3)]
        assert f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}\n" in lines
        with httpx.Client(base_url=url, verify=TLS) as client:
            assert client.get("/health").status_code == 200
            login = client.post(
                "/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_cli_refuses_a_remote_host_without_allow_remote() -> None:
    process = _run_cli("--host", "0.0.0.0")
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2 and "allow_remote" in err
