"""auth.py and compat.py: JWT expiry, Set-Cookie, loopback hosts, the cookie jar."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest
from api_fakes import make_jwt

from tray_app.api.auth import (
    cookieless_jar,
    is_loopback_host,
    redact,
    token_expiry,
    token_from_body,
    token_from_set_cookie,
)
from tray_app.api.compat import ServerCompat


def jwt_with_payload(payload: bytes) -> str:
    return f"eyJhbGciOiJIUzI1NiJ9.{base64.urlsafe_b64encode(payload).decode().rstrip('=')}.sig"


@pytest.mark.parametrize("exp", [1_800_000_000, 1_800_000_000.5, 0])
def test_expiry_comes_from_the_payload(exp: float) -> None:
    assert token_expiry(make_jwt(exp=exp)) == datetime.fromtimestamp(exp, tz=UTC)


@pytest.mark.parametrize(
    "token",
    [
        make_jwt(),  # no exp
        "not-a-jwt",
        "a.b",
        "a.!!!.c",
        jwt_with_payload(b"[1, 2]"),
        jwt_with_payload(b'{"exp": "tomorrow"}'),
        jwt_with_payload(b'{"exp": true}'),
        jwt_with_payload(b'{"exp": 1e400}'),
        jwt_with_payload(b'{"exp": 99999999999999999999}'),
        jwt_with_payload(b"\xff\xfe"),
        jwt_with_payload(b"[" * 5000),
    ],
)
def test_unreadable_expiry_is_none(token: str) -> None:
    assert token_expiry(token) is None


def test_token_from_set_cookie() -> None:
    headers = [
        "theme=dark; Path=/",
        'token="abc.def.ghi"; Max-Age=86400; Path=/; HttpOnly; SameSite=Strict; Secure',
    ]
    assert token_from_set_cookie(headers) == "abc.def.ghi"
    assert token_from_set_cookie(["token=; Max-Age=0; Path=/"]) is None
    assert token_from_set_cookie(["tokens=x", "xtoken=y", "garbage"]) is None


def test_token_from_body() -> None:
    assert token_from_body({"token": " a.b.c ", "user": {}}) == "a.b.c"
    for body in ({"token": ""}, {"token": 5}, ["token"], None):
        assert token_from_body(body) is None


def test_redact() -> None:
    assert redact("pw hunter2 and tok", ["hunter2", None, "", "tok"]) == "pw *** and ***"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("::2", False),
        ("localhost.evil.org", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_cookie_jar_keeps_nothing() -> None:
    cookies = httpx.Cookies(cookieless_jar())
    request = httpx.Request("POST", "http://127.0.0.1/api/auth/login")
    response = httpx.Response(
        200, headers={"set-cookie": "token=abc; Path=/; HttpOnly"}, request=request
    )
    cookies.extract_cookies(response)
    assert len(cookies) == 0
    plain = httpx.Cookies()
    plain.extract_cookies(response)
    assert len(plain) == 1  # the same answer fills an ordinary jar


def test_compat_order_and_memory() -> None:
    compat = ServerCompat()
    assert compat.mark_all_read_order() == ("PATCH", "POST")
    compat.remember_mark_all_read("POST")
    assert compat.mark_all_read_order() == ("POST", "PATCH")
    assert "POST" in repr(compat)
    compat.forget()
    assert compat.mark_all_read_method is None
