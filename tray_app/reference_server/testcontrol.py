"""``/api/_test/*``: drive the server from tests (only with ``test_control=True``).

These routes need no authentication, are never rate-limited, faulted or recorded in
the request log, and are only served on loopback addresses. Everything they create is
published on the notification stream like the server's own writes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import texts
from .db import normalize_timestamp
from .jobs import JobPlan
from .responses import error, json_response, request_body
from .state import ServerState
from .users import DuplicateEmail, create_user, find_by_email, find_by_id

PREFIX = "/api/_test"


class _BadRequest(Exception):
    pass


def _field(
    body: dict[str, Any], key: str, kinds: type | tuple[type, ...], default: Any = None
) -> Any:
    """``body[key]`` (or ``default``) checked against ``kinds``; None passes."""
    value = body.get(key, default)
    if value is None:
        return None
    # bool is an int in Python but not in JSON: never take one for the other.
    if isinstance(value, bool) != (kinds is bool) or not isinstance(value, kinds):
        raise _BadRequest(f"{key} has the wrong type")
    return value


class TestControlRoutes:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.rng = random.Random(f"test-control-{state.config.seed}")

    def routes(self) -> list[Route]:
        return [
            Route(f"{PREFIX}/users", self.create_user, methods=["POST"]),
            Route(f"{PREFIX}/notifications", self.create_notifications, methods=["POST"]),
            Route(f"{PREFIX}/notify", self.notify, methods=["POST"]),
            Route(f"{PREFIX}/jobs", self.create_job, methods=["POST"]),
            Route(f"{PREFIX}/requests", self.requests, methods=["GET", "DELETE"]),
            Route(f"{PREFIX}/faults", self.faults, methods=["GET", "PUT"]),
            Route(f"{PREFIX}/simulate", self.simulate, methods=["POST"]),
        ]

    def _body(self, request: Request) -> dict[str, Any]:
        body = request_body(request)
        if not isinstance(body, dict):
            raise _BadRequest("a JSON object body is required")
        return body

    def _user_id(self, body: dict[str, Any]) -> str:
        email = _field(body, "email", str)
        user = find_by_email(self.state.db, email) if email else None
        if user is None:
            raise LookupError(f"no user {email!r}")
        return user.id

    async def _guarded(self, handler: Any, request: Request) -> Response:
        try:
            result: Response = handler(request)
            return result
        except _BadRequest as exc:
            return error(400, str(exc))
        except LookupError as exc:
            return error(404, str(exc))
        except ValueError as exc:
            return error(400, str(exc))

    async def create_user(self, request: Request) -> Response:
        return await self._guarded(self._create_user, request)

    def _create_user(self, request: Request) -> Response:
        body = self._body(request)
        email, password = _field(body, "email", str), _field(body, "password", str)
        if not email:
            raise _BadRequest("email is required")
        sso = bool(_field(body, "sso", bool, False))
        try:
            user_id = create_user(
                self.state.db,
                email,
                None if sso else (password or ""),
                iterations=self.state.config.password_iterations,
                role=_field(body, "role", str, "user"),
                totp_secret=_field(body, "totp_secret", str),
            )
        except DuplicateEmail as exc:
            return error(409, str(exc))
        user = find_by_id(self.state.db, user_id)
        assert user is not None
        return json_response({**user.public(), "totp_enabled": user.totp_enabled}, 201)

    async def create_notifications(self, request: Request) -> Response:
        return await self._guarded(self._create_notifications, request)

    def _create_notifications(self, request: Request) -> Response:
        body = self._body(request)
        user_id = self._user_id(body)
        type_ = _field(body, "type", str)
        if not type_:
            raise _BadRequest("type is required")
        count = _field(body, "count", int)
        sample = texts.sample_message(type_, self.rng)
        created_at = _field(body, "created_at", str)
        stamps = self._timestamps(created_at, 1 if count is None else count)
        items = [
            (
                type_,
                _field(body, "title", str, sample.title),
                body.get("body", sample.body),
                body.get("data", sample.data),
                bool(_field(body, "is_read", bool, False)),
                stamp,
            )
            for stamp in stamps
        ]
        rows = self.state.notifications.insert_many(user_id, items)
        return json_response(rows if count is not None else rows[0], 201)

    @staticmethod
    def _timestamps(created_at: str | None, count: int) -> list[str | None]:
        """One timestamp per row, a millisecond apart so that the newest-first order is stable."""
        if count < 1 or count > 10_000:
            raise _BadRequest("count must be between 1 and 10000")
        if created_at is not None:
            created_at = normalize_timestamp(created_at)
            return [created_at] * count
        if count == 1:
            return [None]
        now = datetime.now(UTC)
        moments = [now - timedelta(milliseconds=count - 1 - i) for i in range(count)]
        return [normalize_timestamp(m.isoformat()) for m in moments]

    async def notify(self, request: Request) -> Response:
        return await self._guarded(self._notify, request)

    def _notify(self, request: Request) -> Response:
        body = self._body(request)
        user_id = self._user_id(body)
        category = _field(body, "category", str)
        if not category:
            raise _BadRequest("category is required")
        sample = texts.sample_message(category, self.rng)
        row = self.state.notifications.notify(
            user_id,
            category,
            _field(body, "title", str, sample.title),
            body.get("body", sample.body),
            body.get("data", sample.data),
        )
        return json_response({"stored": row is not None, "notification": row}, 201)

    async def create_job(self, request: Request) -> Response:
        return await self._guarded(self._create_job, request)

    def _create_job(self, request: Request) -> Response:
        body = self._body(request)
        user_id = self._user_id(body)
        job_type = _field(body, "type", str, "archive_mails")
        outcome = _field(body, "outcome", str, "completed")
        attempts = _field(body, "attempts", int, 1)
        if outcome not in ("completed", "failed") or not 1 <= attempts <= 10:
            raise _BadRequest("outcome must be completed or failed, attempts 1 to 10")
        # The last attempt ends as asked; earlier ones fail (and are retried).
        outcomes = ("failed",) * (attempts - 1) + (outcome,)
        plan = JobPlan(
            duration_s=float(_field(body, "duration_s", (int, float), 1.0)),
            outcomes=outcomes,
            total=_field(body, "total", int, 100),
            error=_field(body, "error", str, "Error: boom"),
            backoff_s=float(_field(body, "backoff_s", (int, float), 0.2)),
        )
        payload = _field(body, "payload", dict)
        return json_response(self.state.jobs.create(user_id, job_type, plan, payload), 201)

    async def requests(self, request: Request) -> Response:
        log = self.state.request_log
        if request.method == "DELETE":
            return json_response({"cleared": log.clear()})
        return json_response(log.snapshot())

    async def faults(self, request: Request) -> Response:
        if request.method == "PUT":
            body = request_body(request)
            if not isinstance(body, dict):
                return error(400, "a JSON object body is required")
            try:
                self.state.faults.update(body)
            except ValueError as exc:
                return error(400, str(exc))
        return json_response(self.state.faults.config.to_json())

    async def simulate(self, request: Request) -> Response:
        """Run ``count`` simulator steps at once (the same events ``simulate_rate`` emits)."""
        body = request_body(request)
        count = body.get("count", 1) if isinstance(body, dict) else 1
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1000:
            return error(400, "count must be between 1 and 1000")
        return json_response({"events": [self.state.simulator.step() for _ in range(count)]})
