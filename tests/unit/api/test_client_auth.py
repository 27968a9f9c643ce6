"""ApiClient: login, refresh, logout, me, config, health, and how the token travels."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from api_fakes import (
    BASE_URL,
    EMAIL,
    PASSWORD,
    TOTP_CODE,
    TOTP_EMAIL,
    USER_ID,
    FakeServer,
    client_for,
    json_response,
    make_jwt,
)

from tray_app.api.client import ApiClient
from tray_app.api.errors import AuthError, ProtocolError, RateLimited, ServerError, TotpRequired
from tray_app.api.models import User

pytestmark = pytest.mark.anyio


async def test_login_reads_the_token_from_set_cookie_and_its_expiry(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        session = await api.login(EMAIL, PASSWORD)
    assert session.token in fake.tokens
    assert api.token == session.token
    assert session.user == User(id=USER_ID, email=EMAIL, role="user")
    assert session.expires_at is not None
    remaining = (session.expires_at - datetime.now(UTC)).total_seconds()
    assert 890 < remaining <= 901


async def test_login_accepts_a_token_in_the_body_of_older_servers(fake: FakeServer) -> None:
    fake.token_in_body = True
    async with client_for(fake, logged_in=False) as api:
        session = await api.login(EMAIL, PASSWORD)
    assert session.token in fake.tokens
    assert api.token == session.token


async def test_login_prefers_the_cookie_over_the_body(fake: FakeServer) -> None:
    cookie_token = make_jwt(exp=time.time() + 900)
    fake.queue(
        "POST",
        "/api/auth/login",
        httpx.Response(
            200,
            json={"token": "body-token", "user": {"id": USER_ID, "email": EMAIL, "role": "user"}},
            headers={"set-cookie": f"token={cookie_token}; Path=/; HttpOnly"},
        ),
    )
    async with client_for(fake, logged_in=False) as api:
        session = await api.login(EMAIL, PASSWORD)
    assert session.token == cookie_token


async def test_login_without_any_token_is_a_protocol_error(fake: FakeServer) -> None:
    user = {"id": USER_ID, "email": EMAIL, "role": "user"}
    fake.queue("POST", "/api/auth/login", json_response(200, {"user": user}))
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(ProtocolError):
            await api.login(EMAIL, PASSWORD)
        assert api.token is None


async def test_login_sends_credentials_as_json_without_a_bearer(fake: FakeServer) -> None:
    async with client_for(fake) as api:
        await api.login(EMAIL, PASSWORD)
    request = fake.requests[-1]
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers
    assert httpx.Response(200, content=request.content).json() == {
        "email": EMAIL,
        "password": PASSWORD,
    }


async def test_wrong_password_is_an_auth_error_with_the_server_text(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(AuthError) as caught:
            await api.login(EMAIL, "wrong")
    assert caught.value.status == 401
    assert "Invalid email or password" in str(caught.value)


async def test_totp_required_then_login_with_the_code(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(TotpRequired) as caught:
            await api.login(TOTP_EMAIL, PASSWORD)
        assert caught.value.status == 403
        session = await api.login(TOTP_EMAIL, PASSWORD, totp=" 123 456 ")
    assert session.user.email == TOTP_EMAIL
    sent = httpx.Response(200, content=fake.requests[-1].content).json()
    assert sent["totpCode"] == TOTP_CODE


async def test_wrong_totp_code_is_an_auth_error(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(AuthError):
            await api.login(TOTP_EMAIL, PASSWORD, totp="000000")


async def test_validation_failure_is_a_protocol_error_with_the_server_message(
    fake: FakeServer,
) -> None:
    fake.queue(
        "POST",
        "/api/auth/login",
        json_response(400, {"error": "Validation failed", "details": [{"path": "email"}]}),
    )
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(ProtocolError) as caught:
            await api.login("not-an-email", PASSWORD)
    assert caught.value.status == 400
    assert "Validation failed" in caught.value.message


async def test_rate_limited_login(fake: FakeServer) -> None:
    fake.queue(
        "POST",
        "/api/auth/login",
        json_response(
            429, {"error": "Rate limit exceeded, retry in 42 seconds"}, **{"retry-after": "42"}
        ),
    )
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(RateLimited) as caught:
            await api.login(EMAIL, PASSWORD)
    assert caught.value.retry_after == 42


async def test_token_goes_as_bearer_and_no_cookie_is_ever_sent(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        session = await api.login(EMAIL, PASSWORD)
        await api.me()
        await api.refresh()
        await api.me()
    for request in fake.requests[1:]:
        assert "cookie" not in request.headers
    assert fake.requests[1].headers["authorization"] == f"Bearer {session.token}"
    assert fake.requests[3].headers["authorization"] == f"Bearer {api.token}"
    assert api.token != session.token


async def test_the_login_cookie_is_not_kept_by_the_client(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        await api.login(EMAIL, PASSWORD)
        api.token = None
        with pytest.raises(AuthError):
            await api.me()  # the fake server would accept the cookie, were it sent


async def test_refresh_stores_the_new_token(fake: FakeServer, api: ApiClient) -> None:
    old = api.token
    session = await api.refresh()
    assert session.token != old
    assert api.token == session.token
    assert old not in fake.tokens
    assert fake.requests[-1].headers["authorization"] == f"Bearer {old}"
    assert "content-type" not in fake.requests[-1].headers


async def test_refresh_without_a_token_fails_before_any_request(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(AuthError):
            await api.refresh()
    assert fake.requests == []


async def test_refresh_with_an_expired_token_is_an_auth_error(fake: FakeServer) -> None:
    async with ApiClient(BASE_URL, token=make_jwt(exp=1), transport=fake.transport()) as api:
        with pytest.raises(AuthError):
            await api.refresh()


async def test_logout_revokes_and_forgets_the_token(fake: FakeServer, api: ApiClient) -> None:
    token = api.token
    await api.logout()
    assert api.token is None
    assert token not in fake.tokens
    assert fake.paths() == ["POST /api/auth/logout"]
    assert "content-type" not in fake.requests[-1].headers


async def test_logout_forgets_the_token_even_when_the_server_fails(
    fake: FakeServer, api: ApiClient
) -> None:
    fake.queue("POST", "/api/auth/logout", json_response(500, {"error": "Internal server error"}))
    with pytest.raises(ServerError):
        await api.logout()
    assert api.token is None


async def test_logout_with_an_already_refused_token_is_quiet(fake: FakeServer) -> None:
    async with ApiClient(BASE_URL, token=make_jwt(exp=1), transport=fake.transport()) as api:
        await api.logout()
        assert api.token is None
        await api.logout()  # nothing to do: no request
    assert fake.paths() == ["POST /api/auth/logout"]


async def test_me_reads_the_user_and_drops_secret_account_fields(api: ApiClient) -> None:
    me = await api.me()
    assert me.user.totp_enabled is False
    assert me.storage_used_bytes == 1234
    assert me.gmail_accounts == ({"id": "a1", "email": "me@gmail.com"},)


async def test_me_without_a_token_is_an_auth_error(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        with pytest.raises(AuthError):
            await api.me()
    assert "authorization" not in fake.requests[0].headers


async def test_health_and_config_need_no_token(fake: FakeServer, api: ApiClient) -> None:
    health = await api.health()
    config = await api.auth_config()
    assert (health.status, health.version) == ("ok", "0.1.0")
    assert config.allow_registration is True
    assert config.google_sso_enabled is False
    assert [r.url.path for r in fake.requests] == ["/health", "/api/auth/config"]
    assert all("authorization" not in r.headers for r in fake.requests)


async def test_token_setter_rejects_values_that_cannot_be_a_header(fake: FakeServer) -> None:
    async with client_for(fake, logged_in=False) as api:
        for bad in ("", "a b", "tok\nen", "tökén"):
            with pytest.raises(ValueError) as caught:
                api.token = bad
            assert bad not in str(caught.value) or bad == ""
        api.token = "abc.def.ghi"
        assert api.token == "abc.def.ghi"
        api.token = None
        assert api.token is None
    with pytest.raises(ValueError):
        ApiClient(BASE_URL, token="two words")
