"""The server's 12 notification preferences: loaded, cached for offline use, saved.

The ``*_toast`` keys decide the app's toasts, so they must work without the server:
the last known values are kept in a JSON file in the state directory and read at
construction. A change is saved with a PUT of that key only (the server applies any
subset), and the local value changes only once the server accepted it; a failure
keeps the old value and says why, so that the preferences dialog can undo its
checkbox visibly. Requests run one at a time, in the order asked, so that two quick
toggles of one key end on the server in the order the user made them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, Signal

from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, AuthError, NetworkError, RateLimited, ServerError
from tray_app.api.models import DEFAULT_PREFERENCES, PREFERENCE_KEYS
from tray_app.core.jsonfile import StateFileError, quarantine, read_json, write_json_atomic

__all__ = ["PreferencesService"]

logger = logging.getLogger(__name__)

_CACHE_VERSION: Final = 1


class PreferencesService(QObject):
    """Holds the preferences; see the module doc.

    ``cache_path`` is the JSON cache in the state directory (None: memory only).
    :meth:`load`, :meth:`set_preference` and :meth:`reset_to_defaults` schedule the
    request on the running loop and return its task (True on success); the outcome
    also comes as signals.

    Signals:
        preferences_changed(dict): all 12 values, after a load or a saved change.
        saved(str, bool): the server accepted this key's new value.
        save_failed(str, bool, str): this key was not saved; its value stays the
            given old one; a translated sentence says why.
        load_failed(str): the preferences could not be fetched (translated reason);
            the cached values stay in use.
    """

    preferences_changed = Signal(dict)
    saved = Signal(str, bool)
    save_failed = Signal(str, bool, str)
    load_failed = Signal(str)

    def __init__(
        self,
        cache_path: Path | None,
        client: ApiClient | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cache_path = cache_path
        self._client = client
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[bool]] = set()
        self._prefs: dict[str, bool] = dict(DEFAULT_PREFERENCES)
        self._prefs.update(self._read_cache())

    @property
    def preferences(self) -> dict[str, bool]:
        """A copy of the current values (server, else cache, else defaults)."""
        return dict(self._prefs)

    def set_client(self, client: ApiClient | None) -> None:
        """Talk to the server through ``client``; None (signed out) works from the cache."""
        self._client = client

    def load(self) -> asyncio.Task[bool]:
        """Fetch the preferences; emits preferences_changed, or load_failed."""
        return self._spawn(self._load())

    def set_preference(self, key: str, value: bool) -> asyncio.Task[bool]:
        """Save one key (ValueError at once for an unknown key or a non-boolean)."""
        if key not in PREFERENCE_KEYS:
            raise ValueError(f"unknown preference {key!r}")
        if not isinstance(value, bool):
            raise ValueError(f"preference {key!r} must be a boolean")
        return self._spawn(self._save({key: value}, announce=(key,)))

    def reset_to_defaults(self) -> asyncio.Task[bool]:
        """Save the documented defaults of all 12 keys in one request.

        ``saved`` / ``save_failed`` are emitted for the keys whose value changes.
        """
        changing = tuple(k for k, v in DEFAULT_PREFERENCES.items() if self._prefs.get(k) != v)
        return self._spawn(self._save(dict(DEFAULT_PREFERENCES), announce=changing))

    async def wait_idle(self) -> None:
        """Wait for every request in flight (at exit, and in tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- requests ----------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, bool]) -> asyncio.Task[bool]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _load(self) -> bool:
        async with self._lock:
            client = self._client
            if client is None:
                self.load_failed.emit(self.tr("Not connected to the server."))
                return False
            try:
                values = await client.get_preferences()
            except ApiError as exc:
                logger.info("Cannot load the preferences: %s", exc.message)
                self.load_failed.emit(self._reason(exc))
                return False
            self._prefs.update({k: v for k, v in values.items() if k in PREFERENCE_KEYS})
            self._write_cache()
            self.preferences_changed.emit(dict(self._prefs))
            return True

    async def _save(self, changes: Mapping[str, bool], *, announce: tuple[str, ...]) -> bool:
        async with self._lock:
            old = {key: self._prefs[key] for key in announce}
            client = self._client
            try:
                if client is None:
                    raise _NotConnected
                await client.update_preferences(changes)
            except (ApiError, _NotConnected) as exc:
                message = self._save_failure(exc)
                logger.info("Preferences not saved: %s", message)
                for key, value in old.items():
                    self.save_failed.emit(key, value, message)
                return False
            self._prefs.update(changes)
            self._write_cache()
            self.preferences_changed.emit(dict(self._prefs))
            for key in announce:
                self.saved.emit(key, self._prefs[key])
            return True

    # --- messages ----------------------------------------------------------------------

    def _reason(self, exc: ApiError) -> str:
        if isinstance(exc, AuthError):
            return self.tr("Your session has expired: sign in again.")
        if isinstance(exc, RateLimited):
            return self.tr("The server is busy: try again in a minute.")
        if isinstance(exc, NetworkError):
            return self.tr("The server cannot be reached.")
        if isinstance(exc, ServerError):
            return self.tr("The server had an internal error.")
        return self.tr("The server gave an unexpected answer.")

    def _save_failure(self, exc: Exception) -> str:
        # Only the reason: the dialog already says which change was not saved.
        if isinstance(exc, ApiError):
            return self._reason(exc)
        return self.tr("Not connected to the server.")

    # --- the cache ---------------------------------------------------------------------

    def _read_cache(self) -> dict[str, bool]:
        if self._cache_path is None:
            return {}
        try:
            data = read_json(self._cache_path)
        except StateFileError as exc:
            quarantine(self._cache_path, str(exc))
            return {}
        if data is None:
            return {}
        valid = isinstance(data, dict) and data.get("version") == _CACHE_VERSION
        values = data.get("preferences") if isinstance(data, dict) else None
        if not valid or not isinstance(values, dict):
            quarantine(self._cache_path, "unknown preferences cache format")
            return {}
        # Values of the wrong type are dropped one by one: the defaults stand in.
        return {k: v for k, v in values.items() if k in PREFERENCE_KEYS and isinstance(v, bool)}

    def _write_cache(self) -> None:
        if self._cache_path is None:
            return
        try:
            write_json_atomic(
                self._cache_path, {"version": _CACHE_VERSION, "preferences": self._prefs}
            )
        except OSError:
            logger.exception("Cannot write the preferences cache %s", self._cache_path)


class _NotConnected(Exception):
    """No client: signed out or not yet connected."""
