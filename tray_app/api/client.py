"""The async client of the mail-management server's REST API (no Qt here).

It speaks both variants of the API, the deployed server's ("observed") and the one its
documentation describes ("documented"), returns the frozen dataclasses of
:mod:`tray_app.api.models` and raises only the errors of :mod:`tray_app.api.errors`
(plus ValueError for invalid arguments, before any request is sent).

The client holds the session token itself: it reads it from the login answer
(``Set-Cookie: token=`` or, on older servers, a ``token`` field of the body), sends it as
``Authorization: Bearer`` and never lets a cookie jar keep it. Nothing here logs or
repeats the token or the password.

Usage::

    async with ApiClient("https://mail.example.org") as api:
        session = await api.login(email, password)
        page = await api.list_notifications(limit=10)
        async with contextlib.aclosing(api.job_events(job_id)) as events:
            async for event in events:
                ...
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import Any, Final, Self

import httpx

from tray_app.api import _sse
from tray_app.api._http import Requester, RequestHook, decode_json
from tray_app.api.auth import token_expiry, token_from_body, token_from_set_cookie
from tray_app.api.compat import FALLBACK_STATUSES, ServerCompat
from tray_app.api.errors import AuthError, ProtocolError
from tray_app.api.models import (
    PREFERENCE_KEYS,
    AuthConfig,
    Health,
    Job,
    JobEvent,
    Me,
    NotificationPage,
    Session,
    StreamEvent,
)
from tray_app.api.parsing import (
    check_uuid,
    parse_auth_config,
    parse_health,
    parse_job,
    parse_jobs,
    parse_me,
    parse_notification_page,
    parse_ok,
    parse_preferences,
    parse_session_user,
)

logger = logging.getLogger(__name__)

#: Heartbeats come every 15 s by default: three missed ones mean a dead connection.
DEFAULT_STREAM_READ_TIMEOUT: Final = 45.0
_JOB_STATUSES: Final = frozenset({"pending", "active", "completed", "failed", "cancelled"})


class ApiClient:
    """One server, one session token; ``async with`` closes the connections.

    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests).
    ``verify`` is True, False, or the path of a CA bundle for self-signed servers.
    ``timeout`` bounds every phase of a plain request. Streams have no overall limit:
    they fail when nothing, not even a heartbeat, arrives for ``stream_read_timeout``
    seconds (None waits forever, leaving liveness to the caller). ``compat`` keeps what
    was learned about the server's API variant; share it to keep it across clients.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        verify: bool | str = True,
        stream_read_timeout: float | None = DEFAULT_STREAM_READ_TIMEOUT,
        compat: ServerCompat | None = None,
    ) -> None:
        if token is not None and not _is_bearer_token(token):
            raise ValueError("the token is not a valid bearer token")
        self._http = Requester(
            base_url,
            transport=transport,
            timeout=timeout,
            verify=verify,
            stream_read_timeout=stream_read_timeout,
        )
        self.compat = compat if compat is not None else ServerCompat()
        self.token = token

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, authenticated={self.token is not None})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (open streams end)."""
        await self._http.aclose()

    # --- properties --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``scheme://host[:port][/prefix]``, without a trailing slash."""
        return self._http.base_url

    @property
    def token(self) -> str | None:
        """The session token (a JWT) sent as ``Authorization: Bearer``."""
        return self._http.token

    @token.setter
    def token(self, value: str | None) -> None:
        if value is not None and not _is_bearer_token(value):
            raise ValueError("the token is not a valid bearer token")
        self._http.token = value

    @property
    def is_insecure(self) -> bool:
        """True for plain http (or unverified https) to a host other than loopback."""
        return self._http.is_insecure

    @property
    def on_request(self) -> RequestHook | None:
        """Called with ``(method, path, status)`` after each exchange (status None on failure)."""
        return self._http.on_request

    @on_request.setter
    def on_request(self, hook: RequestHook | None) -> None:
        self._http.on_request = hook

    # --- server and session ------------------------------------------------------------

    async def health(self) -> Health:
        """``GET /health`` (no auth; it counts against the server's rate limit)."""
        return parse_health(await self._json("GET", "/health", auth=False))

    async def auth_config(self) -> AuthConfig:
        """``GET /api/auth/config`` (no auth): registration and single sign-on options."""
        return parse_auth_config(await self._json("GET", "/api/auth/config", auth=False))

    async def login(self, email: str, password: str, totp: str | None = None) -> Session:
        """Log in and keep the new token.

        Raises :class:`TotpRequired` when the account needs ``totp`` (a 6-digit code),
        :class:`AuthError` for wrong credentials or a wrong code.
        """
        body: dict[str, str] = {"email": email, "password": password}
        if totp is not None:
            body["totpCode"] = "".join(totp.split())
        response = await self._http.request(
            "POST", "/api/auth/login", json=body, auth=False, secrets=(password, totp)
        )
        return self._adopt_session(response)

    async def refresh(self) -> Session:
        """Trade the still-valid token for a new one (the JWT lives 15 minutes)."""
        self._require_token()
        response = await self._http.request("POST", "/api/auth/refresh")
        return self._adopt_session(response)

    async def logout(self) -> None:
        """Revoke the token on the server and forget it, even if the server fails.

        A 401 is not an error here (the token was no longer valid); other failures are
        raised after the token is forgotten.
        """
        if self.token is None:
            return
        try:
            await self._http.request("POST", "/api/auth/logout")
        except AuthError:
            logger.info("Logout: the token was already refused by the server")
        finally:
            self.token = None

    async def me(self) -> Me:
        """``GET /api/auth/me``: the user, their mail accounts and storage use."""
        return parse_me(await self._json("GET", "/api/auth/me"))

    # --- notifications -----------------------------------------------------------------

    async def list_notifications(
        self, page: int = 1, limit: int = 20, unread_only: bool = False
    ) -> NotificationPage:
        """One page, newest first. ``page`` >= 1; ``limit`` >= 1 (the server caps it at 100)."""
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValueError("page must be an integer >= 1")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be an integer >= 1")
        params: dict[str, str | int] = {"page": page, "limit": limit}
        if unread_only:
            params["unread_only"] = "true"  # the server understands only "1" and "true"
        body = await self._json("GET", "/api/notifications", params=params)
        return parse_notification_page(body, page=page, limit=limit)

    async def mark_read(self, notification_id: str) -> None:
        """Mark one notification read (an unknown id is silently accepted by the server)."""
        path = f"/api/notifications/{check_uuid(notification_id, 'notification id')}/read"
        parse_ok(await self._json("PATCH", path))

    async def mark_all_read(self) -> None:
        """Mark every notification read, with whichever method this server speaks.

        The deployed server wants PATCH (POST gives 404), the documented one POST: try
        the method known to work (PATCH at first), fall back on 404/405, remember.
        """
        first, second = self.compat.mark_all_read_order()
        for method in (first, second):
            try:
                body = await self._json(method, "/api/notifications/read-all")
            except ProtocolError as exc:
                if exc.status not in FALLBACK_STATUSES or method == second:
                    raise
                logger.debug("read-all: %s answered %s, trying %s", method, exc.status, second)
                continue
            parse_ok(body)
            self.compat.remember_mark_all_read(method)
            return

    async def delete(self, notification_id: str) -> None:
        """Delete one notification."""
        path = f"/api/notifications/{check_uuid(notification_id, 'notification id')}"
        parse_ok(await self._json("DELETE", path))

    async def delete_read(self) -> None:
        """Delete every read notification; unread ones are kept."""
        parse_ok(await self._json("DELETE", "/api/notifications"))

    async def get_preferences(self) -> dict[str, bool]:
        """All 12 preference keys (defaults fill what the server leaves out)."""
        return parse_preferences(await self._json("GET", "/api/notifications/preferences"))

    async def update_preferences(self, changes: Mapping[str, bool]) -> None:
        """Save some preferences; only the 12 known keys, only real booleans.

        Anything else raises ValueError before any request (the server would drop it
        silently). No changes, no request.
        """
        body: dict[str, bool] = {}
        for key, value in changes.items():
            if key not in PREFERENCE_KEYS:
                raise ValueError(f"unknown preference {key!r}")
            if not isinstance(value, bool):
                raise ValueError(f"preference {key!r} must be a boolean")
            body[key] = value
        if body:
            parse_ok(await self._json("PUT", "/api/notifications/preferences", json=body))

    # --- jobs and streams --------------------------------------------------------------

    async def list_jobs(
        self, status: str | None = None, account_id: str | None = None
    ) -> list[Job]:
        """The user's 50 newest jobs, optionally of one ``status`` or mail account."""
        params: dict[str, str | int] = {}
        if status is not None:
            if status not in _JOB_STATUSES:
                raise ValueError(f"unknown job status {status!r}")
            params["status"] = status
        if account_id is not None:
            params["accountId"] = check_uuid(account_id, "account id")
        return parse_jobs(await self._json("GET", "/api/jobs", params=params or None))

    async def get_job(self, job_id: str) -> Job:
        """One job by its UUID (not its queue-style ``bullmq_id``); 404 is a ProtocolError."""
        return parse_job(await self._json("GET", f"/api/jobs/{check_uuid(job_id, 'job id')}"))

    def job_events(self, job_id: str) -> AsyncGenerator[JobEvent, None]:
        """The job's live events; see :func:`tray_app.api._sse.iter_job_events`.

        The id is checked now (ValueError), the connection opens on first iteration.
        """
        return _sse.iter_job_events(self._http, check_uuid(job_id, "job id"))

    def notification_stream(self) -> AsyncGenerator[StreamEvent, None]:
        """Live notification changes; :class:`StreamUnavailable` if the server has none."""
        return _sse.iter_notification_events(self._http)

    # --- helpers -----------------------------------------------------------------------

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        auth: bool = True,
    ) -> Any:
        response = await self._http.request(method, path, params=params, json=json, auth=auth)
        return decode_json(response)

    def _adopt_session(self, response: httpx.Response) -> Session:
        """Read the token (cookie first, then body) and user of a login/refresh answer."""
        body = decode_json(response)
        token = token_from_set_cookie(response.headers.get_list("set-cookie"))
        token = token or token_from_body(body)
        if token is None or not _is_bearer_token(token):
            raise ProtocolError("the server's answer holds no usable session token")
        user = parse_session_user(body)
        self.token = token
        return Session(token=token, user=user, expires_at=token_expiry(token))

    def _require_token(self) -> None:
        if self.token is None:
            raise AuthError("not logged in")


def _is_bearer_token(value: str) -> bool:
    """Printable ASCII without spaces: anything else could not go into a header."""
    return bool(value) and value.isascii() and value.isprintable() and " " not in value
