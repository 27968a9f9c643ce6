"""Small JSON state files: atomic writes, owner-only mode, tolerant reads.

The toasted log and the outbox live in the user's state directory and are rewritten
often. A crash or a full disk in the middle of a write must never leave a half-written
file behind, so every write goes to a temporary file in the same directory, is flushed
to disk and then atomically renamed over the old one (``os.replace``). The files hold
notification ids and pending actions, nothing secret, but they still describe the
user's mail activity: they are created with mode 0600.

A file that cannot be parsed is moved aside (``<name>.corrupt``) and logged, so that
the caller can start fresh without losing the evidence.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

_log = logging.getLogger(__name__)


class StateFileError(Exception):
    """A state file exists but cannot be read or is not valid JSON."""


def write_json_atomic(path: Path, data: object) -> None:
    """Write ``data`` as JSON to ``path`` atomically, with mode 0600.

    Raises ``OSError`` (e.g. disk full) and leaves the previous file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp already uses 0600 on POSIX; be explicit
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows opening a directory."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_json(path: Path) -> object | None:
    """The parsed content of ``path``, or None when the file does not exist.

    Raises :class:`StateFileError` when the file exists but is unreadable or not JSON.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"cannot read {path.name}: {exc}") from exc
    try:
        data: object = json.loads(text)
    except ValueError as exc:
        raise StateFileError(f"{path.name} is not valid JSON: {exc}") from exc
    return data


def quarantine(path: Path, reason: str) -> None:
    """Move a corrupt state file aside as ``<name>.corrupt`` and log why.

    Never raises: when even the rename fails, the file is left in place and the next
    successful write replaces it.
    """
    target = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, target)
    except OSError:
        _log.warning("Corrupt state file %s (%s); starting fresh", path, reason)
        return
    _log.warning("Corrupt state file %s (%s); moved to %s, starting fresh", path, reason, target)
