"""Checking and normalising the server address that a person types into the login dialog.

Pure functions, no Qt: the dialog shows the translated text of the reason keys below
(``tray_app.ui.messages.url_error_message``).
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import SplitResult, urlsplit, urlunsplit

#: Reason keys carried by the ``ValueError`` of :func:`normalize_server_url`.
URL_EMPTY: Final = "url_empty"
URL_BAD_SCHEME: Final = "url_bad_scheme"
URL_NO_HOST: Final = "url_no_host"
URL_BAD_HOST: Final = "url_bad_host"
URL_BAD_PORT: Final = "url_bad_port"
URL_HAS_CREDENTIALS: Final = "url_has_credentials"

URL_ERROR_KEYS: Final = frozenset(
    {URL_EMPTY, URL_BAD_SCHEME, URL_NO_HOST, URL_BAD_HOST, URL_BAD_PORT, URL_HAS_CREDENTIALS}
)

_ALLOWED_SCHEMES: Final = frozenset({"http", "https"})
# Characters that never belong in a host name (IPv6 literals keep their brackets apart).
_BAD_HOST_CHARS: Final = frozenset(" \t\r\n/\\?#@%<>\"'`{}|^")


def normalize_server_url(text: str) -> str:
    """The canonical form of a server address, e.g. ``https://mail.example.org``.

    ``https://`` is assumed when no scheme is given. The scheme and host are lowercased,
    query and fragment are dropped (people paste addresses from the browser), a trailing
    ``/`` and a trailing ``/api`` are removed because the client adds ``/api/...`` itself,
    and a sub-path (a server published under ``/mail``) is kept.

    Raises ``ValueError`` whose single argument is one of the ``URL_*`` reason keys.
    """
    text = text.strip()
    if not text:
        raise ValueError(URL_EMPTY)
    if "://" not in text:
        # urlsplit("host:3000") would read "host" as a scheme.
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        raise ValueError(URL_BAD_HOST) from None
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        raise ValueError(URL_BAD_SCHEME)
    if parts.username is not None or parts.password is not None:
        # A password in a URL ends up in logs and histories: refuse it outright.
        raise ValueError(URL_HAS_CREDENTIALS)
    netloc = _checked_netloc(parts)
    path = parts.path.rstrip("/")
    if path.lower().endswith("/api"):
        path = path[: -len("/api")]
    return urlunsplit((scheme, netloc, path, "", ""))


def _checked_netloc(parts: SplitResult) -> str:
    """``host[:port]`` of ``parts``, lowercased and checked; raises ``ValueError``."""
    host = parts.hostname
    if not host:
        raise ValueError(URL_NO_HOST)
    if _BAD_HOST_CHARS.intersection(host) or host.startswith(".") or ".." in host:
        raise ValueError(URL_BAD_HOST)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(URL_BAD_PORT) from None
    if port == 0:
        raise ValueError(URL_BAD_PORT)
    shown_host = f"[{host}]" if ":" in host else host
    return shown_host if port is None else f"{shown_host}:{port}"


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``*.localhost``, 127.0.0.0/8 and ``::1`` (with or without brackets).

    Plain HTTP to these never leaves the machine, so it needs no warning.
    """
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_insecure_url(url: str) -> bool:
    """True when ``url`` is plain ``http://`` to a host other than this machine.

    The password and the session token would cross the network unencrypted.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() != "http":
        return False
    return not is_loopback_host(parts.hostname or "")


def host_of(url: str) -> str:
    """The host (and port, if any) of ``url`` for display, e.g. ``mail.example.org``."""
    return urlsplit(url).netloc.rpartition("@")[2]
