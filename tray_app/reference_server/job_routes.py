"""``/api/jobs*``: the list, one job, and its Server-Sent Events stream.

The stream sends the row first, then ``{bullmqId, event, status, progress, processed,
total, error?}`` messages and heartbeats. A job that had already finished gets its row,
then ``event: close`` / ``data: {}``, and the stream ends; a job that finishes while
watched does not end the stream (the client hangs up).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .db import canonical_uuid
from .jobs import job_topic
from .responses import error, internal_error, json_response, unauthorized
from .state import ServerState
from .stream import EventStreamResponse, sse_message

FINISHED = ("completed", "failed", "cancelled")


class JobRoutes:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.jobs = state.jobs

    def routes(self) -> list[Route]:
        return [
            Route("/api/jobs", self.list, methods=["GET"]),
            Route("/api/jobs/{id}", self.get, methods=["GET"]),
            Route("/api/jobs/{id}/events", self.events, methods=["GET"]),
        ]

    def _user(self, request: Request) -> str | None:
        principal = self.state.tokens.authenticate(request)
        return None if principal is None else principal.user_id

    async def list(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        query = request.query_params
        return json_response(self.jobs.list(user_id, query.get("status"), query.get("accountId")))

    async def get(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        job_id = canonical_uuid(request.path_params["id"])
        if job_id is None:
            return internal_error()
        job = self.jobs.get(user_id, job_id)
        if job is None:
            return error(404, "Job not found")
        return json_response({**job, "bullmqState": self.jobs.bullmq_state(job)})

    async def events(self, request: Request) -> Response:
        user_id = self._user(request)
        if user_id is None:
            return unauthorized()
        job_id = canonical_uuid(request.path_params["id"])
        if job_id is None:
            return internal_error()  # a queue-style id is not a UUID
        broker = self.state.broker
        # Subscribe before reading the row so that no update falls in between.
        subscription = broker.subscribe(job_topic(job_id))
        job = self.jobs.get(user_id, job_id)
        if job is None:
            broker.unsubscribe(subscription)
            return error(404, "Job not found")
        initial = [sse_message(job)]
        if job["status"] in FINISHED:
            broker.unsubscribe(subscription)
            return EventStreamResponse(
                [*initial, sse_message({}, "close")],
                broker=broker,
                subscription=None,
                heartbeat_s=self.state.config.heartbeat_s,
            )
        return EventStreamResponse(
            initial,
            broker=broker,
            subscription=subscription,
            heartbeat_s=self.state.config.heartbeat_s,
        )
