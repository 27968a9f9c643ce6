"""ApiClient: a job's Server-Sent Events and the notification stream."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, TypeVar

import httpx
import pytest
from api_fakes import ChunkStream, FakeServer, job_row, json_response, row, sse_response

from tray_app.api.client import DEFAULT_STREAM_READ_TIMEOUT, ApiClient
from tray_app.api.errors import AuthError, NetworkError, ProtocolError, StreamUnavailable
from tray_app.api.models import JobEvent, StreamEvent

pytestmark = pytest.mark.anyio

T = TypeVar("T")
JOB = job_row(7, "active")
JOB_ID = JOB["id"]
EVENTS_PATH = f"/api/jobs/{JOB_ID}/events"
STREAM_PATH = "/api/notifications/stream"


def data(obj: Any, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(obj)}\n\n"


def update(kind: str, **fields: Any) -> str:
    return data({"bullmqId": JOB["bullmq_id"], "event": kind, **fields})


async def collect(events: AsyncGenerator[T, None]) -> list[T]:
    async with aclosing(events) as stream:
        return [event async for event in stream]


# --- job events ------------------------------------------------------------------------


async def test_job_events_row_progress_completed_then_close(
    fake: FakeServer, api: ApiClient
) -> None:
    fake.streams[JOB_ID] = sse_response(
        data(JOB),
        ": heartbeat\n\n",
        update("progress", status="active", progress=50, processed=50, total=100),
        ": heartbeat\n\n",
        update("completed", status="completed", progress=100, processed=100, total=100),
        "event: close\ndata: {}\n\n",
        data({"event": "progress", "progress": 1}),  # after close: never read
    )
    events = await collect(api.job_events(JOB_ID))
    assert [e.kind for e in events] == ["row", "progress", "completed"]
    assert events[0].job is not None and events[0].job.id == JOB_ID
    assert (events[1].progress, events[1].processed, events[1].total) == (50, 50, 100)
    assert events[2] == JobEvent(
        kind="completed",
        status="completed",
        progress=100,
        processed=100,
        total=100,
        bullmq_id=JOB["bullmq_id"],
    )
    request = fake.requests[0]
    assert request.url.path == EVENTS_PATH
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["authorization"] == f"Bearer {api.token}"


async def test_a_finished_job_sends_its_row_then_close(fake: FakeServer, api: ApiClient) -> None:
    fake.streams[JOB_ID] = sse_response(data(job_row(7, "failed")), "event: close\ndata: {}\n\n")
    events = await collect(api.job_events(JOB_ID))
    assert [(e.kind, e.status) for e in events] == [("row", "failed")]


async def test_messages_split_across_chunks_and_crlf(fake: FakeServer, api: ApiClient) -> None:
    text = (data(JOB) + update("failed", status="failed", error="Error: boom")).replace(
        "\n", "\r\n"
    )
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    fake.streams[JOB_ID] = sse_response(*chunks, "event: close\r\n\r\n")
    events = await collect(api.job_events(JOB_ID))
    assert [(e.kind, e.error) for e in events] == [("row", None), ("failed", "Error: boom")]


async def test_unreadable_messages_are_skipped(fake: FakeServer, api: ApiClient) -> None:
    fake.streams[JOB_ID] = sse_response(
        data(JOB),
        "data: {not json\n\n",
        data([1, 2]),
        "id: 5\n\n\n\n",  # httpx-sse then yields empty messages on blank lines
        update("progress", progress=70),
        "event: close\n\n",
    )
    events = await collect(api.job_events(JOB_ID))
    assert [(e.kind, e.progress) for e in events] == [("row", 10), ("progress", 70)]


async def test_a_job_stream_ending_after_a_terminal_event_ends_cleanly(
    fake: FakeServer, api: ApiClient
) -> None:
    fake.streams[JOB_ID] = sse_response(data(JOB), update("completed", status="completed"))
    events = await collect(api.job_events(JOB_ID))
    assert [e.kind for e in events] == ["row", "completed"]


async def test_a_job_stream_cut_short_is_a_network_error(fake: FakeServer, api: ApiClient) -> None:
    fake.streams[JOB_ID] = sse_response(data(JOB), update("progress", progress=20))
    seen: list[str] = []
    with pytest.raises(NetworkError):
        async with aclosing(api.job_events(JOB_ID)) as events:
            async for event in events:
                seen.append(event.kind)
    assert seen == ["row", "progress"]


async def test_a_dropped_connection_is_a_network_error(fake: FakeServer, api: ApiClient) -> None:
    body = ChunkStream([data(JOB)], error=httpx.ReadError("connection reset"))
    fake.streams[JOB_ID] = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=body
    )
    with pytest.raises(NetworkError):
        await collect(api.job_events(JOB_ID))
    assert body.closed


async def test_closing_early_closes_the_connection(fake: FakeServer, api: ApiClient) -> None:
    body = ChunkStream([data(JOB), update("progress", progress=20)])
    fake.streams[JOB_ID] = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=body
    )
    async with aclosing(api.job_events(JOB_ID)) as events:
        async for event in events:
            assert event.kind == "row"
            break
    assert body.closed


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (json_response(401, {"error": "Unauthorized"}), AuthError),
        (json_response(404, {"error": "Job not found"}), ProtocolError),
        (json_response(200, {"id": JOB_ID}), ProtocolError),
    ],
)
async def test_job_stream_refusals(
    fake: FakeServer, api: ApiClient, response: httpx.Response, error: type[Exception]
) -> None:
    fake.streams[JOB_ID] = response
    with pytest.raises(error) as caught:
        await collect(api.job_events(JOB_ID))
    assert not isinstance(caught.value, StreamUnavailable)


async def test_streams_wait_for_heartbeats_not_for_the_request_timeout(
    fake: FakeServer,
) -> None:
    fake.streams[JOB_ID] = sse_response("event: close\n\n")
    async with ApiClient(
        "http://127.0.0.1:1", token="a.b.c", transport=fake.transport(), timeout=4.0
    ) as api:
        fake.tokens.add("a.b.c")
        await collect(api.job_events(JOB_ID))
    timeout = fake.requests[0].extensions["timeout"]
    assert timeout == {
        "connect": 4.0,
        "read": DEFAULT_STREAM_READ_TIMEOUT,
        "write": 4.0,
        "pool": 4.0,
    }


async def test_the_stream_read_timeout_can_be_turned_off(fake: FakeServer) -> None:
    fake.queue("GET", STREAM_PATH, sse_response("event: close\n\n"))
    fake.tokens.add("a.b.c")
    async with ApiClient(
        "http://127.0.0.1:1", token="a.b.c", transport=fake.transport(), stream_read_timeout=None
    ) as api:
        await collect(api.notification_stream())
    assert fake.requests[0].extensions["timeout"]["read"] is None


# --- notification stream ---------------------------------------------------------------


async def test_notification_stream_events(fake: FakeServer, api: ApiClient) -> None:
    fake.queue(
        "GET",
        STREAM_PATH,
        sse_response(
            data({"unreadCount": 3}, "hello"),
            ": heartbeat\n\n",
            data({"notification": row(31), "unreadCount": 4}, "created"),
            data({"notification": row(31, read=True), "unreadCount": 3}, "updated"),
            data({"id": row(31)["id"], "unreadCount": 3}, "deleted"),
            ": heartbeat\n\n",
            data({"unreadCount": 0}, "sync"),
            data({"whatever": 1}, "future_kind"),
            data({"unreadCount": -2}, "sync"),
            "event: close\ndata: {}\n\n",
        ),
    )
    events = await collect(api.notification_stream())
    assert [(e.kind, e.unread_count, e.notification_id) for e in events] == [
        ("hello", 3, None),
        ("created", 4, row(31)["id"]),
        ("updated", 3, row(31)["id"]),
        ("deleted", 3, row(31)["id"]),
        ("sync", 0, None),
        ("sync", 0, None),
    ]
    created = events[1].notification
    assert created is not None and created.title == row(31)["title"] and not created.is_read
    assert events[2].notification is not None and events[2].notification.is_read


async def test_an_unreadable_change_becomes_a_sync(fake: FakeServer, api: ApiClient) -> None:
    fake.queue(
        "GET",
        STREAM_PATH,
        sse_response(
            data({"notification": {"id": "nope"}, "unreadCount": 4}, "created"),
            "event: deleted\ndata: [oops\n\n",
            "event: close\n\n",
        ),
    )
    events = await collect(api.notification_stream())
    assert events == [StreamEvent(kind="sync", unread_count=None)] * 2


@pytest.mark.parametrize("status", [404, 405])
async def test_a_server_without_a_stream(fake: FakeServer, api: ApiClient, status: int) -> None:
    if status != 404:
        fake.queue("GET", STREAM_PATH, json_response(status, {"error": "Method Not Allowed"}))
    with pytest.raises(StreamUnavailable) as caught:
        await collect(api.notification_stream())
    assert isinstance(caught.value, ProtocolError)
    assert caught.value.status == status


async def test_a_json_answer_instead_of_a_stream_is_unavailable(
    fake: FakeServer, api: ApiClient
) -> None:
    fake.queue("GET", STREAM_PATH, json_response(200, {"notifications": []}))
    with pytest.raises(StreamUnavailable):
        await collect(api.notification_stream())


async def test_notification_stream_auth_and_end(fake: FakeServer, api: ApiClient) -> None:
    fake.queue("GET", STREAM_PATH, json_response(401, {"error": "Unauthorized"}))
    with pytest.raises(AuthError):
        await collect(api.notification_stream())
    fake.queue("GET", STREAM_PATH, sse_response(data({"unreadCount": 1}, "hello")))
    seen: list[StreamEvent] = []
    with pytest.raises(NetworkError):
        async with aclosing(api.notification_stream()) as events:
            async for event in events:
                seen.append(event)
    assert [e.kind for e in seen] == ["hello"]
