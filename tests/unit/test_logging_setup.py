"""Logging: private rotating file, redaction everywhere, a safe excepthook."""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tray_app.logging_setup import (
    LOG_FILE_NAME,
    RedactingFilter,
    install_excepthook,
    redact,
    setup_logging,
)

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMiLCJleHAiOjE3MDB9.Zm9vYmFyLXNpZy1fYWJj"
PASSWORD = "hunter2-is-my-password"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Install the app's logging in tmp_path; put the root logger back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    setup_logging(tmp_path / "logs", "DEBUG")
    yield tmp_path / "logs" / LOG_FILE_NAME
    for handler in root.handlers[:]:
        if handler not in saved_handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved_level)
    RedactingFilter.clear_secrets()


def flushed_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"token {JWT} in the middle", JWT),
        ("Authorization: Bearer abc.DEF-123_x", "abc.DEF-123_x"),
        ("GET /api/x?access_token=s3cr3tvalue&page=2", "s3cr3tvalue"),
        ("form token=s3cr3tvalue", "s3cr3tvalue"),
        ('{"email": "a@b.c", "password": "pa\\"ss word"}', 'pa\\"ss word'),
        ("{'password': 'pa ss', 'email': 'a@b.c'}", "pa ss"),
        ("login password=hunter2&email=a", "hunter2"),
        ('{"token": "opaque-token-value"}', "opaque-token-value"),
        ("Set-Cookie: token=abcdefgh; Path=/; HttpOnly", "abcdefgh"),
    ],
)
def test_patterns_are_redacted(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "[REDACTED]" in cleaned


def test_ordinary_text_is_untouched() -> None:
    text = "Fetched 20 notifications (page 2), 3 unread; tokens refreshed at 10:00"
    assert redact(text) == text
    assert "a@b.c" in redact('{"email": "a@b.c", "password": "x"}')


def test_registered_secret_is_redacted_until_removed() -> None:
    RedactingFilter.add_secret("opaque-session-value")
    try:
        assert "opaque-session-value" not in redact("value=opaque-session-value!")
    finally:
        RedactingFilter.remove_secret("opaque-session-value")
    assert "opaque-session-value" in redact("value opaque-session-value")


def test_very_short_secrets_are_not_registered() -> None:
    RedactingFilter.add_secret("ab")
    try:
        assert redact("a table") == "a table"
    finally:
        RedactingFilter.clear_secrets()


def test_message_and_args_are_redacted_in_the_file(log_file: Path) -> None:
    RedactingFilter.add_secret(PASSWORD)
    log = logging.getLogger("tray_app.test")
    log.info("login with %s and %r", PASSWORD, {"token": JWT})
    log.warning(f"header Bearer {JWT}")
    log.info("cookie %(cookie)s", {"cookie": f"token={JWT}"})
    text = flushed_text(log_file)
    assert PASSWORD not in text and JWT not in text
    assert text.count("[REDACTED]") >= 4
    assert "login with" in text


def test_traceback_is_redacted(log_file: Path) -> None:
    RedactingFilter.add_secret(PASSWORD)
    try:
        raise RuntimeError(f"server refused {PASSWORD} and {JWT}")
    except RuntimeError:
        logging.getLogger("tray_app.test").exception("login failed")
    text = flushed_text(log_file)
    assert "Traceback" in text and "RuntimeError: server refused" in text
    assert PASSWORD not in text and JWT not in text


def test_bad_format_args_still_logged_and_redacted(log_file: Path) -> None:
    logging.getLogger("tray_app.test").info("two %s %s", f"token={PASSWORD}")
    text = flushed_text(log_file)
    assert "two" in text and PASSWORD not in text


def test_log_file_is_private_and_rotates(log_file: Path) -> None:
    log = logging.getLogger("tray_app.test")
    if os.name == "posix":
        log.info("first line")
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
    line = "x" * 1000
    for _ in range(2600):  # ~2.6 MB
        log.info(line)
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    assert all(p.stat().st_size <= 1_000_000 for p in log_file.parent.iterdir())
    if os.name == "posix":
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in log_file.parent.iterdir())


def test_setup_again_replaces_its_handlers(log_file: Path, tmp_path: Path) -> None:
    before = len(logging.getLogger().handlers)
    setup_logging(log_file.parent, "WARNING", console=True)
    assert len(logging.getLogger().handlers) == before + 1  # file replaced, console added
    assert logging.getLogger().level == logging.WARNING


@pytest.fixture
def restore_hooks() -> Iterator[None]:
    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved


def _raise_and_hook(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


def test_excepthook_logs_and_tells_the_user(log_file: Path, restore_hooks: None) -> None:
    shown: list[str] = []
    previous = install_excepthook(shown.append)
    assert previous is not sys.excepthook
    _raise_and_hook(ValueError(f"bad answer with {JWT}\nsecond line"))
    assert len(shown) == 1
    assert shown[0].startswith("ValueError: bad answer")
    assert JWT not in shown[0] and "second line" not in shown[0]
    text = flushed_text(log_file)
    assert "Unexpected error" in text and "Traceback" in text and JWT not in text


def test_excepthook_survives_a_failing_handler(log_file: Path, restore_hooks: None) -> None:
    calls: list[str] = []

    def broken_dialog(message: str) -> None:
        calls.append(message)
        raise RuntimeError("dialog broke")

    install_excepthook(broken_dialog)
    _raise_and_hook(KeyError("first"))
    _raise_and_hook(KeyError("second"))
    assert len(calls) == 2  # called once per error, never re-entered for its own failure
    text = flushed_text(log_file)
    assert "The error handler failed as well" in text and "dialog broke" in text


def test_excepthook_does_not_recurse(log_file: Path, restore_hooks: None) -> None:
    calls: list[str] = []

    def dialog_that_triggers_another_error(message: str) -> None:
        calls.append(message)
        _raise_and_hook(LookupError("raised while reporting"))

    install_excepthook(dialog_that_triggers_another_error)
    _raise_and_hook(ValueError("original"))
    assert calls == ["ValueError: original"]
    assert "raised while reporting" in flushed_text(log_file)


def test_thread_exceptions_are_logged_only(log_file: Path, restore_hooks: None) -> None:
    shown: list[str] = []
    install_excepthook(shown.append)

    def boom() -> None:
        raise RuntimeError("in a worker")

    worker = threading.Thread(target=boom, name="worker-1")
    worker.start()
    worker.join(5)
    assert shown == []
    text = flushed_text(log_file)
    assert "worker-1" in text and "in a worker" in text
