"""Server-Sent Events of the API: a job's progress and the notification stream.

Both are async generators over an open ``text/event-stream`` answer (httpx-sse does the
line decoding). ``: heartbeat`` comments never reach the caller; they only keep the
read timeout of the stream from firing (see :class:`tray_app.api._http.Requester`).
``event: close`` ends a stream cleanly. A stream that just stops otherwise raises
:class:`NetworkError`, so that the caller reconnects.

Close the generators when done (``contextlib.aclosing``), which closes the connection;
merely leaving an ``async for`` loop leaves that to the garbage collector.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import Any, Final

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from tray_app.api._http import Requester
from tray_app.api.errors import NetworkError, ProtocolError, StreamUnavailable
from tray_app.api.models import JobEvent, StreamEvent
from tray_app.api.parsing import STREAM_KINDS, parse_job_event, parse_stream_event

logger = logging.getLogger(__name__)

NOTIFICATION_STREAM_PATH: Final = "/api/notifications/stream"
_CLOSE: Final = "close"
_TERMINAL_JOB_KINDS: Final = frozenset({"completed", "failed"})


async def iter_job_events(requester: Requester, job_id: str) -> AsyncGenerator[JobEvent, None]:
    """The events of ``/api/jobs/<job_id>/events`` (``job_id`` already checked).

    First the job row (kind ``"row"``), then ``progress`` / ``completed`` / ``failed``.
    Ends on ``event: close`` (sent when the job had already finished), or when the
    server closes the connection after a terminal event; an unreadable message is
    logged and skipped.
    """
    finished = False
    async with _open(requester, f"/api/jobs/{job_id}/events") as messages:
        async for sse in messages:
            if sse.event == _CLOSE:
                return
            try:
                event = parse_job_event(sse.event, _load(sse.data))
            except ProtocolError as exc:
                logger.warning("Skipped an unreadable job event: %s", exc.message)
                continue
            job_done = event.job is not None and event.job.finished
            finished = event.kind in _TERMINAL_JOB_KINDS or job_done
            yield event
    if not finished:
        raise NetworkError("the job's event stream ended unexpectedly")


async def iter_notification_events(requester: Requester) -> AsyncGenerator[StreamEvent, None]:
    """The events of ``/api/notifications/stream``.

    Raises :class:`StreamUnavailable` when the server has no stream (the deployed
    server answers 404): the caller then polls. A message this client cannot read
    becomes a ``sync`` event, so that the caller refetches instead of missing a change.
    """
    async with _open(requester, NOTIFICATION_STREAM_PATH, StreamUnavailable) as messages:
        async for sse in messages:
            if sse.event == _CLOSE:
                return
            try:
                event = parse_stream_event(sse.event, _load(sse.data))
            except ProtocolError as exc:
                if sse.event not in STREAM_KINDS:
                    continue
                logger.warning("Unreadable %s message, resyncing: %s", sse.event, exc.message)
                yield StreamEvent(kind="sync", unread_count=None)
                continue
            if event is None:
                logger.debug("Ignored a %r message on the notification stream", sse.event[:64])
                continue
            yield event
    raise NetworkError("the notification stream ended")


@asynccontextmanager
async def _open(
    requester: Requester, path: str, missing: type[ProtocolError] = ProtocolError
) -> AsyncIterator[AsyncGenerator[ServerSentEvent, None]]:
    """Open the stream at ``path``; closing the context closes the connection."""
    async with (
        requester.stream(path, missing=missing) as response,
        aclosing(_messages(requester, response)) as messages,
    ):
        yield messages


async def _messages(
    requester: Requester, response: httpx.Response
) -> AsyncGenerator[ServerSentEvent, None]:
    """The stream's messages, with transport failures mapped onto our errors.

    Unnamed messages without data are dropped: httpx-sse emits one for every blank line
    once the stream has sent an ``id:``, and heartbeats are blank-line separated.
    """
    try:
        async with aclosing(EventSource(response).aiter_sse()) as events:
            async for sse in events:
                if sse.event == "message" and not sse.data.strip():
                    continue
                yield sse
    except httpx.HTTPError as exc:
        raise requester.transport_error(exc) from exc
    except SSEError as exc:
        raise ProtocolError("the event stream is malformed") from exc


def _load(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("an event's data is not JSON") from exc
