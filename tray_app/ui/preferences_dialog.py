"""The preferences dialog: server-side notification choices and this computer's settings.

Two tabs, :class:`~tray_app.ui.preferences_notifications_tab.NotificationsTab` and
:class:`~tray_app.ui.preferences_app_tab.AppTab`; the dialog gathers their signals and
methods into one surface for ``app.py``, which creates it the first time it is needed
(an idle tray app stays small) and keeps it. Open it with ``show()`` or ``open()``,
never ``exec()``: a nested event loop does not mix with the asyncio loop on Qt's.

Each time the dialog appears it emits :attr:`PreferencesDialog.refresh_requested`, so
that changes made elsewhere (the web app, another computer) show up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from tray_app.settings import Settings
from tray_app.ui.preferences_app_tab import AppTab
from tray_app.ui.preferences_notifications_tab import SERVER_STATES, NotificationsTab

__all__ = ["SERVER_STATES", "PreferencesDialog"]

log = logging.getLogger(__name__)

_MIN_WIDTH: Final = 620
TAB_NAMES: Final[tuple[str, ...]] = ("notifications", "app")


class PreferencesDialog(QDialog):
    """Non-modal preferences window; it emits intents and shows what it is told.

    Signals:
        preference_changed(str, bool): save this one server preference key (PUT).
        reset_requested(): save ``DEFAULT_PREFERENCES`` in one PUT; answer with
            :meth:`set_server_preferences` on success or :meth:`reset_failed`.
        test_toast_requested(str): show a sample toast of a category; ``""`` means a
            plain test of the toast backend (App tab).
        refresh_requested(): reload the server preferences (dialog shown, Refresh).
        app_setting_changed(str, object): a local :class:`Settings` key and value.
        sign_out_requested(), switch_server_requested(), resume_toasts_requested(),
        open_log_folder_requested(): buttons of the App tab.
    """

    preference_changed = Signal(str, bool)
    reset_requested = Signal()
    test_toast_requested = Signal(str)
    refresh_requested = Signal()
    app_setting_changed = Signal(str, object)
    sign_out_requested = Signal()
    switch_server_requested = Signal()
    resume_toasts_requested = Signal()
    open_log_folder_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setModal(False)
        self.notifications_tab = NotificationsTab()
        self.app_tab = AppTab()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("prefs_tabs")
        self.tabs.addTab(self.notifications_tab, "")
        self.tabs.addTab(self.app_tab, "")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(_MIN_WIDTH)
        # A page hidden in the tab stack keeps stale cached heights when its texts
        # change: measure again once it is shown and laid out.
        self.tabs.currentChanged.connect(lambda _index: QTimer.singleShot(0, self._fit_height))
        self._forward_signals()
        self._retranslate()

    def _forward_signals(self) -> None:
        notifications, app = self.notifications_tab, self.app_tab
        notifications.preference_changed.connect(self.preference_changed)
        notifications.reset_requested.connect(self.reset_requested)
        notifications.test_toast_requested.connect(self.test_toast_requested)
        notifications.refresh_requested.connect(self.refresh_requested)
        app.test_toast_requested.connect(self.test_toast_requested)
        app.app_setting_changed.connect(self.app_setting_changed)
        app.sign_out_requested.connect(self.sign_out_requested)
        app.switch_server_requested.connect(self.switch_server_requested)
        app.resume_toasts_requested.connect(self.resume_toasts_requested)
        app.open_log_folder_requested.connect(self.open_log_folder_requested)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Preferences"))
        self.tabs.setTabText(0, self.tr("&Notifications"))
        self.tabs.setTabText(1, self.tr("&App"))
        self.tabs.setAccessibleName(self.tr("Preferences"))

    # -- Notifications tab ------------------------------------------------------------

    def set_server_preferences(self, prefs: Mapping[str, bool]) -> None:
        """Show the server's 12 preference values (missing keys show their default)."""
        self.notifications_tab.set_server_preferences(prefs)

    def preference_saved(self, key: str, value: bool) -> None:
        """The server stored ``key``: the box shows ``value`` and is usable again."""
        self.notifications_tab.preference_saved(key, value)

    def preference_failed(self, key: str, old_value: bool, message: str) -> None:
        """Saving ``key`` failed: the box goes back to ``old_value``; ``message`` is shown."""
        self.notifications_tab.preference_failed(key, old_value, message)
        self._fit_height()

    def reset_failed(self, message: str) -> None:
        """Saving the defaults failed: the previous values come back; ``message`` is shown."""
        self.notifications_tab.reset_failed(message)
        self._fit_height()

    def set_server_state(self, state: str, message: str = "") -> None:
        """``"ok"``, ``"loading"``, ``"offline"`` or ``"signed_out"`` (see SERVER_STATES)."""
        self.notifications_tab.set_server_state(state, message)
        self._fit_height()

    # -- App tab ----------------------------------------------------------------------

    def load_app_settings(self, settings: Settings) -> None:
        """Fill the App tab from ``settings`` without emitting anything."""
        self.app_tab.load_app_settings(settings)

    def set_account(self, server_url: str | None, email: str | None) -> None:
        """Who is signed in where; ``email`` None means signed out."""
        self.app_tab.set_account(server_url, email)
        self._fit_height()

    def set_toast_backend(self, name: str, available: bool, reason: str) -> None:
        """The toast backend in use, whether it works, and why not."""
        self.app_tab.set_toast_backend(name, available, reason)
        self._fit_height()

    def set_pause_state(self, until: datetime | None) -> None:
        """Toasts paused until ``until`` (None: not paused); Resume is enabled while paused."""
        self.app_tab.set_pause_state(until)
        self._fit_height()

    # -- window -----------------------------------------------------------------------

    def show_tab(self, name: str) -> None:
        """Bring tab ``"notifications"`` or ``"app"`` to the front."""
        if name in TAB_NAMES:
            self.tabs.setCurrentIndex(TAB_NAMES.index(name))
        else:
            log.warning("no preferences tab named %r", name)

    def showEvent(self, event: QShowEvent) -> None:
        """Ask for fresh server values each time the dialog appears.

        Spontaneous show events (un-minimising by the window system) are not a new
        opening and do not cost a request.
        """
        super().showEvent(event)
        self._fit_height()
        if not event.spontaneous():
            self.refresh_requested.emit()

    def _fit_height(self) -> None:
        """Make the dialog tall enough for the wrapped texts of both tabs.

        A window's minimum size ignores height-for-width, and QTabWidget only asks its
        current page, so word-wrapped labels would be squeezed and cut. The height is
        computed at the minimum width, the narrowest and so the tallest layout; called
        again when texts change (language, server messages).
        """
        if not self.isVisible():
            return
        self._layout.activate()
        page = self.tabs.currentWidget()
        page_width = page.width() - (self.width() - self.minimumWidth())
        layouts = [tab.layout() for tab in (self.notifications_tab, self.app_tab)]
        needed = max(lay.totalHeightForWidth(page_width) for lay in layouts if lay is not None)
        minimum = self.height() - page.height() + needed
        self.setMinimumHeight(minimum)
        if self.height() < minimum:
            self.resize(self.width(), minimum)

    def changeEvent(self, event: QEvent) -> None:
        """Retranslate the title and tab names when the application's language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            # The tabs retranslate on their own LanguageChange; fit once they have.
            QTimer.singleShot(0, self._fit_height)
        super().changeEvent(event)
