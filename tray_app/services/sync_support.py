"""Helpers of the sync service: options, failure reports, the budget, resume, seen rows.

- :class:`ResumeWatcher` says when to resync at once: the machine woke (the wall clock
  ran ahead of the monotonic one between two ticks every 15 s) or the OS reports the
  network reachable again (QNetworkInformation, when a backend loads).
- :class:`SeenTracker` decides which rows are new, hence worth a toast, with
  :func:`~tray_app.core.sync_logic.merge_page` against a persisted
  :class:`~tray_app.core.sync_logic.SeenState`, so a restart never toasts twice.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtNetwork import QNetworkInformation

from tray_app.api.errors import (
    ApiError,
    NetworkError,
    ProtocolError,
    RateLimited,
    ServerError,
    TlsError,
)
from tray_app.api.models import Notification
from tray_app.core.jsonfile import StateFileError, quarantine, read_json, write_json_atomic
from tray_app.core.schedule import RequestBudget, UpdateSpeed, WakeDetector
from tray_app.core.sync_logic import SeenState, merge_page

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """Tunables of the sync service; the defaults are the product's, tests shorten them."""

    page_size: int = 50
    use_stream: bool = True
    stream_retry_s: float = 600.0
    stream_error_limit: int = 3
    stream_error_window_s: float = 300.0
    stream_backoff_base_s: float = 1.0
    stream_backoff_cap_s: float = 60.0
    wake_tick_s: float = 15.0
    wake_threshold_s: float = 30.0
    watch_network: bool = True


#: The "Update speed" setting's values (tray_app.settings) onto the schedule's speeds.
SETTING_SPEEDS: Final = {
    "battery": UpdateSpeed.BATTERY_SAVER,
    "balanced": UpdateSpeed.BALANCED,
    "fast": UpdateSpeed.FAST,
}


def update_speed(value: UpdateSpeed | str) -> UpdateSpeed:
    """The schedule's speed for an UpdateSpeed or a setting's value; ValueError if unknown."""
    if isinstance(value, UpdateSpeed):
        return value
    return SETTING_SPEEDS.get(value) or UpdateSpeed(value)


def failure_report(exc: ApiError | None) -> tuple[str, str]:
    """The connection state ("offline" or "error") and the user's message for a failure."""
    translate = QCoreApplication.translate
    state = "offline" if isinstance(exc, NetworkError) else "error"
    if isinstance(exc, TlsError):
        return state, translate("SyncService", "The server's certificate could not be verified.")
    if isinstance(exc, NetworkError):
        return state, translate("SyncService", "Cannot reach the server.")
    if isinstance(exc, RateLimited):
        return state, translate("SyncService", "The server asks to slow down; retrying later.")
    if isinstance(exc, ServerError):
        return state, translate("SyncService", "The server had an error; retrying.")
    if isinstance(exc, ProtocolError):
        return state, translate("SyncService", "The server's answer was not understood; retrying.")
    return state, translate("SyncService", "Syncing failed; retrying.")


async def take_budget(
    budget: RequestBudget | None, monotonic: Callable[[], float], *, user: bool
) -> None:
    """Wait until ``budget`` allows a background request; a user's request is only charged."""
    if budget is None:
        return
    if user:
        budget.charge(monotonic())
        return
    while not budget.try_acquire(monotonic()):
        await asyncio.sleep(budget.wait_time(monotonic()))


class ResumeWatcher(QObject):
    """Reports the moments to resync at once: wake from sleep, network back.

    Signals:
        woke(float): the machine slept about this many seconds.
        network_online(): the OS reports the network reachable again.
    """

    woke = Signal(float)
    network_online = Signal()

    def __init__(
        self,
        *,
        tick_s: float = 15.0,
        threshold_s: float = 30.0,
        watch_network: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self._wall = wall
        self._watch_network = watch_network
        # Where the monotonic clock counts sleep (Windows), only a tick gap reveals it.
        gap = 4 * tick_s if sys.platform == "win32" else None
        self._detector = WakeDetector(threshold_s, max_tick_gap_s=gap)
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(tick_s * 1000)))
        self._timer.timeout.connect(self._on_timer_timeout)
        self._network: QNetworkInformation | None = None

    def start(self) -> None:
        if self._timer.isActive():
            return
        self._detector.feed(self._monotonic(), self._wall())
        self._timer.start()
        if self._watch_network and self._network is None:
            self._network = _network_information()
            if self._network is not None:
                self._network.reachabilityChanged.connect(self._on_network_reachability_changed)

    def stop(self) -> None:
        self._timer.stop()
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._on_network_reachability_changed)
            self._network = None

    def _on_timer_timeout(self) -> None:
        slept = self._detector.feed(self._monotonic(), self._wall())
        if slept is not None:
            self.woke.emit(slept)

    def _on_network_reachability_changed(
        self, reachability: QNetworkInformation.Reachability
    ) -> None:
        _log.info("Network reachability: %s", reachability.name)
        if reachability == QNetworkInformation.Reachability.Online:
            self.network_online.emit()


def _network_information() -> QNetworkInformation | None:
    """The OS's network information, or None when no backend loads (tolerated)."""
    try:
        if QNetworkInformation.instance() is None:
            QNetworkInformation.loadDefaultBackend()
        info: QNetworkInformation | None = QNetworkInformation.instance()
    except Exception:
        _log.exception("Cannot load a network information backend")
        return None
    if info is None:
        _log.info("No network information backend: relying on polling alone")
    return info


class SeenTracker:
    """The notifications seen so far, persisted in a JSON file (or only in memory).

    With no file yet, the first merge finds nothing new: the app has just been
    installed and cannot know what the user has already seen.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._state = self._load()

    def merge(self, rows: Sequence[Notification]) -> tuple[Notification, ...]:
        """Record ``rows`` as seen; returns those that are new."""
        result = merge_page(self._state, rows)
        if result.state != self._state:
            self._state = result.state
            self._save(result.state)
        return result.new

    def _load(self) -> SeenState | None:
        if self._path is None:
            return None
        try:
            data = read_json(self._path)
            return None if data is None else SeenState.from_json(data)
        except (StateFileError, ValueError) as exc:
            quarantine(self._path, str(exc))
            return None

    def _save(self, state: SeenState) -> None:
        if self._path is None:
            return
        try:
            write_json_atomic(self._path, state.to_json())
        except OSError:
            _log.exception("Cannot save the seen notifications to %s", self._path)
