"""Logging: a rotating private log file, secrets redacted, and an excepthook.

:func:`setup_logging` sends the app's records to ``log_dir/tray-app.log`` (1 MB x 3,
mode 0600) and optionally to stderr. A :class:`RedactingFilter` on every handler
rewrites each record before it is formatted: JWTs, ``Bearer`` credentials,
``token=``/``password=`` parameters, JSON/dict ``"password": "..."`` pairs, and the exact
secret values the session registers with :meth:`RedactingFilter.add_secret` become
``[REDACTED]`` in the message, its arguments and any traceback.

:func:`install_excepthook` makes an unexpected exception a logged traceback and a short
message for the user, instead of a silent death of the slot that raised it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from io import TextIOWrapper
from pathlib import Path
from types import TracebackType

from tray_app.paths import FILE_MODE, ensure_private_dir

__all__ = ["LOG_FILE_NAME", "RedactingFilter", "install_excepthook", "redact", "setup_logging"]

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "tray-app.log"
REDACTED = "[REDACTED]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words

# Credential names whose values are secrets, in URLs, forms, JSON and reprs.
_KEYS = r"(?:[a-z_]*token|password|passwd|pwd|secret|totp(?:_?code)?|totpCode)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A JWT: header and payload are base64url JSON, so both start with "eyJ".
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"(?i)\b(Bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{REDACTED}"),
    # "password": "x" in JSON, 'password': 'x' in a Python repr.
    (re.compile(rf'(?i)("{_KEYS}"\s*:\s*)"(?:[^"\\]|\\.)*"'), rf'\1"{REDACTED}"'),
    (re.compile(rf"(?i)('{_KEYS}'\s*:\s*)'(?:[^'\\]|\\.)*'"), rf"\1'{REDACTED}'"),
    # token=x, password=x in query strings, forms, cookies and key=value reprs.
    (re.compile(rf"(?i)\b({_KEYS}=)(['\"]?)[^&\s;,'\"]+"), rf"\1\2{REDACTED}"),
)


class RedactingFilter(logging.Filter):
    """Rewrites records so that no secret reaches a handler.

    Registered secrets are process-wide, like logging itself: the session calls
    ``RedactingFilter.add_secret(token)`` when it obtains a token and
    ``remove_secret`` when it drops it.
    """

    _secrets: set[str] = set()  # noqa: RUF012 (shared on purpose, guarded by _lock)
    _lock = threading.Lock()

    @classmethod
    def add_secret(cls, value: str) -> None:
        """Redact ``value`` wherever it appears from now on (if at least 4 chars)."""
        if len(value) >= _MIN_SECRET_LENGTH:
            with cls._lock:
                cls._secrets.add(value)

    @classmethod
    def remove_secret(cls, value: str) -> None:
        """Stop redacting ``value`` (it was revoked or replaced)."""
        with cls._lock:
            cls._secrets.discard(value)

    @classmethod
    def clear_secrets(cls) -> None:
        """Forget every registered secret (logout, tests)."""
        with cls._lock:
            cls._secrets.clear()

    @classmethod
    def redact(cls, text: str) -> str:
        """``text`` with secrets and credential-looking values replaced."""
        with cls._lock:
            # Longest first, so a secret containing another is masked whole.
            secrets = sorted(cls._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Merge the arguments into the message, redact it and the traceback."""
        try:
            message = record.getMessage()
        except Exception:  # bad format arguments: keep everything, redacted
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
            # Formatters re-format exc_info only when exc_text is empty; keep the redacted
            # text and drop the live exception so no handler formats it again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact(text: str) -> str:
    """Module-level shortcut for :meth:`RedactingFilter.redact`."""
    return RedactingFilter.redact(text)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created 0600."""

    def _open(self) -> TextIOWrapper:
        stream = super()._open()
        if os.name == "posix":
            os.chmod(self.baseFilename, FILE_MODE)
        return stream


def setup_logging(
    log_dir: Path, level: str | int = "INFO", *, console: bool = False
) -> RedactingFilter:
    """Route the root logger to a rotating file in ``log_dir`` (and stderr if ``console``).

    Replaces handlers a previous call installed, so it can run again when the log level
    setting changes. Returns the filter attached to the handlers.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_tray_app_handler", False)]:
        root.removeHandler(old)
        old.close()
    redacting = RedactingFilter()
    formatter = logging.Formatter(_FORMAT)
    ensure_private_dir(log_dir)
    handlers: list[logging.Handler] = [
        _PrivateRotatingFileHandler(
            log_dir / LOG_FILE_NAME, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.addFilter(redacting)
        handler.setFormatter(formatter)
        handler._tray_app_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return redacting


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_excepthook(on_error: Callable[[str], None]) -> ExceptHook:
    """Log uncaught exceptions and tell the user through ``on_error(short_message)``.

    ``on_error`` runs for exceptions of the main thread only (it shows a dialog);
    worker-thread exceptions are logged. If ``on_error`` itself raises, or an exception
    arrives while it runs, that is logged and ``on_error`` is not called again for it,
    so a broken error dialog cannot loop. Ctrl+C keeps its default behaviour. Returns
    the previous ``sys.excepthook`` so callers (tests) can restore it.
    """
    previous = sys.excepthook
    reporting = threading.local()

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        logger.critical("Unexpected error", exc_info=(exc_type, exc, tb))
        if getattr(reporting, "active", False):
            return
        reporting.active = True
        try:
            on_error(_short_message(exc))
        except Exception:
            logger.exception("The error handler failed as well")
        finally:
            reporting.active = False

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            logger.error(
                "Unexpected error in thread %s",
                args.thread.name if args.thread else "?",
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return previous


def _short_message(exc: BaseException) -> str:
    """One redacted line for the user: the exception type and the first line of text."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    message = RedactingFilter.redact(message)
    return message if len(message) <= 200 else message[:199] + "…"
