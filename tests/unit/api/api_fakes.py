"""A small in-memory imitation of the server behind ``httpx.MockTransport``.

It behaves like the deployed server ("observed") or like its documentation
("documented"), including the quirks the client must cope with: 400 on a JSON content
type without a body, 500 on non-UUID ids, the token only in ``Set-Cookie``, ``limit``
capped at 100. Tests can queue canned answers for one route with :meth:`FakeServer.queue`.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import httpx

from tray_app.api.client import ApiClient
from tray_app.api.models import DEFAULT_PREFERENCES

BASE_URL = "http://127.0.0.1:8080"
EMAIL = "user@example.com"
PASSWORD = "s3cret-Pa55word!"
TOTP_EMAIL = "totp@example.com"
TOTP_CODE = "123456"
USER_ID = "11111111-1111-4111-8111-111111111111"
UUID_RE = re.compile(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}")

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


def make_jwt(exp: float | None = None, **claims: Any) -> str:
    """An unsigned-looking HS256 JWT whose payload holds ``claims`` and ``exp``."""

    def part(obj: dict[str, Any]) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(obj).encode()).decode()
        return raw.rstrip("=")

    payload = {"sub": USER_ID, "email": EMAIL, "role": "user", "iat": int(time.time()), **claims}
    if exp is not None:
        payload["exp"] = exp
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


def row(n: int, *, read: bool = False, type_: str = "job_completed") -> dict[str, Any]:
    """Notification row number ``n`` as the server sends it."""
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "user_id": USER_ID,
        "type": type_,
        "title": f"Import mbox terminé {n}",
        "body": f"{n} mail(s) archivé(s) sur le NAS.",
        "data": {"jobId": f"import_mbox-{n}", "count": n},
        "is_read": read,
        "created_at": f"2026-03-30T08:00:{n % 60:02d}.123Z",
    }


def job_row(n: int, status: str = "active") -> dict[str, Any]:
    return {
        "id": f"22222222-2222-4222-8222-{n:012d}",
        "bullmq_id": f"import_mbox-{n}",
        "type": "import_mbox",
        "status": status,
        "progress": 10,
        "total": 100,
        "processed": 10,
        "gmail_account_id": None,
        "user_id": USER_ID,
        "payload": {},
        "error": None,
        "created_at": "2026-03-30T08:00:00.000Z",
        "completed_at": None,
    }


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def sse_response(*chunks: str | bytes) -> httpx.Response:
    """A 200 ``text/event-stream`` answer delivered in the given chunks."""
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream; charset=utf-8"},
        stream=ChunkStream(chunks),
    )


class ChunkStream(httpx.AsyncByteStream):
    """An answer body sent chunk by chunk; may end with a transport error."""

    def __init__(self, chunks: Iterable[str | bytes], error: Exception | None = None) -> None:
        self.chunks = [c.encode() if isinstance(c, str) else c for c in chunks]
        self.error = error
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error

    async def aclose(self) -> None:
        self.closed = True


class FakeServer:
    """The server's API in memory; ``requests`` records everything it received."""

    def __init__(self, flavor: str = "observed") -> None:
        self.flavor = flavor
        self.requests: list[httpx.Request] = []
        self.tokens: set[str] = set()
        self.issued: list[str] = []
        self.token_in_body = False
        self.notifications = [row(n, read=n % 3 == 0) for n in range(30, 0, -1)]
        self.preferences: dict[str, bool] | None = None
        self.jobs = [job_row(1), job_row(2, "completed")]
        self.streams: dict[str, httpx.Response] = {}
        self._queued: dict[tuple[str, str], list[Reply]] = {}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def queue(self, method: str, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``method path`` with ``replies``, in order."""
        self._queued.setdefault((method, path), []).extend(replies)

    def issue_token(self) -> str:
        token = make_jwt(exp=time.time() + 900, jti=uuid.uuid4().hex)
        self.tokens.add(token)
        self.issued.append(token)
        return token

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]

    # --- dispatch ----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        if self._queued.get(key):
            reply = self._queued[key].pop(0)
            return reply(request) if callable(reply) else reply
        if request.headers.get("content-type") == "application/json" and not request.content:
            return json_response(
                400,
                {"error": "Body cannot be empty when content-type is set to 'application/json'"},
            )
        return self._route(request)

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        public = {
            ("GET", "/health"): self._health,
            ("GET", "/api/auth/config"): self._config,
            ("POST", "/api/auth/login"): self._login,
        }
        if (method, path) in public:
            return public[(method, path)](request)
        if not self._authorised(request):
            return json_response(401, {"error": "Unauthorized"})
        return self._private(request)

    def _private(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        parts = path.strip("/").split("/")
        if path.startswith("/api/auth/"):
            return self._auth_route(request)
        if path == "/api/notifications/read-all":
            return self._read_all(method)
        if path == "/api/notifications/preferences":
            return self._prefs(request)
        if path == "/api/notifications" and method == "GET":
            return self._list(request)
        if path == "/api/notifications" and method == "DELETE":
            self.notifications = [n for n in self.notifications if not n["is_read"]]
            return json_response(200, {"ok": True})
        if parts[:2] == ["api", "notifications"] and len(parts) >= 3:
            return self._one_notification(method, parts)
        if parts[:2] == ["api", "jobs"]:
            return self._jobs(request, parts)
        return self._not_found(method, path)

    # --- routes ------------------------------------------------------------------------

    def _health(self, request: httpx.Request) -> httpx.Response:
        return json_response(200, {"status": "ok", "version": "0.1.0", "timestamp": "x"})

    def _config(self, request: httpx.Request) -> httpx.Response:
        return json_response(
            200, {"allowRegistration": True, "googleSsoEnabled": False, "socialProviders": []}
        )

    def _login(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            return json_response(400, {"error": "Validation failed", "details": []})
        if not isinstance(body, dict) or not isinstance(body.get("email"), str):
            return json_response(400, {"error": "Validation failed", "details": []})
        if body["email"] not in (EMAIL, TOTP_EMAIL) or body.get("password") != PASSWORD:
            return json_response(401, {"error": "Invalid email or password"})
        if body["email"] == TOTP_EMAIL and "totpCode" not in body:
            return json_response(403, {"error": "TOTP_REQUIRED"})
        if body["email"] == TOTP_EMAIL and body["totpCode"] != TOTP_CODE:
            return json_response(401, {"error": "Invalid email or password"})
        return self._session_response(body["email"])

    def _session_response(self, email: str) -> httpx.Response:
        token = self.issue_token()
        user = {"id": USER_ID, "email": email, "role": "user"}
        if self.token_in_body:
            return json_response(200, {"token": token, "user": user})
        cookie = f"token={token}; Max-Age=86400; Path=/; HttpOnly; SameSite=Strict"
        return httpx.Response(200, json={"user": user}, headers={"set-cookie": cookie})

    def _auth_route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/auth/refresh" and request.method == "POST":
            self.tokens.discard(self._bearer(request) or "")
            return self._session_response(EMAIL)
        if path == "/api/auth/logout" and request.method == "POST":
            self.tokens.discard(self._bearer(request) or "")
            return httpx.Response(204)
        if path == "/api/auth/me" and request.method == "GET":
            user = {"id": USER_ID, "email": EMAIL, "role": "user", "totp_enabled": False}
            accounts = [{"id": "a1", "email": "me@gmail.com", "access_token": "ya29.secret"}]
            body = {"user": user, "gmailAccounts": accounts, "storageUsedBytes": 1234}
            return json_response(200, body)
        return self._not_found(request.method, path)

    def _read_all(self, method: str) -> httpx.Response:
        wanted = "PATCH" if self.flavor == "observed" else "POST"
        if method != wanted:
            return self._not_found(method, "/api/notifications/read-all")
        updated = sum(1 for n in self.notifications if not n["is_read"])
        for n in self.notifications:
            n["is_read"] = True
        return json_response(200, {"ok": True} if method == "PATCH" else {"updated": updated})

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        try:
            page = int(params.get("page", "1"))
            limit = min(int(params.get("limit", "20")), 100)
        except ValueError:
            return json_response(500, {"error": "Internal server error"})
        if page < 1 or limit < 0:
            return json_response(500, {"error": "Internal server error"})
        rows = self.notifications
        if params.get("unread_only") in ("1", "true"):
            rows = [n for n in rows if not n["is_read"]]
        unread = sum(1 for n in self.notifications if not n["is_read"])
        chunk = rows[(page - 1) * limit : page * limit]
        body = {"notifications": chunk, "unreadCount": unread, "page": page, "limit": limit}
        return json_response(200, body)

    def _one_notification(self, method: str, parts: list[str]) -> httpx.Response:
        notification_id = parts[2]
        routed = (method == "PATCH" and parts[3:] == ["read"]) or (
            method == "DELETE" and len(parts) == 3
        )
        if not routed:
            return self._not_found(method, "/" + "/".join(parts))
        if not UUID_RE.fullmatch(notification_id):
            return json_response(500, {"error": "Internal server error"})
        if method == "PATCH" and parts[3:] == ["read"]:
            for n in self.notifications:
                if n["id"] == notification_id:
                    n["is_read"] = True
            return json_response(
                200, {"ok": True} if self.flavor == "observed" else {"success": True}
            )
        self.notifications = [n for n in self.notifications if n["id"] != notification_id]
        return json_response(200, {"ok": True})

    def _prefs(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return json_response(200, self.preferences or dict(DEFAULT_PREFERENCES))
        if request.method == "PUT":
            if not request.content:
                return json_response(500, {"error": "Internal server error"})
            changes = json.loads(request.content)
            prefs = self.preferences or dict(DEFAULT_PREFERENCES)
            prefs.update({k: v for k, v in changes.items() if k in prefs and isinstance(v, bool)})
            self.preferences = prefs
            return json_response(200, {"ok": True})
        return self._not_found(request.method, request.url.path)

    def _jobs(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        if len(parts) == 2 and request.method == "GET":
            status = request.url.params.get("status")
            return json_response(200, [j for j in self.jobs if status in (None, j["status"])])
        if not UUID_RE.fullmatch(parts[2]):
            return json_response(500, {"error": "Internal server error"})
        if parts[3:] == ["events"]:
            return self.streams.pop(parts[2], None) or json_response(404, {"error": "Not found"})
        job = next((j for j in self.jobs if j["id"] == parts[2]), None)
        if job is None:
            return json_response(404, {"error": "Job not found"})
        return json_response(200, {**job, "bullmqState": "active"})

    # --- helpers -----------------------------------------------------------------------

    def _bearer(self, request: httpx.Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None

    def _authorised(self, request: httpx.Request) -> bool:
        cookies = dict(
            part.strip().split("=", 1)
            for part in request.headers.get("cookie", "").split(";")
            if "=" in part
        )
        token = self._bearer(request) or cookies.get("token")
        return token in self.tokens

    def _not_found(self, method: str, path: str) -> httpx.Response:
        message = f"Route {method}:{path} not found"
        return json_response(404, {"message": message, "error": "Not Found", "statusCode": 404})


def client_for(server: FakeServer, *, logged_in: bool = True, **kwargs: Any) -> ApiClient:
    """A client of ``server``; with ``logged_in`` it holds a token the server accepts."""
    token = server.issue_token() if logged_in else None
    return ApiClient(BASE_URL, token=token, transport=server.transport(), **kwargs)
