"""The windows, built the first time they are needed and kept (hidden) afterwards.

An idle tray app stays small: the list window, the login dialog and the preferences
dialog cost nothing until the user opens them.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Signal, SignalInstance
from PySide6.QtWidgets import QWidget

from tray_app.core.store import NotificationStore
from tray_app.models.notification_list_model import NotificationListModel
from tray_app.settings import SettingsStore
from tray_app.ui.list_window import NotificationWindow
from tray_app.ui.login_dialog import LoginDialog
from tray_app.ui.preferences_dialog import PreferencesDialog

log = logging.getLogger(__name__)

_W = TypeVar("_W", bound=QWidget)


class Windows(QObject):
    """Creates each window once, on first use, and reports when the list is visible.

    Signals:
        list_window_created(object): the new :class:`NotificationWindow`, to wire.
        login_dialog_created(object): the new :class:`LoginDialog`.
        preferences_created(object): the new :class:`PreferencesDialog`.
        list_visible_changed(bool): the list window was shown or hidden.
    """

    list_window_created = Signal(object)
    login_dialog_created = Signal(object)
    preferences_created = Signal(object)
    list_visible_changed = Signal(bool)

    def __init__(
        self, store: NotificationStore, settings: SettingsStore, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._model: NotificationListModel | None = None
        self._list: NotificationWindow | None = None
        self._login: LoginDialog | None = None
        self._prefs: PreferencesDialog | None = None

    @property
    def model(self) -> NotificationListModel | None:
        return self._model

    @property
    def list_window(self) -> NotificationWindow | None:
        return self._list

    @property
    def login_dialog(self) -> LoginDialog | None:
        return self._login

    @property
    def preferences(self) -> PreferencesDialog | None:
        return self._prefs

    def open_list(self, select_id: str = "") -> NotificationWindow:
        window = self._list or self._build_list()
        window.show()
        window.raise_()
        window.activateWindow()
        if select_id:
            window.select_notification(select_id)
        return window

    def open_login(self, server_url: str = "", email: str = "") -> LoginDialog:
        dialog = self._login or self._create(LoginDialog, self.login_dialog_created)
        self._login = dialog
        dialog.prefill(server_url, email)
        dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        dialog = self._prefs or self._create(PreferencesDialog, self.preferences_created)
        self._prefs = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def close_all(self) -> None:
        for widget in (self._list, self._login, self._prefs):
            if widget is not None:
                widget.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._list and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.list_visible_changed.emit(event.type() == QEvent.Type.Show)
        return False

    def _build_list(self) -> NotificationWindow:
        self._model = NotificationListModel(self._store, self)
        window = NotificationWindow(self._model)
        geometry = _decode(self._settings.load().window_geometry)
        if geometry:
            window.restore_geometry(geometry)
        window.geometry_changed.connect(self._on_list_geometry_changed)
        window.installEventFilter(self)
        self._list = window
        self.list_window_created.emit(window)
        return window

    @staticmethod
    def _create(cls: Callable[[], _W], created: SignalInstance) -> _W:
        widget = cls()
        created.emit(widget)
        return widget

    def _on_list_geometry_changed(self, data: bytes) -> None:
        self._settings.update(window_geometry=base64.b64encode(data).decode("ascii"))


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True) if text else b""
    except (binascii.Error, ValueError):
        log.warning("ignoring an unreadable saved window geometry")
        return b""
