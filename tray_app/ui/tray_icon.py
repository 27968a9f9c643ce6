"""The system tray icon, its badge, tooltip and context menu.

The widget never acts by itself: every menu entry emits an intent signal that
``app.py`` connects to the services, and the services' state comes back through the
``set_*`` methods. The menu is built once; updates only change texts, visibility and
enabled states, which is cheap and keeps an open menu stable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from PySide6.QtCore import QDate, QDateTime, QLocale, QObject, QTime, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from tray_app.ui.badge import TrayIconPainter, TrayState, count_bucket

log = logging.getLogger(__name__)

#: Values of ``connection`` in :meth:`TrayIcon.set_state` that get their own wording.
CONNECTION_ONLINE: Final = "online"
CONNECTION_CONNECTING: Final = "connecting"
CONNECTION_OFFLINE: Final = "offline"

PAUSE_ONE_HOUR: Final = "1h"
PAUSE_UNTIL_TOMORROW: Final = "tomorrow"
PAUSE_RESUME: Final = "resume"


class TrayIcon(QObject):
    """The app's presence in the system tray.

    Left click opens the notification list (or the login dialog while signed out).
    Entries that need a session are disabled while signed out.

    Signals:
        open_requested: show the notification list.
        mark_all_read_requested: mark every notification read.
        pause_requested(str): ``"1h"``, ``"tomorrow"`` or ``"resume"`` for toasts.
        preferences_requested: show the preferences dialog.
        refresh_requested: sync with the server now.
        sign_in_requested: show the login dialog.
        sign_out_requested: end the session.
        quit_requested: leave the app.
    """

    open_requested = Signal()
    mark_all_read_requested = Signal()
    pause_requested = Signal(str)
    preferences_requested = Signal()
    refresh_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        painter: TrayIconPainter | None = None,
    ) -> None:
        super().__init__(parent)
        self._painter = painter or TrayIconPainter()
        self._unread = 0
        self._connection = CONNECTION_OFFLINE
        self._server_host = ""
        self._last_sync: datetime | None = None
        self._signed_in = False
        self._jobs: list[tuple[str, int | None]] = []
        self._toasts_available = True
        self._toasts_reason = ""
        self._keyring_problem = False
        self._paused_until: datetime | None = None
        self._icon_key: tuple[int, TrayState] | None = None

        self._tray = QSystemTrayIcon(self)
        self._menu = QMenu()
        self._actions: dict[str, QAction] = {}
        self._job_actions: list[QAction] = []
        self._build_menu()
        self._tray.setContextMenu(self._menu)
        self._tray.activated.connect(self._on_tray_activated)
        self._refresh()

    # -- public API -------------------------------------------------------------------

    @property
    def system_tray_icon(self) -> QSystemTrayIcon:
        """The wrapped QSystemTrayIcon (e.g. for ``showMessage`` as a toast fallback)."""
        return self._tray

    def menu(self) -> QMenu:
        """The context menu (built once, updated in place)."""
        return self._menu

    def action(self, name: str) -> QAction:
        """A menu entry by name: ``status``, ``toasts_status``, ``keyring_status``,
        ``paused_status``, ``open``,
        ``mark_all_read``, ``pause_1h``, ``pause_tomorrow``, ``resume``, ``preferences``,
        ``refresh``, ``session`` (sign in / sign out), ``quit``."""
        return self._actions[name]

    def job_actions(self) -> list[QAction]:
        """The visible job progress lines of the menu."""
        return [action for action in self._job_actions if action.isVisible()]

    def tooltip(self) -> str:
        """The tooltip text currently set on the tray icon."""
        return self._tray.toolTip()

    def show(self) -> None:
        """Put the icon into the tray."""
        self._tray.show()

    def hide(self) -> None:
        """Take the icon out of the tray."""
        self._tray.hide()

    @Slot(int, str, str, object, bool)
    def set_state(
        self,
        unread: int,
        connection: str,
        server_host: str,
        last_sync: datetime | None,
        signed_in: bool,
    ) -> None:
        """Update the badge, status line, tooltip and enabled entries.

        ``connection`` is ``"online"``, ``"connecting"`` or ``"offline"``; ``last_sync``
        is the time of the last successful sync, shown while not online.
        """
        self._unread = max(0, unread)
        self._connection = connection
        self._server_host = server_host
        self._last_sync = last_sync
        self._signed_in = signed_in
        self._refresh()

    def set_jobs(self, jobs: Sequence[tuple[str, int | None]]) -> None:
        """Show running jobs as ``(activity, percent or None)``, e.g. ``("Archiving", 45)``."""
        self._jobs = list(jobs)
        self._refresh()

    def set_toast_status(self, available: bool, reason: str) -> None:
        """Say whether desktop toasts can be shown; ``reason`` explains why not."""
        self._toasts_available = available
        self._toasts_reason = reason
        self._refresh()

    def set_keyring_problem(self, problem: bool) -> None:
        """Say that the system keyring does not work: the sign-in will not be remembered."""
        if problem != self._keyring_problem:
            self._keyring_problem = problem
            self._refresh()

    def set_paused_until(self, until: datetime | None) -> None:
        """Toasts are paused until ``until`` (``None``: not paused)."""
        self._paused_until = until
        self._refresh()

    # -- building ---------------------------------------------------------------------

    def _add(self, name: str, text: str, signal: SignalInstance | None = None) -> QAction:
        action = QAction(text, self._menu)
        action.setObjectName(f"tray_action_{name}")
        if signal is None:
            # Information lines: shown greyed, never clickable.
            action.setEnabled(False)
        else:
            action.triggered.connect(signal)
        self._actions[name] = action
        return action

    def _build_menu(self) -> None:
        menu = self._menu
        menu.addAction(self._add("status", ""))
        menu.addAction(self._add("toasts_status", ""))
        menu.addAction(self._add("keyring_status", ""))
        menu.addAction(self._add("paused_status", ""))
        menu.addSeparator()
        menu.addAction(self._add("open", self.tr("Open notifications"), self.open_requested))
        menu.addAction(
            self._add("mark_all_read", self.tr("Mark all as read"), self.mark_all_read_requested)
        )
        menu.addMenu(self._build_pause_menu())
        menu.addAction(
            self._add("preferences", self.tr("Preferences…"), self.preferences_requested)
        )
        menu.addAction(self._add("refresh", self.tr("Refresh now"), self.refresh_requested))
        menu.addSeparator()
        session = self._add("session", self.tr("Sign in…"))
        session.setEnabled(True)
        session.triggered.connect(self._on_session_triggered)
        menu.addAction(session)
        menu.addAction(self._add("quit", self.tr("Quit"), self.quit_requested))

    def _build_pause_menu(self) -> QMenu:
        pause_menu = QMenu(self.tr("Pause toasts"), self._menu)
        pause_menu.setObjectName("tray_menu_pause")
        choices = (
            ("pause_1h", self.tr("For 1 hour"), PAUSE_ONE_HOUR),
            ("pause_tomorrow", self.tr("Until tomorrow"), PAUSE_UNTIL_TOMORROW),
            ("resume", self.tr("Resume toasts"), PAUSE_RESUME),
        )
        for name, text, value in choices:
            action = QAction(text, pause_menu)
            action.setObjectName(f"tray_action_{name}")
            action.triggered.connect(lambda _checked=False, v=value: self.pause_requested.emit(v))
            if value == PAUSE_RESUME:
                pause_menu.addSeparator()
            pause_menu.addAction(action)
            self._actions[name] = action
        self._pause_menu = pause_menu
        return pause_menu

    def _job_action(self, index: int) -> QAction:
        """The ``index``-th job line, created the first time it is needed."""
        while len(self._job_actions) <= index:
            action = QAction("", self._menu)
            action.setObjectName(f"tray_action_job_{len(self._job_actions)}")
            action.setEnabled(False)
            # Below the connection status, above the toast status lines.
            self._menu.insertAction(self._actions["toasts_status"], action)
            self._job_actions.append(action)
        return self._job_actions[index]

    # -- updating ---------------------------------------------------------------------

    def _refresh(self) -> None:
        self._update_icon()
        self._update_status_lines()
        self._update_enabled()
        self._tray.setToolTip(self._tooltip_text())

    def _tray_state(self) -> TrayState:
        if not self._signed_in:
            return "signed_out"
        return "online" if self._connection == CONNECTION_ONLINE else "offline"

    def _update_icon(self) -> None:
        state = self._tray_state()
        key = (count_bucket(self._unread) if state != "signed_out" else 0, state)
        if key != self._icon_key:
            # Setting an equal icon again still makes the tray host reload it.
            self._icon_key = key
            self._tray.setIcon(self._painter.icon(self._unread, state))

    def _update_status_lines(self) -> None:
        self._actions["status"].setText(self._status_text())
        toasts = self._actions["toasts_status"]
        toasts.setText(self.tr("Toasts unavailable: {reason}").format(reason=self._toasts_reason))
        toasts.setVisible(not self._toasts_available)
        keyring = self._actions["keyring_status"]
        keyring.setText(self.tr("Keyring unavailable: your sign-in will not be remembered"))
        keyring.setVisible(self._keyring_problem)
        paused = self._actions["paused_status"]
        paused.setVisible(self._paused_until is not None)
        if self._paused_until is not None:
            paused.setText(self._paused_text(self._paused_until))
        for index, line in enumerate(self._job_lines()):
            action = self._job_action(index)
            action.setText(line)
            action.setVisible(True)
        for action in self._job_actions[len(self._jobs) :]:
            action.setVisible(False)

    def _update_enabled(self) -> None:
        signed_in = self._signed_in
        for name in ("open", "preferences", "refresh"):
            self._actions[name].setEnabled(signed_in)
        self._actions["mark_all_read"].setEnabled(signed_in and self._unread > 0)
        self._actions["resume"].setEnabled(self._paused_until is not None)
        session = self._actions["session"]
        session.setText(self.tr("Sign out") if signed_in else self.tr("Sign in…"))

    # -- texts ------------------------------------------------------------------------

    def _status_text(self) -> str:
        """The first menu line, e.g. "7 unread - mail.example.org"."""
        if not self._signed_in:
            return self.tr("Signed out - sign in again")
        if self._connection == CONNECTION_ONLINE:
            return self._unread_text()
        return self._connection_text()

    def _unread_text(self) -> str:
        if self._unread == 0:
            text = self.tr("No unread notifications")
        else:
            text = self.tr("%n unread", "", self._unread)
        return f"{text} - {self._server_host}" if self._server_host else text

    def _connection_text(self) -> str:
        if self._last_sync is None:
            sync = self.tr("never synced")
        else:
            sync = self.tr("last sync {time}").format(time=_format_time(self._last_sync))
        if self._connection == CONNECTION_CONNECTING:
            return self.tr("Connecting… - {sync}").format(sync=sync)
        return self.tr("Offline - {sync}").format(sync=sync)

    def _paused_text(self, until: datetime) -> str:
        return self.tr("Toasts paused until {time}").format(time=_format_time(until))

    def _job_lines(self) -> list[str]:
        lines = []
        for label, percent in self._jobs:
            if percent is None:
                lines.append(self.tr("{label}…").format(label=label))
            else:
                lines.append(self.tr("{label}… {percent}%").format(label=label, percent=percent))
        return lines

    def _tooltip_text(self) -> str:
        """Unread count and server, then whatever is not normal: connection, jobs, toasts."""
        lines = [
            self.tr("Signed out - sign in again") if not self._signed_in else self._unread_text()
        ]
        if self._signed_in and self._connection != CONNECTION_ONLINE:
            lines.append(self._connection_text())
        lines.extend(self._job_lines())
        if not self._toasts_available:
            lines.append(self._actions["toasts_status"].text())
        if self._keyring_problem:
            lines.append(self._actions["keyring_status"].text())
        if self._paused_until is not None:
            lines.append(self._paused_text(self._paused_until))
        return "\n".join(lines)

    # -- slots ------------------------------------------------------------------------

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason != QSystemTrayIcon.ActivationReason.Trigger:
            return
        if self._signed_in:
            self.open_requested.emit()
        else:
            self.sign_in_requested.emit()

    @Slot()
    def _on_session_triggered(self) -> None:
        if self._signed_in:
            self.sign_out_requested.emit()
        else:
            self.sign_in_requested.emit()


def _format_time(moment: datetime) -> str:
    """``moment`` in local time: the time alone if today, else the short date and time."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    locale = QLocale()
    time = QTime(local.hour, local.minute)
    if local.date() == datetime.now(local.tzinfo).date():
        return locale.toString(time, QLocale.FormatType.ShortFormat)
    date = QDate(local.year, local.month, local.day)
    return locale.toString(QDateTime(date, time), QLocale.FormatType.ShortFormat)
