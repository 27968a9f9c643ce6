"""Server-Sent Events: job events and the proposed notification stream."""

from __future__ import annotations

import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tray_app.reference_server import RunningServer

EMAIL, PASSWORD = "user@example.com", "password-123"
OTHER = "other@example.com"
TLS = ssl.create_default_context()
Item = tuple[str, Any]  # (event name, decoded data) or ("comment", text)


class SseReader:
    """Reads one event stream in a background thread and records what arrives."""

    def __init__(self, url: str, path: str, token: str, *, cookie: bool = False) -> None:
        self.items: list[Item] = []
        self.ended = threading.Event()
        self.started = threading.Event()
        self.status: int | None = None
        self.content_type: str | None = None
        self._lock = threading.Lock()
        headers = {"Cookie": f"token={token}"} if cookie else {"Authorization": f"Bearer {token}"}
        self._client = httpx.Client(base_url=url, timeout=httpx.Timeout(5.0, read=10.0), verify=TLS)
        self._thread = threading.Thread(target=self._run, args=(path, headers), daemon=True)
        self._thread.start()
        assert self.started.wait(5.0), "the stream did not answer"

    def _run(self, path: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", path, headers=headers) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type")
                self.started.set()
                self._parse(response.iter_lines())
        except httpx.HTTPError:
            pass
        finally:
            self.started.set()
            self.ended.set()

    def _parse(self, lines: Iterator[str]) -> None:
        event, data = "message", []
        for line in lines:
            if line.startswith(":"):
                self._add(("comment", line[1:].strip()))
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                self._add((event, json.loads("\n".join(data))))
                event, data = "message", []

    def _add(self, item: Item) -> None:
        with self._lock:
            self.items.append(item)

    def snapshot(self, *, comments: bool = False) -> list[Item]:
        with self._lock:
            return [item for item in self.items if comments or item[0] != "comment"]

    def wait_for(self, predicate: Callable[[list[Item]], bool], timeout: float = 5.0) -> list[Item]:
        deadline = time.monotonic() + timeout
        while not predicate(self.snapshot(comments=True)):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"stream condition not met; got {self.snapshot(comments=True)}"
                )
            time.sleep(0.01)
        return self.snapshot()

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=5.0)


@pytest.fixture(params=["observed", "documented"])
def fast_server(
    request: pytest.FixtureRequest, server_factory: Callable[..., RunningServer]
) -> RunningServer:
    """A server whose streams send a heartbeat every 0.1 s."""
    running = server_factory(
        flavor=request.param, test_control=True, rate_limit=False, heartbeat_s=0.1
    )
    running.create_user(EMAIL, PASSWORD)
    running.create_user(OTHER, PASSWORD)
    return running


@pytest.fixture
def readers() -> Iterator[list[SseReader]]:
    opened: list[SseReader] = []
    yield opened
    for reader in opened:
        reader.close()


def login(running: RunningServer, email: str = EMAIL) -> str:
    with httpx.Client(base_url=running.url, verify=TLS) as client:
        response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    return response.headers["set-cookie"].split(";")[0].removeprefix("token=")


def control(running: RunningServer, path: str, **body: Any) -> Any:
    with httpx.Client(base_url=running.url, verify=TLS) as client:
        response = client.post(f"/api/_test/{path}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def api(running: RunningServer, token: str, method: str, path: str) -> httpx.Response:
    with httpx.Client(base_url=running.url, verify=TLS) as client:
        return client.request(method, path, headers={"Authorization": f"Bearer {token}"})


def kinds(items: list[Item]) -> list[str]:
    return [name for name, _ in items]


# The notification stream


def test_stream_relays_every_change_with_the_unread_count(
    fast_server: RunningServer, readers: list[SseReader]
) -> None:
    token = login(fast_server)
    control(fast_server, "notifications", email=EMAIL, type="quota_warning")
    reader = SseReader(fast_server.url, "/api/notifications/stream", token)
    readers.append(reader)
    assert reader.status == 200 and reader.content_type is not None
    assert reader.content_type.startswith("text/event-stream")
    reader.wait_for(lambda items: len(items) >= 1)
    assert reader.snapshot()[0] == ("hello", {"unreadCount": 1})
    row = control(fast_server, "notifications", email=EMAIL, type="job_completed")
    read = control(fast_server, "notifications", email=EMAIL, type="weekly_report", is_read=True)
    api(fast_server, token, "PATCH", f"/api/notifications/{row['id']}/read")
    api(fast_server, token, "DELETE", f"/api/notifications/{read['id']}")
    mark_all = "POST" if fast_server.config.flavor == "documented" else "PATCH"
    api(fast_server, token, mark_all, "/api/notifications/read-all")
    api(fast_server, token, "DELETE", "/api/notifications")
    items = reader.wait_for(lambda items: len([i for i in items if i[0] != "comment"]) >= 7)
    assert kinds(items) == ["hello", "created", "created", "updated", "deleted", "sync", "sync"]
    assert items[1][1] == {"notification": row, "unreadCount": 2}
    assert items[2][1]["unreadCount"] == 2 and items[2][1]["notification"]["is_read"] is True
    assert items[3][1] == {"notification": {**row, "is_read": True}, "unreadCount": 1}
    assert items[4][1] == {"id": read["id"], "unreadCount": 1}
    assert items[5][1] == {"unreadCount": 0} and items[6][1] == {"unreadCount": 0}


def test_stream_carries_notifications_from_the_dispatcher_and_jobs(
    fast_server: RunningServer, readers: list[SseReader]
) -> None:
    reader = SseReader(fast_server.url, "/api/notifications/stream", login(fast_server))
    readers.append(reader)
    control(fast_server, "notify", email=EMAIL, category="integrity_alert")
    control(fast_server, "jobs", email=EMAIL, type="archive_mails", duration_s=0.1)
    items = reader.wait_for(lambda items: len([i for i in items if i[0] == "created"]) >= 2)
    types = [data["notification"]["type"] for name, data in items if name == "created"]
    assert types == ["integrity_alert", "job_completed"]


def test_streams_are_per_user_and_sql_writes_are_not_streamed(
    fast_server: RunningServer, readers: list[SseReader]
) -> None:
    mine = SseReader(fast_server.url, "/api/notifications/stream", login(fast_server))
    theirs = SseReader(
        fast_server.url, "/api/notifications/stream", login(fast_server, OTHER), cookie=True
    )
    readers.extend([mine, theirs])
    user_id = fast_server.sql("SELECT id FROM users WHERE email = ?", (EMAIL,))[0][0]
    fast_server.sql(
        "INSERT INTO notifications (user_id, type, title) VALUES (?, 'quota_warning', 'x')",
        (user_id,),
    )
    row = control(fast_server, "notifications", email=EMAIL, type="job_failed")
    items = mine.wait_for(lambda items: "created" in kinds(items))
    assert kinds(items) == ["hello", "created"]
    assert items[1][1] == {"notification": row, "unreadCount": 2}  # the SQL row counts, unstreamed
    other_row = control(fast_server, "notifications", email=OTHER, type="job_failed")
    items = theirs.wait_for(lambda items: "created" in kinds(items))
    assert items == [
        ("hello", {"unreadCount": 0}),
        ("created", {"notification": other_row, "unreadCount": 1}),
    ]


def test_stream_sends_heartbeats(fast_server: RunningServer, readers: list[SseReader]) -> None:
    reader = SseReader(fast_server.url, "/api/notifications/stream", login(fast_server))
    readers.append(reader)
    reader.wait_for(lambda items: ("comment", "heartbeat") in items)


def test_stream_needs_auth_and_can_be_switched_off(
    server_factory: Callable[..., RunningServer],
) -> None:
    running = server_factory(rate_limit=False, notification_stream=False)
    running.create_user(EMAIL, PASSWORD)
    with httpx.Client(base_url=running.url, verify=TLS) as client:
        response = client.get(
            "/api/notifications/stream", headers={"Authorization": f"Bearer {login(running)}"}
        )
        assert response.status_code == 404
        assert response.json()["message"] == "Route GET:/api/notifications/stream not found"
    other = server_factory(rate_limit=False)
    with httpx.Client(base_url=other.url, verify=TLS) as client:
        assert client.get("/api/notifications/stream").json() == {"error": "Unauthorized"}


def test_stop_ends_open_streams_quickly(
    fast_server: RunningServer, readers: list[SseReader]
) -> None:
    token = login(fast_server)
    reader = SseReader(fast_server.url, "/api/notifications/stream", token)
    job = control(fast_server, "jobs", email=EMAIL, duration_s=30)
    job_reader = SseReader(fast_server.url, f"/api/jobs/{job['id']}/events", token)
    readers.extend([reader, job_reader])
    reader.wait_for(lambda items: "hello" in kinds(items))
    job_reader.wait_for(lambda items: len(items) >= 1)
    started = time.perf_counter()
    fast_server.stop()
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"stop took {elapsed:.3f} s"
    assert reader.ended.wait(2.0) and job_reader.ended.wait(2.0)


# Job events


def test_job_events_of_a_running_job(fast_server: RunningServer, readers: list[SseReader]) -> None:
    token = login(fast_server)
    job = control(fast_server, "jobs", email=EMAIL, type="import_mbox", duration_s=0.5, total=40)
    reader = SseReader(fast_server.url, f"/api/jobs/{job['id']}/events", token)
    readers.append(reader)
    items = reader.wait_for(
        lambda items: any(i[1].get("event") == "completed" for i in items if i[0] == "message")
    )
    first = items[0][1]
    assert (
        items[0][0] == "message"
        and first["id"] == job["id"]
        and first["bullmq_id"] == job["bullmq_id"]
    )
    updates = [data for _, data in items[1:]]
    assert all(
        set(u) == {"bullmqId", "event", "status", "progress", "processed", "total"} for u in updates
    )
    assert all(u["bullmqId"] == job["bullmq_id"] for u in updates)
    progress = [u for u in updates if u["event"] == "progress"]
    assert len(progress) >= 2 and progress[-1]["status"] == "active"
    assert [u["progress"] for u in progress] == sorted(u["progress"] for u in progress)
    assert updates[-1] == {
        "bullmqId": job["bullmq_id"], "event": "completed", "status": "completed",
        "progress": 100, "processed": 40, "total": 40,
    }  # fmt: skip
    # After "completed" the stream stays open: heartbeats keep coming, no close.
    count = len(reader.snapshot(comments=True))
    reader.wait_for(lambda items: len(items) > count and items[-1] == ("comment", "heartbeat"))
    assert not reader.ended.is_set() and "close" not in kinds(reader.snapshot())


def test_job_events_of_a_failing_job(fast_server: RunningServer, readers: list[SseReader]) -> None:
    job = control(
        fast_server, "jobs", email=EMAIL, duration_s=0.3, outcome="failed", error="Error: disk full"
    )
    reader = SseReader(fast_server.url, f"/api/jobs/{job['id']}/events", login(fast_server))
    readers.append(reader)
    items = reader.wait_for(
        lambda items: any(i[1].get("event") == "failed" for i in items if i[0] == "message")
    )
    failed = items[-1][1]
    assert (failed["status"], failed["error"]) == ("failed", "Error: disk full")


def test_job_events_of_a_finished_job_close_at_once(
    fast_server: RunningServer, readers: list[SseReader]
) -> None:
    token = login(fast_server)
    job = control(fast_server, "jobs", email=EMAIL, duration_s=0.05)
    with httpx.Client(
        base_url=fast_server.url, verify=TLS, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        deadline = time.monotonic() + 5
        while client.get(f"/api/jobs/{job['id']}").json()["status"] != "completed":
            assert time.monotonic() < deadline
            time.sleep(0.02)
    reader = SseReader(fast_server.url, f"/api/jobs/{job['id']}/events", token)
    readers.append(reader)
    assert reader.ended.wait(5.0)
    items = reader.snapshot()
    assert kinds(items) == ["message", "close"]
    assert items[0][1]["status"] == "completed" and items[1][1] == {}


def test_job_events_errors(fast_server: RunningServer) -> None:
    token = login(fast_server)
    job = control(fast_server, "jobs", email=EMAIL, duration_s=0.05)
    with httpx.Client(base_url=fast_server.url, verify=TLS) as client:
        auth = {"Authorization": f"Bearer {token}"}
        unknown = client.get(f"/api/jobs/{uuid.uuid4()}/events", headers=auth)
        assert (unknown.status_code, unknown.json()) == (404, {"error": "Job not found"})
        queue_id = client.get(f"/api/jobs/{job['bullmq_id']}/events", headers=auth)
        assert (queue_id.status_code, queue_id.json()) == (500, {"error": "Internal server error"})
        # The token is not accepted in the query string.
        in_query = client.get(f"/api/jobs/{job['id']}/events", params={"token": token})
        assert (in_query.status_code, in_query.json()) == (401, {"error": "Unauthorized"})
