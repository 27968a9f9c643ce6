"""Server address checks of the login dialog (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tray_app.core import urls
from tray_app.core.urls import (
    host_of,
    is_insecure_url,
    is_loopback_host,
    normalize_server_url,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail.example.org", "https://mail.example.org"),
        ("  mail.example.org/  ", "https://mail.example.org"),
        ("HTTPS://Mail.Example.ORG", "https://mail.example.org"),
        ("localhost:3000", "https://localhost:3000"),
        ("http://localhost:3000/", "http://localhost:3000"),
        ("https://mail.example.org/api", "https://mail.example.org"),
        ("https://mail.example.org/api/", "https://mail.example.org"),
        ("https://example.org/mail/", "https://example.org/mail"),
        ("https://example.org/mail/api", "https://example.org/mail"),
        ("https://mail.example.org/?tab=inbox#top", "https://mail.example.org"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://mail.example.org:443", "https://mail.example.org:443"),
    ],
)
def test_normalize(text, expected):
    assert normalize_server_url(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", urls.URL_EMPTY),
        ("   ", urls.URL_EMPTY),
        ("ftp://mail.example.org", urls.URL_BAD_SCHEME),
        ("file:///etc/passwd", urls.URL_BAD_SCHEME),
        ("https://", urls.URL_NO_HOST),
        ("https://:3000", urls.URL_NO_HOST),
        ("https://mail example.org", urls.URL_BAD_HOST),
        ("https://mail..example.org", urls.URL_BAD_HOST),
        ("https://[::1", urls.URL_BAD_HOST),
        ("https://mail.example.org:99999", urls.URL_BAD_PORT),
        ("https://mail.example.org:0", urls.URL_BAD_PORT),
        ("https://mail.example.org:http", urls.URL_BAD_PORT),
        ("https://ada:secret@mail.example.org", urls.URL_HAS_CREDENTIALS),
        ("ada@mail.example.org", urls.URL_HAS_CREDENTIALS),
    ],
)
def test_invalid_addresses_say_why(text, reason):
    with pytest.raises(ValueError) as caught:
        normalize_server_url(text)
    assert caught.value.args == (reason,)
    assert reason in urls.URL_ERROR_KEYS


def test_a_refused_address_never_echoes_a_password():
    with pytest.raises(ValueError) as caught:
        normalize_server_url("https://ada:hunter2@mail.example.org")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("app.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("mail.example.org", False),
        ("192.168.1.10", False),
        ("localhost.example.org", False),
        ("", False),
    ],
)
def test_is_loopback_host(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "insecure"),
    [
        ("http://mail.example.org", True),
        ("http://10.0.0.2:3000", True),
        ("http://localhost:3000", False),
        ("http://127.0.0.1", False),
        ("http://[::1]:3000", False),
        ("https://mail.example.org", False),
        ("mail.example.org", False),
    ],
)
def test_is_insecure_url(url, insecure):
    assert is_insecure_url(url) is insecure


def test_host_of():
    assert host_of("https://mail.example.org:8443/mail") == "mail.example.org:8443"


_labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(
    scheme=st.sampled_from(["", "http://", "https://", "HTTPS://"]),
    labels=st.lists(_labels, min_size=1, max_size=4),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=st.sampled_from(["", "/", "/api", "/mail", "/mail/api/", "/a/b"]),
)
def test_normalize_is_idempotent(scheme, labels, port, path):
    text = scheme + ".".join(labels) + ("" if port is None else f":{port}") + path
    once = normalize_server_url(text)
    assert normalize_server_url(once) == once
    assert once.startswith(("http://", "https://"))
    assert not once.endswith(("/", "/api"))
