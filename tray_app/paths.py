"""Where the app keeps its files, in one place.

Everything the app writes on disk lives under the per-user directories that
``platformdirs`` picks for the platform (XDG on Linux, ``%LOCALAPPDATA%`` on Windows,
``~/Library`` on macOS). Secrets never go to disk: they live in the OS keyring
(:mod:`tray_app.credentials`).

The directories are private: created with mode 0700 when first used, and the files the
app writes are 0600, because notification titles and the server address are personal.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "AppPaths", "atomic_write_bytes", "atomic_write_text", "ensure_private_dir"]

APP_NAME = "tray-app"
"""The name of the app's folders, keyring services and desktop entry."""

DIR_MODE = 0o700
FILE_MODE = 0o600


@dataclass(frozen=True)
class AppPaths:
    """The app's per-user directories.

    ``root`` redirects all of them under one folder (``root/config``, ``root/state``...),
    which tests use to stay out of the real home. Building an ``AppPaths`` touches
    nothing on disk; the ``*_file`` methods create the directory on first use.
    """

    app_name: str = APP_NAME
    root: Path | None = None
    config_dir: Path = field(init=False)
    state_dir: Path = field(init=False)
    cache_dir: Path = field(init=False)
    log_dir: Path = field(init=False)
    data_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        if self.root is not None:
            base = Path(self.root)
            dirs = {name: base / name for name in ("config", "state", "cache", "log", "data")}
        else:
            # appauthor=False: on Windows, no "<author>/<app>" double folder.
            app = self.app_name
            dirs = {
                "config": platformdirs.user_config_path(app, appauthor=False),
                "state": platformdirs.user_state_path(app, appauthor=False),
                "cache": platformdirs.user_cache_path(app, appauthor=False),
                "log": platformdirs.user_log_path(app, appauthor=False),
                "data": platformdirs.user_data_path(app, appauthor=False),
            }
        for name, path in dirs.items():
            object.__setattr__(self, f"{name}_dir", path)

    def config_file(self, name: str) -> Path:
        """Path of ``name`` in the config dir, creating the dir (0700) if needed."""
        return ensure_private_dir(self.config_dir) / name

    def state_file(self, name: str) -> Path:
        """Path of ``name`` in the state dir, creating the dir (0700) if needed."""
        return ensure_private_dir(self.state_dir) / name

    def cache_file(self, name: str) -> Path:
        """Path of ``name`` in the cache dir, creating the dir (0700) if needed."""
        return ensure_private_dir(self.cache_dir) / name

    def log_file(self, name: str) -> Path:
        """Path of ``name`` in the log dir, creating the dir (0700) if needed."""
        return ensure_private_dir(self.log_dir) / name

    def data_file(self, name: str) -> Path:
        """Path of ``name`` in the data dir, creating the dir (0700) if needed."""
        return ensure_private_dir(self.data_dir) / name


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it 0700; return it.

    Parents that did not exist get the default mode; only the app's own folder is
    tightened, so shared folders such as ``~/.config`` are left alone.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask, and the folder may predate us.
    if os.name == "posix" and (path.stat().st_mode & 0o777) != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def atomic_write_bytes(path: Path, data: bytes, *, private_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, the file being 0600.

    The data goes to a private temporary file in the same folder, is flushed to disk,
    then renamed over ``path``: a crash leaves either the old or the new file, never a
    truncated one. The folder is created if needed, and made 0700 unless
    ``private_dir`` is False (for shared folders such as ``~/.config/autostart``).
    """
    if private_dir:
        ensure_private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str, *, private_dir: bool = True) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), private_dir=private_dir)
