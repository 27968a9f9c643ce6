"""ApiClient: status and transport errors, request shape, URL and TLS settings."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import certifi
import httpx
import pytest
from api_fakes import BASE_URL, FakeServer, client_for, json_response
from hypothesis import given, settings
from hypothesis import strategies as st

import tray_app
from tray_app.api._http import DEFAULT_RETRY_AFTER, retry_after_seconds
from tray_app.api.client import ApiClient
from tray_app.api.errors import (
    ApiError,
    AuthError,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    TlsError,
    TotpRequired,
)

pytestmark = pytest.mark.anyio


def client_with(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> ApiClient:
    return ApiClient(BASE_URL, token="a.b.c", transport=httpx.MockTransport(handler), **kwargs)


def answering(response: httpx.Response) -> ApiClient:
    return client_with(lambda request: response)


def raising(make_error: Callable[[httpx.Request], Exception]) -> ApiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise make_error(request)

    return client_with(handler)


# --- statuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "error", "text"),
    [
        (json_response(401, {"error": "Unauthorized"}), AuthError, "Unauthorized"),
        (json_response(403, {"error": "TOTP_REQUIRED"}), TotpRequired, "two-factor"),
        (json_response(403, {"error": "Forbidden"}), ProtocolError, "Forbidden"),
        (json_response(400, {"error": "Validation failed"}), ProtocolError, "Validation failed"),
        (
            json_response(404, {"message": "Route GET:/x not found", "error": "Not Found"}),
            ProtocolError,
            "Not Found",
        ),
        (json_response(500, {"error": "Internal server error"}), ServerError, "Internal"),
        (httpx.Response(502, text="<html>Bad gateway</html>"), ServerError, "Bad Gateway"),
        (httpx.Response(503), ServerError, "503"),
        (httpx.Response(302, headers={"location": "/login"}), ProtocolError, "302"),
        (httpx.Response(418, text="teapot"), ProtocolError, "418"),
    ],
)
async def test_statuses_map_onto_the_hierarchy(
    response: httpx.Response, error: type[ApiError], text: str
) -> None:
    async with answering(response) as api:
        with pytest.raises(error) as caught:
            await api.me()
    assert type(caught.value) is error
    assert caught.value.status == response.status_code
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"retry-after": "42"}, {"error": "Rate limit exceeded, retry in 7 seconds"}, 42),
        ({"retry-after": "1.5"}, {}, 1.5),
        ({}, {"error": "Rate limit exceeded, retry in 7 seconds"}, 7),
        ({"retry-after": "soon"}, {"error": "Rate limit exceeded, retry in 9 seconds"}, 9),
        ({}, {"error": "Too many requests"}, DEFAULT_RETRY_AFTER),
        ({}, None, DEFAULT_RETRY_AFTER),
        ({"retry-after": "-5"}, {}, 0),
        ({"retry-after": "99999999"}, {}, 3600),
        ({"retry-after": "nan"}, {}, DEFAULT_RETRY_AFTER),
    ],
)
async def test_rate_limit_wait(headers: dict[str, str], body: object, expected: float) -> None:
    response = httpx.Response(429, json=body, headers=headers)
    async with answering(response) as api:
        with pytest.raises(RateLimited) as caught:
            await api.list_notifications()
    assert caught.value.retry_after == expected
    assert caught.value.status == 429


def test_retry_after_as_an_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < retry_after_seconds(format_datetime(when, usegmt=True), None) <= 120


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="{not json"),
        httpx.Response(200, text="<html>captive portal</html>"),
        httpx.Response(200, content=b"\xff\xfe\x00garbage"),
        httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000),
        httpx.Response(200),
    ],
)
async def test_unreadable_bodies_are_protocol_errors(response: httpx.Response) -> None:
    async with answering(response) as api:
        with pytest.raises(ProtocolError):
            await api.list_notifications()


# --- transport failures ----------------------------------------------------------------


def cert_failure(request: httpx.Request) -> Exception:
    try:
        raise ssl.SSLCertVerificationError(
            1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed"
        )
    except ssl.SSLError as exc:
        error = httpx.ConnectError("certificate verify failed", request=request)
        error.__cause__ = exc
        return error


@pytest.mark.parametrize(
    ("make_error", "expected"),
    [
        (lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r), NetworkError),
        (lambda r: httpx.ConnectTimeout("timed out", request=r), NetworkError),
        (lambda r: httpx.ReadTimeout("timed out", request=r), NetworkError),
        (lambda r: httpx.ReadError("connection reset", request=r), NetworkError),
        (lambda r: httpx.RemoteProtocolError("peer closed", request=r), NetworkError),
        (lambda r: httpx.DecodingError("bad gzip", request=r), ProtocolError),
        (cert_failure, TlsError),
    ],
)
async def test_transport_failures(
    make_error: Callable[[httpx.Request], Exception], expected: type[ApiError]
) -> None:
    async with raising(make_error) as api:
        with pytest.raises(expected) as caught:
            await api.get_preferences()
    assert type(caught.value) is expected
    assert caught.value.status is None
    assert isinstance(caught.value.__cause__, httpx.HTTPError)


# --- request shape ---------------------------------------------------------------------


async def test_user_agent_accept_and_timeouts(fake: FakeServer) -> None:
    async with client_for(fake, timeout=3.5) as api:
        await api.health()
    request = fake.requests[0]
    assert request.headers["user-agent"] == f"tray-app/{tray_app.__version__}"
    assert request.headers["accept"] == "application/json"
    assert request.extensions["timeout"] == {
        "connect": 3.5,
        "read": 3.5,
        "write": 3.5,
        "pool": 3.5,
    }


async def test_on_request_reports_each_exchange(fake: FakeServer, api: ApiClient) -> None:
    seen: list[tuple[str, str, int | None]] = []
    api.on_request = lambda method, path, status: seen.append((method, path, status))
    assert api.on_request is not None
    await api.list_notifications(page=2)
    fake.queue("GET", "/api/auth/me", json_response(500, {"error": "x"}))
    with pytest.raises(ServerError):
        await api.me()
    assert seen == [("GET", "/api/notifications", 200), ("GET", "/api/auth/me", 500)]


async def test_on_request_reports_failures_without_status() -> None:
    seen: list[tuple[str, str, int | None]] = []
    async with raising(lambda r: httpx.ConnectError("refused", request=r)) as api:
        api.on_request = lambda *args: seen.append(args)
        with pytest.raises(NetworkError):
            await api.delete_read()
    assert seen == [("DELETE", "/api/notifications", None)]


async def test_a_failing_hook_does_not_break_requests(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    def hook(method: str, path: str, status: int | None) -> None:
        raise RuntimeError("counter broke")

    api.on_request = hook
    assert (await api.health()).status == "ok"
    assert "on_request hook failed" in caplog.text


async def test_a_path_prefix_in_the_base_url_is_kept() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return json_response(200, {"status": "ok"})

    transport = httpx.MockTransport(handler)
    async with ApiClient("https://mail.example.org/app/", transport=transport) as api:
        assert api.base_url == "https://mail.example.org/app"
        await api.health()
    assert urls == ["https://mail.example.org/app/health"]


# --- URL and TLS settings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalised", "insecure"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", False),
        ("http://127.1.2.3", "http://127.1.2.3", False),
        ("http://localhost:3000", "http://localhost:3000", False),
        ("HTTP://LocalHost:3000//", "http://localhost:3000", False),
        ("http://[::1]:8080", "http://[::1]:8080", False),
        ("http://[::ffff:127.0.0.1]:8080", "http://[::ffff:127.0.0.1]:8080", False),
        ("http://192.168.1.10:8080", "http://192.168.1.10:8080", True),
        ("http://mail.example.org", "http://mail.example.org", True),
        ("http://localhost.example.org", "http://localhost.example.org", True),
        ("http://128.0.0.1", "http://128.0.0.1", True),
        ("  https://mail.example.org/  ", "https://mail.example.org", False),
    ],
)
async def test_base_url_and_is_insecure(url: str, normalised: str, insecure: bool) -> None:
    async with ApiClient(url) as api:
        assert api.base_url == normalised
        assert api.is_insecure is insecure


async def test_unverified_https_to_a_remote_host_is_insecure() -> None:
    async with ApiClient("https://mail.example.org", verify=False) as api:
        assert api.is_insecure is True
    async with ApiClient("https://localhost", verify=False) as api:
        assert api.is_insecure is False


@pytest.mark.parametrize(
    "url",
    [
        "mail.example.org",
        "ftp://mail.example.org",
        "https://",
        "https://user:hunter2@mail.example.org",
        "https://mail.example.org/?x=1",
        "https://mail.example.org/#top",
        "https://mail.example.org:99999",
    ],
)
def test_bad_base_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        ApiClient(url)
    assert "hunter2" not in str(caught.value)


async def test_verify_accepts_a_ca_bundle_path() -> None:
    async with ApiClient("https://mail.example.org", verify=certifi.where()) as api:
        assert api.is_insecure is False


async def test_verify_accepts_a_directory_of_certificates(tmp_path: Any) -> None:
    async with ApiClient("https://mail.example.org", verify=str(tmp_path)) as api:
        assert api.is_insecure is False


def test_an_unusable_ca_bundle_is_a_value_error(tmp_path: Any) -> None:
    with pytest.raises(ValueError):
        ApiClient("https://mail.example.org", verify=str(tmp_path / "missing.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ValueError):
        ApiClient("https://mail.example.org", verify=str(junk))


# --- any answer at all -----------------------------------------------------------------

json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["notifications", "unreadCount", "user", "ok", "updated", "id", "error"]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)
CALLS = [
    lambda api: api.health(),
    lambda api: api.auth_config(),
    lambda api: api.login("a@b.c", "pw"),
    lambda api: api.refresh(),
    lambda api: api.me(),
    lambda api: api.list_notifications(),
    lambda api: api.mark_read("00000000-0000-4000-8000-000000000001"),
    lambda api: api.mark_all_read(),
    lambda api: api.delete_read(),
    lambda api: api.get_preferences(),
    lambda api: api.list_jobs(),
    lambda api: api.get_job("00000000-0000-4000-8000-000000000001"),
]


@settings(max_examples=150, deadline=None)
@given(
    body=json_bodies,
    raw=st.binary(max_size=40),
    status=st.sampled_from([200, 201, 204, 200]),
    use_raw=st.booleans(),
    which=st.integers(min_value=0, max_value=len(CALLS) - 1),
)
def test_any_2xx_answer_gives_a_result_or_a_protocol_error(
    body: object, raw: bytes, status: int, use_raw: bool, which: int
) -> None:
    content = raw if use_raw else json.dumps(body).encode()

    async def run() -> None:
        async with answering(httpx.Response(status, content=content)) as api:
            with contextlib.suppress(ProtocolError):
                await CALLS[which](api)

    asyncio.run(run())
