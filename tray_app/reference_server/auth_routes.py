"""``/api/auth/*`` and ``/health``, as observed on the real server.

The token is only in ``Set-Cookie`` (the documented flavor also puts it in the body,
as older servers did). Malformed bodies get zod-style ``details``.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import verify_password, verify_totp
from .db import now_iso
from .responses import NO_BODY, error, json_response, request_body, unauthorized
from .sessions import Principal, clear_cookie_value, set_cookie_value
from .state import ServerState
from .users import DuplicateEmail, UserRecord, create_user, find_by_email, find_by_id

SERVER_VERSION = "0.1.0"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BAD_CREDENTIALS = "Invalid email or password"


class AuthRoutes:
    def __init__(self, state: ServerState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            Route("/health", self.health, methods=["GET"]),
            Route("/api/auth/config", self.config, methods=["GET"]),
            Route("/api/auth/register", self.register, methods=["POST"]),
            Route("/api/auth/login", self.login, methods=["POST"]),
            Route("/api/auth/refresh", self.refresh, methods=["POST"]),
            Route("/api/auth/logout", self.logout, methods=["POST"]),
            Route("/api/auth/me", self.me, methods=["GET"]),
        ]

    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok", "version": SERVER_VERSION, "timestamp": now_iso()})

    async def config(self, request: Request) -> Response:
        return json_response(
            {
                "allowRegistration": self.state.config.allow_registration,
                "googleSsoEnabled": False,
                "socialProviders": [],
            }
        )

    async def register(self, request: Request) -> Response:
        body, details = validate_credentials(request_body(request), min_password=8)
        if details:
            return error(400, "Validation failed", details=details)
        if not self.state.config.allow_registration:
            return error(403, "Registration is disabled")
        try:
            user_id = create_user(
                self.state.db,
                body["email"],
                body["password"],
                iterations=self.state.config.password_iterations,
            )
        except DuplicateEmail:
            return error(409, "Email already registered")
        user = find_by_id(self.state.db, user_id)
        assert user is not None
        return self._session_response(user, 201)

    async def login(self, request: Request) -> Response:
        body, details = validate_credentials(request_body(request), min_password=1)
        if details:
            return error(400, "Validation failed", details=details)
        user = find_by_email(self.state.db, body["email"])
        # SSO accounts have no password hash and fail here like a wrong password.
        if (
            user is None
            or not user.is_active
            or not verify_password(body["password"], user.password_hash)
        ):
            return error(401, _BAD_CREDENTIALS)
        if user.totp_enabled and user.totp_secret:
            code = body.get("totpCode")
            if not code:
                return error(403, "TOTP_REQUIRED")
            if not verify_totp(user.totp_secret, code):
                return error(401, _BAD_CREDENTIALS)
        return self._session_response(user, 200)

    async def refresh(self, request: Request) -> Response:
        user = self._current_user(request)
        if user is None:
            return unauthorized()
        return self._session_response(user, 200)

    async def logout(self, request: Request) -> Response:
        principal = self.state.tokens.authenticate(request)
        if principal is None:
            return unauthorized()
        self.state.tokens.revoke(principal)
        response = Response(status_code=204)
        response.headers.append("set-cookie", clear_cookie_value())
        return response

    async def me(self, request: Request) -> Response:
        user = self._current_user(request)
        if user is None:
            return unauthorized()
        return json_response(
            {
                "user": {
                    **user.public(),
                    "totp_enabled": user.totp_enabled,
                    "created_at": user.created_at,
                },
                "gmailAccounts": [],
                "storageUsedBytes": 0,
            }
        )

    def _current_user(self, request: Request) -> UserRecord | None:
        principal: Principal | None = self.state.tokens.authenticate(request)
        if principal is None:
            return None
        user = find_by_id(self.state.db, principal.user_id)
        return user if user is not None and user.is_active else None

    def _session_response(self, user: UserRecord, status: int) -> Response:
        token = self.state.tokens.issue(user)
        body: dict[str, Any] = {"user": user.public()}
        if self.state.config.documented:
            body = {"token": token, **body}
        response = json_response(body, status)
        response.headers.append("set-cookie", set_cookie_value(token))
        return response


def _js_type(value: Any) -> str:
    if value is NO_BODY:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    for kind, name in ((str, "string"), (list, "array"), (dict, "object")):
        if isinstance(value, kind):
            return name
    return "unknown"


def _type_issue(path: list[str], expected: str, value: Any) -> dict[str, Any]:
    received = _js_type(value)
    message = "Required" if received == "undefined" else f"Expected {expected}, received {received}"
    return {"code": "invalid_type", "expected": expected, "received": received, "path": path,
            "message": message}  # fmt: skip


def validate_credentials(
    body: Any, *, min_password: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check ``{email, password, totpCode?}`` like the server's zod schema.

    Returns the body and the list of issues (empty when valid).
    """
    if not isinstance(body, dict):
        return {}, [_type_issue([], "object", body)]
    issues: list[dict[str, Any]] = []
    email, password = body.get("email", NO_BODY), body.get("password", NO_BODY)
    if not isinstance(email, str):
        issues.append(_type_issue(["email"], "string", email))
    elif not _EMAIL.match(email):
        issues.append({"validation": "email", "code": "invalid_string", "message": "Invalid email",
                       "path": ["email"]})  # fmt: skip
    if not isinstance(password, str):
        issues.append(_type_issue(["password"], "string", password))
    elif len(password) < min_password:
        issues.append({
            "code": "too_small", "minimum": min_password, "type": "string", "inclusive": True,
            "exact": False, "message": f"String must contain at least {min_password} character(s)",
            "path": ["password"],
        })  # fmt: skip
    if "totpCode" in body and not isinstance(body["totpCode"], str):
        issues.append(_type_issue(["totpCode"], "string", body["totpCode"]))
    return body, issues
