"""The HTTP plumbing under :class:`tray_app.api.client.ApiClient`.

One :class:`Requester` owns the ``httpx.AsyncClient``: it builds requests (User-Agent,
Bearer token, explicit timeouts, no JSON content type without a body), maps every
failure onto the one exception hierarchy of :mod:`tray_app.api.errors`, and reports
each exchange to an optional ``on_request`` hook. Endpoints live in the client.
"""

from __future__ import annotations

import logging
import math
import os
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from tray_app import __version__
from tray_app.api.auth import cookieless_jar, is_loopback_host, redact
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
from tray_app.api.parsing import error_text

logger = logging.getLogger(__name__)

RequestHook = Callable[[str, str, int | None], None]

USER_AGENT: Final = f"tray-app/{__version__}"
#: Used when a 429 says neither a ``retry-after`` header nor "retry in N seconds".
DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0
_MAX_TEXT: Final = 200
_NO_STREAM_STATUSES: Final = frozenset({404, 405, 501})
_RETRY_IN_RE: Final = re.compile(r"retry in (\d+(?:\.\d+)?)\s*s", re.IGNORECASE)


def normalise_base_url(url: str) -> str:
    """``scheme://host[:port][/prefix]`` without a trailing slash, or ValueError.

    Messages never echo the URL: it could hold credentials.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # validates the port
    except ValueError as exc:
        raise ValueError("the server URL is not valid") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("the server URL must start with http:// or https:// and name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the server URL must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("the server URL must not contain a query or fragment")
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """httpx's ``verify`` from ours: a bool, or the path of a CA bundle (file or dir)."""
    if isinstance(verify, bool):
        return verify
    try:
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError("the CA bundle could not be loaded") from exc


def retry_after_seconds(header: str | None, message: str | None) -> float:
    """Seconds to wait after a 429: the header (seconds or HTTP date), else the text."""
    seconds: float | None = None
    if header:
        try:
            seconds = float(header.strip())
        except ValueError:
            try:
                when = parsedate_to_datetime(header.strip())
                seconds = (when - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError, IndexError):
                seconds = None
    if (seconds is None or not math.isfinite(seconds)) and message:
        match = _RETRY_IN_RE.search(message)
        seconds = float(match.group(1)) if match else None
    if seconds is None or not math.isfinite(seconds):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def error_for_status(response: httpx.Response, secrets: Iterable[str | None]) -> ApiError:
    """The exception for a non-2xx answer (its body must have been read)."""
    status = response.status_code
    try:
        body: Any = response.json()
    except (ValueError, UnicodeError, RecursionError):
        body = None
    text = _shorten(redact(error_text(body) or response.reason_phrase or "error", secrets))
    if status == 401:
        return AuthError(text, status=status)
    if status == 403 and text.strip().upper() == "TOTP_REQUIRED":
        return TotpRequired("the account needs a two-factor code", status=status)
    if status == 429:
        wait = retry_after_seconds(response.headers.get("retry-after"), text)
        return RateLimited(f"rate limited: {text}", retry_after=wait, status=status)
    if status >= 500:
        return ServerError(f"server error {status}: {text}", status=status)
    return ProtocolError(f"unexpected answer {status}: {text}", status=status)


def error_for_transport(exc: httpx.HTTPError, secrets: Iterable[str | None]) -> ApiError:
    """The exception for an httpx failure without a usable answer."""
    detail = _shorten(redact(f"{type(exc).__name__}: {exc}", secrets))
    if _is_certificate_failure(exc):
        return TlsError(f"the server's certificate could not be verified ({detail})")
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"the server did not answer in time ({detail})")
    if isinstance(exc, httpx.TransportError):
        return NetworkError(f"cannot reach the server ({detail})")
    return ProtocolError(f"unreadable answer ({detail})")


def _shorten(text: str) -> str:
    """Cut a (redacted) text from the network to a sane length for messages."""
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _is_certificate_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx answer; None when it is empty (204)."""
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise ProtocolError("the server's answer is not JSON", status=response.status_code) from exc


class Requester:
    """Sends requests to one server and turns failures into :class:`ApiError`.

    Plain requests use ``timeout`` for every phase. Streams use it to connect, and
    ``stream_read_timeout`` between two received chunks: httpx restarts that timer on
    each chunk, so the server's ``: heartbeat`` comments (every 15 s by default) keep a
    healthy stream open while a silent, dead connection fails with
    :class:`NetworkError`. None disables it (the caller must then watch liveness).
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        verify: bool | str,
        stream_read_timeout: float | None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.verify = verify
        self.token: str | None = None
        self.on_request: RequestHook | None = None
        self._timeout = httpx.Timeout(timeout)
        self._stream_timeout = httpx.Timeout(timeout, read=stream_read_timeout)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            verify=ssl_verify(verify),
            timeout=self._timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            cookies=cookieless_jar(),
            follow_redirects=False,
        )

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def is_insecure(self) -> bool:
        """Plain http, or unverified https, to a host other than this machine."""
        if is_loopback_host(self.host):
            return False
        return self.base_url.startswith("http://") or self.verify is False

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        auth: bool = True,
        secrets: Iterable[str | None] = (),
    ) -> httpx.Response:
        """Send one request; return the 2xx answer or raise the mapped error.

        ``json=None`` sends no body and no Content-Type (the server answers 400 to a JSON
        content type with an empty body).
        """
        all_secrets = (self.token, *secrets)
        started = time.monotonic()
        try:
            response = await self._client.request(
                method, path, params=params, json=json, headers=self._headers(auth)
            )
        except httpx.HTTPError as exc:
            self._report(method, path, None)
            logger.debug("%s %s failed: %s", method, path, type(exc).__name__)
            raise error_for_transport(exc, all_secrets) from exc
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %d (%.0f ms)", method, path, response.status_code, elapsed_ms)
        self._report(method, path, response.status_code)
        if not response.is_success:
            raise error_for_status(response, all_secrets)
        return response

    @asynccontextmanager
    async def stream(
        self, path: str, *, missing: type[ProtocolError] = ProtocolError
    ) -> AsyncIterator[httpx.Response]:
        """Open an event stream; yields the 2xx ``text/event-stream`` answer, unread.

        ``missing`` is raised when the server has no such stream: 404, 405 or 501, or an
        answer that is not an event stream.
        """
        headers = self._headers(auth=True)
        headers.update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
        request = self._client.build_request(
            "GET", path, headers=headers, timeout=self._stream_timeout
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            self._report("GET", path, None)
            raise error_for_transport(exc, (self.token,)) from exc
        try:
            logger.debug("GET %s -> %d (stream)", path, response.status_code)
            self._report("GET", path, response.status_code)
            if not response.is_success:
                await self._read_error_body(response)
                error = error_for_status(response, (self.token,))
                if missing is not ProtocolError and response.status_code in _NO_STREAM_STATUSES:
                    raise missing(error.message, status=response.status_code)
                raise error
            content_type = response.headers.get("content-type", "").partition(";")[0]
            if content_type.strip().lower() != "text/event-stream":
                raise missing("the server did not answer with an event stream")
            yield response
        finally:
            await response.aclose()

    def transport_error(self, exc: httpx.HTTPError) -> ApiError:
        """Map a failure while reading a stream's body."""
        return error_for_transport(exc, (self.token,))

    async def _read_error_body(self, response: httpx.Response) -> None:
        try:
            await response.aread()
        except httpx.HTTPError as exc:
            raise error_for_transport(exc, (self.token,)) from exc

    def _headers(self, auth: bool) -> dict[str, str]:
        if auth and self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def _report(self, method: str, path: str, status: int | None) -> None:
        hook = self.on_request
        if hook is None:
            return
        try:
            hook(method, path, status)
        except Exception:
            logger.exception("The on_request hook failed")
