"""The "App" tab of the preferences: settings kept on this computer, and the account.

Every change emits :attr:`AppTab.app_setting_changed` with the key of a
:class:`~tray_app.settings.Settings` field and its new value; the caller saves it and
applies it. :meth:`AppTab.load_app_settings` fills the tab without emitting anything.
The tab never touches files, the keyring or the network.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QEvent, QLocale, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from tray_app.core.schedule import SERVER_LIMIT_PER_HOUR, PollMode, requests_per_hour
from tray_app.core.schedule import UpdateSpeed as PollSpeed
from tray_app.settings import Settings, settings_table

log = logging.getLogger(__name__)

#: The "update_speed" setting's values and the poll schedules they select.
SPEEDS: Final[dict[str, PollSpeed]] = {
    "battery": PollSpeed.BATTERY_SAVER,
    "balanced": PollSpeed.BALANCED,
    "fast": PollSpeed.FAST,
}
#: The "language" setting's values; language names are written in their own language.
LANGUAGES: Final[tuple[str, ...]] = ("system", "en", "fr")
_NATIVE_NAMES: Final = {"en": "English", "fr": "Français"}
_TIME_FORMAT: Final = "HH:mm"
_WARNING_STYLE: Final = "color: #c62828;"


def speed_cost(speed: str) -> tuple[int, int]:
    """Polling requests per hour of the update speed ``speed``: (idle, active)."""
    poll_speed = SPEEDS[speed]
    return (
        requests_per_hour(poll_speed, PollMode.IDLE),
        requests_per_hour(poll_speed, PollMode.ACTIVE),
    )


def _format_time(moment: datetime) -> str:
    """``moment`` in local time: the time alone if today, else the short date and time."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    locale = QLocale()
    time = QTime(local.hour, local.minute)
    if local.date() == datetime.now(local.tzinfo).date():
        return locale.toString(time, QLocale.FormatType.ShortFormat)
    date = QDate(local.year, local.month, local.day)
    return locale.toString(QDateTime(date, time), QLocale.FormatType.ShortFormat)


def _setting_help(key: str) -> str:
    """The translated description of a setting, declared once in :mod:`tray_app.settings`."""
    description = next(info.description for info in settings_table() if info.key == key)
    return QCoreApplication.translate("Settings", description)


def _wrapped(name: str, *, plain: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    if plain:
        label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _row(*widgets: QWidget, grow: int | None = None) -> QHBoxLayout:
    """Widgets side by side; ``widgets[grow]`` takes the spare width, else a stretch does."""
    row = QHBoxLayout()
    for index, widget in enumerate(widgets):
        row.addWidget(widget, 1 if index == grow else 0)
    if grow is None:
        row.addStretch(1)
    return row


class AppTab(QWidget):
    """Account, start-up, language, update speed and toast settings of this computer.

    Signals:
        app_setting_changed(str, object): a :class:`Settings` key and its new value
            (``start_at_login``, ``update_speed``, ``quiet_hours_enabled``,
            ``quiet_start``, ``quiet_end``, ``language``).
        sign_out_requested(), switch_server_requested(): account buttons.
        resume_toasts_requested(): end the pause of toasts now.
        test_toast_requested(str): always ``""``: a test toast through the backend in use.
        open_log_folder_requested(): show the folder of the log files.
    """

    app_setting_changed = Signal(str, object)
    sign_out_requested = Signal()
    switch_server_requested = Signal()
    resume_toasts_requested = Signal()
    test_toast_requested = Signal(str)
    open_log_folder_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prefs_app_tab")
        self._account: tuple[str | None, str | None] = (None, None)
        self._backend: tuple[str, bool, str] | None = None
        self._paused_until: datetime | None = None
        self._speed = "balanced"
        self._language = "system"
        layout = QVBoxLayout(self)
        for group in (
            self._build_account(),
            self._build_general(),
            self._build_speed(),
            self._build_toasts(),
        ):
            layout.addWidget(group)
        layout.addStretch(1)
        self._connect()
        self.load_app_settings(Settings())
        self._retranslate()
        # In a dialog, Enter presses the focused push button by default: it must not
        # send a test toast or sign out by surprise.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)

    # -- building ---------------------------------------------------------------------

    def _build_account(self) -> QGroupBox:
        self.account_group = QGroupBox()
        self.account_label = _wrapped("prefs_account")
        self.sign_out_button = QPushButton()
        self.switch_server_button = QPushButton()
        box = QVBoxLayout(self.account_group)
        box.addWidget(self.account_label)
        box.addLayout(_row(self.sign_out_button, self.switch_server_button))
        return self.account_group

    def _build_general(self) -> QGroupBox:
        self.general_group = QGroupBox()
        self.start_at_login_check = QCheckBox()
        self.language_label = QLabel()
        self.language_combo = QComboBox()
        for code in LANGUAGES:
            self.language_combo.addItem(_NATIVE_NAMES.get(code, ""), code)
        self.language_label.setBuddy(self.language_combo)
        self.language_note = _wrapped("prefs_language_note")
        self.open_log_button = QPushButton()
        box = QVBoxLayout(self.general_group)
        box.addWidget(self.start_at_login_check)
        box.addLayout(_row(self.language_label, self.language_combo))
        box.addWidget(self.language_note)
        box.addLayout(_row(self.open_log_button))
        return self.general_group

    def _build_speed(self) -> QGroupBox:
        self.speed_group = QGroupBox()
        self.speed_buttons: dict[str, QRadioButton] = {}
        self.cost_labels: dict[str, QLabel] = {}
        self._speed_button_group = QButtonGroup(self)
        box = QVBoxLayout(self.speed_group)
        indent = self.style().pixelMetric(self.style().PixelMetric.PM_ExclusiveIndicatorWidth)
        for speed in SPEEDS:
            button = QRadioButton()
            button.setObjectName(f"prefs_speed_{speed}")
            self._speed_button_group.addButton(button)
            cost = _wrapped(f"prefs_cost_{speed}")
            cost.setContentsMargins(indent + 8, 0, 0, 4)
            self.speed_buttons[speed], self.cost_labels[speed] = button, cost
            box.addWidget(button)
            box.addWidget(cost)
        self.limit_note = _wrapped("prefs_limit_note")
        box.addWidget(self.limit_note)
        return self.speed_group

    def _build_toasts(self) -> QGroupBox:
        self.toasts_group = QGroupBox()
        self.backend_label = _wrapped("prefs_toast_backend")
        self.test_toast_button = QPushButton()
        self.quiet_check = QCheckBox()
        self.quiet_start_edit, self.quiet_end_edit = QTimeEdit(), QTimeEdit()
        for edit in (self.quiet_start_edit, self.quiet_end_edit):
            edit.setDisplayFormat(_TIME_FORMAT)
        self.quiet_to_label = QLabel()
        self.quiet_to_label.setBuddy(self.quiet_end_edit)
        self.pause_label = _wrapped("prefs_pause_state")
        self.resume_button = QPushButton()
        box = QVBoxLayout(self.toasts_group)
        box.addLayout(_row(self.backend_label, self.test_toast_button, grow=0))
        box.addLayout(
            _row(self.quiet_check, self.quiet_start_edit, self.quiet_to_label, self.quiet_end_edit)
        )
        box.addLayout(_row(self.pause_label, self.resume_button, grow=0))
        return self.toasts_group

    def _connect(self) -> None:
        """``clicked`` and ``activated`` fire on the person's actions only, not on loading."""
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.switch_server_button.clicked.connect(self.switch_server_requested)
        self.open_log_button.clicked.connect(self.open_log_folder_requested)
        self.resume_button.clicked.connect(self.resume_toasts_requested)
        self.test_toast_button.clicked.connect(lambda: self.test_toast_requested.emit(""))
        self.start_at_login_check.clicked.connect(
            lambda checked: self.app_setting_changed.emit("start_at_login", checked)
        )
        self.quiet_check.clicked.connect(self._on_quiet_check_clicked)
        self.quiet_start_edit.timeChanged.connect(lambda t: self._on_time_changed("quiet_start", t))
        self.quiet_end_edit.timeChanged.connect(lambda t: self._on_time_changed("quiet_end", t))
        self.language_combo.activated.connect(self._on_language_combo_activated)
        for speed, button in self.speed_buttons.items():
            button.clicked.connect(lambda _checked=False, s=speed: self._on_speed_clicked(s))

    # -- texts ------------------------------------------------------------------------

    def _retranslate(self) -> None:
        """Set every text; called once built and again when the language changes."""
        self.account_group.setTitle(self.tr("Server and account"))
        self.sign_out_button.setText(self.tr("Sign &out"))
        self.switch_server_button.setText(self.tr("S&witch server…"))
        self.general_group.setTitle(self.tr("General"))
        self.start_at_login_check.setText(self.tr("Start when I &log in"))
        self.start_at_login_check.setToolTip(_setting_help("start_at_login"))
        self.language_label.setText(self.tr("&Language:"))
        self.language_combo.setItemText(0, self.tr("System language"))
        self.language_combo.setAccessibleName(self.tr("Language"))
        self.language_combo.setToolTip(_setting_help("language"))
        self.language_note.setText(
            self.tr("A new language shows everywhere once the app is restarted.")
        )
        self.open_log_button.setText(self.tr("Open log &folder"))
        self._retranslate_speed()
        self._retranslate_toasts()
        self._render_account()
        self._render_backend()
        self._render_pause()

    def _retranslate_speed(self) -> None:
        self.speed_group.setTitle(self.tr("Update speed"))
        self.speed_group.setToolTip(_setting_help("update_speed"))
        names = {
            "battery": self.tr("&Battery saver"),
            "balanced": self.tr("B&alanced"),
            "fast": self.tr("&Fast"),
        }
        locale = QLocale()
        for speed, button in self.speed_buttons.items():
            idle, active = speed_cost(speed)
            cost = self.tr(
                "About {idle} requests/hour while idle, {active} while active "
                "(up to {share} % of the server's limit)."
            ).format(
                idle=locale.toString(idle),
                active=locale.toString(active),
                share=locale.toString(max(1, round(100 * active / SERVER_LIMIT_PER_HOUR))),
            )
            button.setText(names[speed])
            button.setAccessibleName(names[speed].replace("&", ""))
            button.setAccessibleDescription(cost)
            self.cost_labels[speed].setText(cost)
        self.limit_note.setText(
            self.tr(
                "Active means while the list window is open or a job is running. The "
                "server allows {limit} requests/hour per network address, shared by all "
                "its users behind that address."
            ).format(limit=locale.toString(SERVER_LIMIT_PER_HOUR))
        )

    def _retranslate_toasts(self) -> None:
        self.toasts_group.setTitle(self.tr("Toasts"))
        self.test_toast_button.setText(self.tr("&Test"))
        self.test_toast_button.setAccessibleName(self.tr("Send a test toast"))
        self.quiet_check.setText(self.tr("&Quiet hours from"))
        self.quiet_check.setToolTip(_setting_help("quiet_hours_enabled"))
        self.quiet_to_label.setText(self.tr("to"))
        self.quiet_start_edit.setAccessibleName(self.tr("Start of quiet hours"))
        self.quiet_start_edit.setToolTip(_setting_help("quiet_start"))
        self.quiet_end_edit.setAccessibleName(self.tr("End of quiet hours"))
        self.quiet_end_edit.setToolTip(_setting_help("quiet_end"))
        self.resume_button.setText(self.tr("&Resume toasts"))

    def _render_account(self) -> None:
        server, email = self._account
        if server and email:
            text = self.tr("Signed in as {email} on {server}.").format(email=email, server=server)
        elif server:
            text = self.tr("Not signed in. Server: {server}.").format(server=server)
        else:
            text = self.tr("Not signed in.")
        self.account_label.setText(text)
        self.sign_out_button.setEnabled(bool(email))

    def _render_backend(self) -> None:
        if self._backend is None:
            text, works = self.tr("Checking how toasts can be shown…"), True
        else:
            name, works, reason = self._backend
            if works:
                text = self.tr("Toasts are shown through {name}.").format(name=name)
            else:
                text = self.tr("Toasts cannot be shown: {reason}").format(reason=reason)
        self.backend_label.setText(text)
        self.backend_label.setStyleSheet("" if works else _WARNING_STYLE)

    def _render_pause(self) -> None:
        if self._paused_until is None:
            text = self.tr("Toasts are not paused.")
        else:
            text = self.tr("Toasts are paused until {time}.").format(
                time=_format_time(self._paused_until)
            )
        self.pause_label.setText(text)
        self.resume_button.setEnabled(self._paused_until is not None)

    # -- public API -------------------------------------------------------------------

    def load_app_settings(self, settings: Settings) -> None:
        """Show ``settings`` without emitting :attr:`app_setting_changed`."""
        self.start_at_login_check.setChecked(settings.start_at_login)
        self._speed = settings.update_speed
        self.speed_buttons[settings.update_speed].setChecked(True)
        self.quiet_check.setChecked(settings.quiet_hours_enabled)
        for edit, value in (
            (self.quiet_start_edit, settings.quiet_start),
            (self.quiet_end_edit, settings.quiet_end),
        ):
            edit.blockSignals(True)  # timeChanged fires on programmatic changes too
            edit.setTime(QTime.fromString(value, _TIME_FORMAT))
            edit.blockSignals(False)
        self._set_quiet_edits_enabled(settings.quiet_hours_enabled)
        self._language = settings.language
        self.language_combo.setCurrentIndex(LANGUAGES.index(settings.language))

    def set_account(self, server_url: str | None, email: str | None) -> None:
        """Who is signed in where; ``email`` None means signed out (plain text)."""
        self._account = (server_url, email)
        self._render_account()

    def set_toast_backend(self, name: str, available: bool, reason: str) -> None:
        """The toast backend in use and whether it works; ``reason`` says why not."""
        self._backend = (name, available, reason)
        self._render_backend()

    def set_pause_state(self, until: datetime | None) -> None:
        """Toasts are paused until ``until``; None when they are not paused."""
        self._paused_until = until
        self._render_pause()

    # -- events and slots -------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        """Retranslate when the application's language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _set_quiet_edits_enabled(self, enabled: bool) -> None:
        self.quiet_start_edit.setEnabled(enabled)
        self.quiet_end_edit.setEnabled(enabled)
        self.quiet_to_label.setEnabled(enabled)

    def _on_quiet_check_clicked(self, checked: bool) -> None:
        self._set_quiet_edits_enabled(checked)
        self.app_setting_changed.emit("quiet_hours_enabled", checked)

    def _on_time_changed(self, key: str, time: QTime) -> None:
        self.app_setting_changed.emit(key, time.toString(_TIME_FORMAT))

    def _on_speed_clicked(self, speed: str) -> None:
        if speed != self._speed:
            self._speed = speed
            self.app_setting_changed.emit("update_speed", speed)

    def _on_language_combo_activated(self, index: int) -> None:
        if LANGUAGES[index] != self._language:
            self._language = LANGUAGES[index]
            self.app_setting_changed.emit("language", self._language)
