"""Translated texts that tell a person why signing in did not work.

The login dialog only shows text; ``app.py`` decides what went wrong. It either passes
a :class:`LoginErrorKind` to :func:`login_error_message`, or hands the exception of the
API client to :func:`login_error_text`. Only the exception classes of
``tray_app.api.errors`` are used here, never the client itself.
"""

from __future__ import annotations

import math
from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from tray_app.api import errors
from tray_app.core import urls

# Every text below is written out as QCoreApplication.translate("LoginMessages", "...")
# with literal strings: lupdate only extracts literal contexts and texts.


class LoginErrorKind(StrEnum):
    """Why a sign-in failed, as far as the person needs to know."""

    WRONG_CREDENTIALS = "wrong_credentials"
    SSO_ACCOUNT = "sso_account"
    TOTP_WRONG = "totp_wrong"
    UNREACHABLE = "unreachable"
    TLS = "tls"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NOT_A_SERVER = "not_a_server"
    GENERIC = "generic"


def login_error_message(
    kind: LoginErrorKind | str,
    *,
    retry_after: float | None = None,
    sso_enabled: bool = False,
) -> str:
    """The text to show for ``kind``.

    ``retry_after`` (seconds) goes into the rate-limit text. ``sso_enabled`` says that the
    server offers Google/social sign-in: the server answers a password-less SSO account
    exactly like a wrong password, so the wrong-password text then mentions that case too.
    """
    try:
        kind = LoginErrorKind(kind)
    except ValueError:
        kind = LoginErrorKind.GENERIC
    if kind is LoginErrorKind.WRONG_CREDENTIALS and sso_enabled:
        return QCoreApplication.translate(
            "LoginMessages",
            "Wrong email or password. If you created this account with Google sign-in, "
            "it has no password yet: set one in the web app, then sign in here.",
        )
    if kind is LoginErrorKind.RATE_LIMITED:
        return _rate_limited_message(retry_after)
    return _kind_texts().get(kind) or QCoreApplication.translate(
        "LoginMessages", "Signing in did not work. Try again in a moment."
    )


def _kind_texts() -> dict[LoginErrorKind, str]:
    """The texts that need no parameter, translated now (the language may change)."""
    return {
        LoginErrorKind.WRONG_CREDENTIALS: QCoreApplication.translate(
            "LoginMessages", "Wrong email or password."
        ),
        LoginErrorKind.SSO_ACCOUNT: QCoreApplication.translate(
            "LoginMessages",
            "This account was created with Google sign-in and has no password, so it "
            "cannot sign in here yet. Set a password in the web app, then sign in "
            "with your email and that password.",
        ),
        LoginErrorKind.TOTP_WRONG: QCoreApplication.translate(
            "LoginMessages",
            "The two-factor code was not accepted. Enter the current 6-digit code from "
            "your authenticator app (check that your device's clock is right).",
        ),
        LoginErrorKind.UNREACHABLE: QCoreApplication.translate(
            "LoginMessages",
            "Cannot reach the server. Check the address and your network connection.",
        ),
        LoginErrorKind.TLS: QCoreApplication.translate(
            "LoginMessages",
            "The server's security certificate could not be verified, so the connection "
            "was not made. Check the address, or ask your administrator.",
        ),
        LoginErrorKind.SERVER_ERROR: QCoreApplication.translate(
            "LoginMessages", "The server had a problem. Try again in a moment."
        ),
        LoginErrorKind.NOT_A_SERVER: QCoreApplication.translate(
            "LoginMessages",
            "This address does not answer like a mail-management server. Check the address.",
        ),
    }


def _rate_limited_message(retry_after: float | None) -> str:
    if retry_after is None or retry_after <= 0:
        return QCoreApplication.translate(
            "LoginMessages", "Too many sign-in attempts. Wait a minute, then try again."
        )
    seconds = max(1, math.ceil(retry_after))
    return QCoreApplication.translate(
        "LoginMessages",
        "Too many sign-in attempts. Wait %n second(s), then try again.",
        None,
        seconds,
    )


def login_error_kind(error: BaseException, *, totp_sent: bool) -> LoginErrorKind:
    """Classify an exception of the API client raised while signing in.

    ``totp_sent`` tells whether the failed attempt carried a two-factor code: the server
    answers a wrong code with the same 401 as a wrong password.
    """
    if isinstance(error, errors.AuthError):
        return LoginErrorKind.TOTP_WRONG if totp_sent else LoginErrorKind.WRONG_CREDENTIALS
    if isinstance(error, errors.RateLimited):
        return LoginErrorKind.RATE_LIMITED
    if isinstance(error, errors.TlsError):
        return LoginErrorKind.TLS
    if isinstance(error, errors.NetworkError):
        return LoginErrorKind.UNREACHABLE
    if isinstance(error, errors.ServerError):
        return LoginErrorKind.SERVER_ERROR
    if isinstance(error, errors.ProtocolError):
        return LoginErrorKind.NOT_A_SERVER
    return LoginErrorKind.GENERIC


def login_error_text(error: BaseException, *, totp_sent: bool, sso_enabled: bool = False) -> str:
    """The text to show for an exception raised while signing in (see the two above)."""
    retry_after = error.retry_after if isinstance(error, errors.RateLimited) else None
    kind = login_error_kind(error, totp_sent=totp_sent)
    return login_error_message(kind, retry_after=retry_after, sso_enabled=sso_enabled)


def url_error_message(reason: str) -> str:
    """The text for a reason key of :func:`tray_app.core.urls.normalize_server_url`."""
    texts = {
        urls.URL_EMPTY: QCoreApplication.translate(
            "LoginMessages", "Enter the address of your server."
        ),
        urls.URL_BAD_SCHEME: QCoreApplication.translate(
            "LoginMessages", "The address must start with https:// (or http://)."
        ),
        urls.URL_NO_HOST: QCoreApplication.translate(
            "LoginMessages", "The address has no server name."
        ),
        urls.URL_BAD_HOST: QCoreApplication.translate(
            "LoginMessages", "The server name in this address is not valid."
        ),
        urls.URL_BAD_PORT: QCoreApplication.translate(
            "LoginMessages", "The port number in this address is not valid."
        ),
        urls.URL_HAS_CREDENTIALS: QCoreApplication.translate(
            "LoginMessages",
            "Do not put a user name or password in the address; use the fields below.",
        ),
    }
    return texts.get(
        reason, QCoreApplication.translate("LoginMessages", "This server address is not valid.")
    )
