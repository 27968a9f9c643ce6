"""The one exception hierarchy of the API client.

::

    ApiError                 anything that went wrong talking to the server
    ├── AuthError            401: no, expired, revoked token, or wrong credentials
    ├── TotpRequired         403 TOTP_REQUIRED: the account needs a 2FA code
    ├── RateLimited          429: carries ``retry_after`` in seconds
    ├── ServerError          5xx
    ├── NetworkError         connect, TLS, timeout, connection dropped mid-body
    │   └── TlsError         certificate verification failed
    └── ProtocolError        an unexpected status, or a body of an unexpected shape
        └── StreamUnavailable  the server has no notification stream (404): poll instead

Messages never contain a token or a password: they are built from the status code and
the server's short ``error`` text only.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base class of every error raised by :mod:`tray_app.api`.

    ``status`` is the HTTP status code when there was an answer, else ``None``.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthError(ApiError):
    """401: the credentials or the token were refused."""


class TotpRequired(ApiError):
    """403 ``TOTP_REQUIRED``: log in again with a ``totp`` code."""


class RateLimited(ApiError):
    """429: wait ``retry_after`` seconds before the next request."""

    def __init__(self, message: str, *, retry_after: float, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; retry later with backoff."""


class NetworkError(ApiError):
    """No usable answer: connection refused or dropped, DNS, timeout, TLS."""


class TlsError(NetworkError):
    """The server's certificate could not be verified."""


class ProtocolError(ApiError):
    """The server answered something this client does not understand."""


class StreamUnavailable(ProtocolError):
    """The server offers no ``/api/notifications/stream`` (404): poll the list instead."""
