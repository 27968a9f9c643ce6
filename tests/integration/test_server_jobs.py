"""Contract tests of the jobs routes and of jobs run by the reference server."""

from __future__ import annotations

import json
import re
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest

from tray_app.reference_server import RunningServer

EMAIL, PASSWORD = "user@example.com", "password-123"
TLS = ssl.create_default_context()
SERVER_ERROR = {"error": "Internal server error"}
JOB_KEYS = {
    "id", "bullmq_id", "type", "status", "progress", "total", "processed", "gmail_account_id",
    "user_id", "payload", "error", "created_at", "completed_at",
}  # fmt: skip


@pytest.fixture(params=["observed", "documented"])
def any_server(request: pytest.FixtureRequest) -> RunningServer:
    name = "server" if request.param == "observed" else "documented_server"
    running: RunningServer = request.getfixturevalue(name)
    return running


def connect(running: RunningServer, email: str = EMAIL) -> httpx.Client:
    client = httpx.Client(base_url=running.url, timeout=5.0, verify=TLS)
    assert (
        client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 200
    )
    return client


@pytest.fixture
def client(any_server: RunningServer) -> Iterator[httpx.Client]:
    with closing(connect(any_server)) as c:
        yield c


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def start_job(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/_test/jobs", json={"email": EMAIL, **fields})
    assert response.status_code == 201, response.text
    job: dict[str, Any] = response.json()
    return job


def job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    response = client.get(f"/api/jobs/{job_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def insert_job(
    running: RunningServer, user_email: str, created_at: str, status: str = "completed"
) -> str:
    user_id = running.sql("SELECT id FROM users WHERE email = ?", (user_email,))[0][0]
    job_id = str(uuid.uuid4())
    running.sql(
        "INSERT INTO jobs (id, bullmq_id, type, status, user_id, payload, created_at,"
        " gmail_account_id) VALUES (?, ?, 'archive_mails', ?, ?, ?, ?, ?)",
        (
            job_id,
            f"archive_mails-{len(created_at)}",
            status,
            user_id,
            json.dumps({"q": 1}),
            created_at,
            "acc-1",
        ),
    )
    return job_id


def test_list_is_the_50_newest_of_the_user(any_server: RunningServer, client: httpx.Client) -> None:
    any_server.create_user("other@example.com", PASSWORD)
    stamps = [f"2026-03-01T10:00:{i:02d}.000Z" for i in range(55)]
    mine = [insert_job(any_server, EMAIL, stamp) for stamp in stamps]
    insert_job(any_server, "other@example.com", "2026-03-02T00:00:00.000Z")
    jobs = client.get("/api/jobs").json()
    assert [j["id"] for j in jobs] == list(reversed(mine))[:50]
    assert set(jobs[0]) == JOB_KEYS
    assert jobs[0]["payload"] == {"q": 1} and jobs[0]["created_at"] == stamps[-1]


def test_status_and_account_filters(any_server: RunningServer, client: httpx.Client) -> None:
    failed = insert_job(any_server, EMAIL, "2026-03-01T10:00:00.000Z", status="failed")
    insert_job(any_server, EMAIL, "2026-03-01T11:00:00.000Z", status="completed")
    assert [j["id"] for j in client.get("/api/jobs", params={"status": "failed"}).json()] == [
        failed
    ]
    assert client.get("/api/jobs", params={"status": "cancelled"}).json() == []
    assert len(client.get("/api/jobs", params={"accountId": "acc-1"}).json()) == 2
    assert client.get("/api/jobs", params={"accountId": "acc-2"}).json() == []


def test_one_job_with_its_queue_state(any_server: RunningServer, client: httpx.Client) -> None:
    job_id = insert_job(any_server, EMAIL, "2026-03-01T10:00:00.000Z")
    row = job(client, job_id)
    assert set(row) == {*JOB_KEYS, "bullmqState"}
    assert row["bullmqState"] == "completed"
    unknown = client.get(f"/api/jobs/{uuid.uuid4()}")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "Job not found"})
    bad = client.get("/api/jobs/archive_mails-1795810558309")
    assert (bad.status_code, bad.json()) == (500, SERVER_ERROR)


def test_another_users_job_is_404(any_server: RunningServer, client: httpx.Client) -> None:
    any_server.create_user("other@example.com", PASSWORD)
    theirs = insert_job(any_server, "other@example.com", "2026-03-01T10:00:00.000Z")
    assert client.get(f"/api/jobs/{theirs}").status_code == 404
    assert client.get(f"/api/jobs/{theirs}/events").status_code == 404


def test_a_job_runs_to_completion_and_notifies(client: httpx.Client) -> None:
    created = start_job(client, type="archive_mails", duration_s=0.4, total=42)
    assert created["status"] == "pending" and created["total"] == 42
    assert re.fullmatch(r"archive_mails-\d{13}", created["bullmq_id"])
    seen: set[str] = set()

    def finished() -> bool:
        status: str = job(client, created["id"])["status"]
        seen.add(status)
        return status == "completed"

    wait_until(finished)
    assert "active" in seen
    row = job(client, created["id"])
    assert (row["progress"], row["processed"], row["error"]) == (100, 42, None)
    assert row["completed_at"] is not None and row["bullmqState"] == "completed"
    notification = client.get("/api/notifications").json()["notifications"][0]
    assert notification["type"] == "job_completed" and notification["title"] == "Archivage terminé"
    assert notification["data"] == {"jobId": created["bullmq_id"], "count": 42}
    assert notification["body"] == "42 mail(s) archivé(s) sur le NAS."


def test_a_failing_job_is_retried_and_notifies_each_failure(client: httpx.Client) -> None:
    created = start_job(
        client,
        type="bulk_operation",
        duration_s=0.2,
        outcome="failed",
        attempts=2,
        error="Error: boom",
    )
    wait_until(lambda: len(client.get("/api/notifications").json()["notifications"]) == 2)
    wait_until(lambda: job(client, created["id"])["bullmqState"] == "failed")
    row = job(client, created["id"])
    assert (row["status"], row["error"]) == ("failed", "Error: boom")
    rows = client.get("/api/notifications").json()["notifications"]
    assert {n["type"] for n in rows} == {"job_failed"}
    assert all(n["title"] == "Opération bulk échouée" and n["body"] == "Error: boom" for n in rows)
    assert all(n["data"]["jobId"] == created["bullmq_id"] and "action" in n["data"] for n in rows)


def test_a_job_retried_after_a_failure_can_complete(client: httpx.Client) -> None:
    created = start_job(client, type="import_mbox", duration_s=0.2, attempts=2, total=10)
    wait_until(lambda: job(client, created["id"])["status"] == "completed")
    types = [n["type"] for n in client.get("/api/notifications").json()["notifications"]]
    assert types == ["job_completed", "job_failed"]
    data = client.get("/api/notifications").json()["notifications"][0]["data"]
    assert set(data) == {"jobId", "imported", "skipped", "errors"}
    assert data["imported"] + data["skipped"] + data["errors"] == 10


def test_rule_jobs_notify_rule_executed_only_when_enabled(client: httpx.Client) -> None:
    first = start_job(client, type="run_rule", duration_s=0.1)
    wait_until(lambda: job(client, first["id"])["status"] == "completed")
    assert client.get("/api/notifications").json()["notifications"] == []  # rule_executed is off
    client.put("/api/notifications/preferences", json={"rule_executed": True})
    second = start_job(client, type="run_rule", duration_s=0.1, total=17)
    wait_until(lambda: job(client, second["id"])["status"] == "completed")
    [row] = client.get("/api/notifications").json()["notifications"]
    assert row["type"] == "rule_executed" and row["body"] == "17 mail(s) traité(s)."
    assert row["title"] == f'Règle "{second["payload"]["ruleName"]}" exécutée'
    assert set(row["data"]) == {"jobId", "ruleId", "ruleName"}


def test_dashboard_syncs_are_silent(client: httpx.Client) -> None:
    created = start_job(client, type="sync_dashboard", duration_s=0.1)
    wait_until(lambda: job(client, created["id"])["status"] == "completed")
    assert client.get("/api/notifications").json()["notifications"] == []


def test_test_control_rejects_bad_job_requests(client: httpx.Client) -> None:
    assert client.post("/api/_test/jobs", json={"email": "nobody@example.com"}).status_code == 404
    bad = client.post("/api/_test/jobs", json={"email": EMAIL, "outcome": "exploded"})
    assert bad.status_code == 400
    assert (
        client.post("/api/_test/jobs", json={"email": EMAIL, "duration_s": "1"}).status_code == 400
    )
