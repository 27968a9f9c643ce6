"""Token helpers: where the server puts the JWT, when it expires, and keeping it secret.

The server sets the JWT only as a ``Set-Cookie: token=<JWT>`` header; older versions put
it in the JSON body as ``token``. The client sends it back as ``Authorization: Bearer``
and never lets a cookie jar keep it. The JWT lives 15 minutes (although the cookie says
24 h), so callers read :func:`token_expiry` to refresh in time. The signature is not
checked: only the server can, and the client just needs the date.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from typing import Any
from urllib.request import Request

_TOKEN_COOKIE = "token"
_REDACTED = "***"


def token_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT as an aware UTC datetime, or None if unreadable.

    Reads the payload only (no signature check). Anything malformed gives None, never
    an exception, so a caller can treat "unknown expiry" like "refresh soon".
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        return None
    try:
        return datetime.fromtimestamp(exp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def token_from_set_cookie(set_cookie_headers: Iterable[str]) -> str | None:
    """The value of the ``token`` cookie among ``Set-Cookie`` header values, if any.

    An empty value (the server clearing the cookie) counts as no token.
    """
    for header in set_cookie_headers:
        name, sep, rest = header.partition("=")
        if not sep or name.strip() != _TOKEN_COOKIE:
            continue
        value = rest.split(";", 1)[0].strip().strip('"')
        if value:
            return value
    return None


def token_from_body(body: Any) -> str | None:
    """The ``token`` field of a login/refresh body (older server versions), if any."""
    if isinstance(body, dict):
        value = body.get("token")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each non-empty secret replaced by ``***``.

    Used on the server's error texts before they go into exception messages, in case a
    server ever echoes a credential back.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (also IPv4-mapped)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


class RejectAllCookies(CookiePolicy):
    """A cookie policy that stores and sends nothing.

    The server's ``token`` cookie must not live in httpx's jar: the client owns the
    token (sends it as a Bearer header, clears it on logout), and a stale cookie would
    otherwise keep authenticating requests after logout.
    """

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: Request) -> bool:
        return False


def cookieless_jar() -> CookieJar:
    """A cookie jar that never keeps anything (see :class:`RejectAllCookies`)."""
    return CookieJar(policy=RejectAllCookies())
