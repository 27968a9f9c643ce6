"""Tokens and passwords never reach a log record, an exception text, a repr or a URL."""

from __future__ import annotations

import logging
from contextlib import aclosing

import httpx
import pytest
from api_fakes import EMAIL, PASSWORD, TOTP_EMAIL, FakeServer, client_for, json_response

from tray_app.api.errors import ApiError, AuthError, NetworkError, ProtocolError

pytestmark = pytest.mark.anyio


class Echo:
    """Answers that repeat a secret back, as a careless server or proxy might."""

    def __init__(self, fake: FakeServer) -> None:
        self.fake = fake

    def bearer(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "")
        return json_response(401, {"error": f"token {token} is revoked"})

    def login(self, request: httpx.Request) -> httpx.Response:
        return json_response(400, {"error": f"Validation failed for {request.content.decode()}"})

    def drop(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "")
        raise httpx.ConnectError(f"proxy refused {token}", request=request)


async def exercise(fake: FakeServer, errors: list[ApiError]) -> list[str]:
    """Run logins, refresh, writes, streams and failures; return every text produced."""
    echo = Echo(fake)
    texts: list[str] = []
    async with client_for(fake, logged_in=False) as api:
        for email, password in ((EMAIL, "wrong-" + PASSWORD), (TOTP_EMAIL, PASSWORD)):
            try:
                await api.login(email, password)
            except ApiError as exc:
                errors.append(exc)
        fake.queue("POST", "/api/auth/login", echo.login)
        try:
            await api.login(EMAIL, PASSWORD)
        except ProtocolError as exc:
            errors.append(exc)
        session = await api.login(EMAIL, PASSWORD)
        texts += [repr(session), str(session), repr(api), repr(await api.me())]
        refreshed = await api.refresh()
        texts += [repr(refreshed), repr(api)]
        await api.list_notifications()
        await api.mark_all_read()
        fake.queue("GET", "/api/auth/me", echo.bearer)
        fake.queue("GET", "/api/notifications/preferences", echo.drop)
        for call in (api.me, api.get_preferences):
            try:
                await call()
            except (AuthError, NetworkError) as exc:
                errors.append(exc)
        try:
            async with aclosing(api.notification_stream()) as stream:
                async for _ in stream:
                    pass
        except ProtocolError as exc:
            errors.append(exc)
        await api.logout()
        texts.append(repr(api))
    assert {session.token, refreshed.token} <= set(fake.issued)
    return texts


async def test_secrets_never_leak(fake: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[ApiError] = []
    texts = await exercise(fake, errors)
    secrets = [PASSWORD, *fake.issued, "ya29.secret"]
    assert len(fake.issued) == 2
    assert len(errors) == 6
    texts += [str(e) for e in errors] + [repr(e) for e in errors] + [e.message for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    texts += [str(r.url) for r in fake.requests]
    assert caplog.records, "the client logs its requests at DEBUG"
    # pieces too: a secret cut short by a length limit would still leak
    payloads = [token.split(".")[1] for token in fake.issued]
    pieces = secrets + [p[:16] for p in payloads] + [p[-16:] for p in payloads]
    for piece in pieces:
        for text in texts:
            assert piece not in text
    # the texts did carry the server's words, only without the secret
    assert any("revoked" in str(e) and "***" in str(e) for e in errors)
    assert any("Validation failed" in str(e) and "***" in str(e) for e in errors)
    assert any("proxy refused" in str(e) and "***" in str(e) for e in errors)
