"""The "Notifications" tab of the preferences: the server-side switches of each category.

Each of the six categories has two switches stored on the server: *in-app* (does the
server store a notification row at all) and *toast* (does this client show a desktop
popup). A click emits :attr:`NotificationsTab.preference_changed` at once with that one
key; the box stays disabled ("Saving…") until the caller answers with
:meth:`~NotificationsTab.preference_saved` or :meth:`~NotificationsTab.preference_failed`,
which puts the box back and says why. The tab never talks to the server itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tray_app.api.models import DEFAULT_PREFERENCES, KNOWN_TYPES, PREFERENCE_KEYS, toast_key
from tray_app.resources import category_icon_svg

log = logging.getLogger(__name__)

#: The states of the server connection that :meth:`NotificationsTab.set_server_state` knows.
SERVER_STATES: Final[tuple[str, ...]] = ("ok", "loading", "offline", "signed_out")

_ERROR_STYLE: Final = "color: #c62828;"
#: Grid columns: icon, category name, in-app box, toast box, test button.
_COL_ICON, _COL_NAME, _COL_IN_APP, _COL_TOAST, _COL_TEST = range(5)


def _category_icon(notification_type: str) -> QIcon | None:
    """The category's SVG icon, or None when the resources are not installed."""
    try:
        path = category_icon_svg(notification_type)
    except FileNotFoundError:
        return None
    return QIcon(str(path)) if path.is_file() else None


class NotificationsTab(QWidget):
    """A grid of in-app and toast switches per category, saved on the server by the caller.

    Signals:
        preference_changed(str, bool): the person flipped one switch; save only that key.
        reset_requested(): save :data:`DEFAULT_PREFERENCES` (one request); answer with
            :meth:`set_server_preferences` or :meth:`reset_failed`.
        test_toast_requested(str): show a sample toast of this category.
        refresh_requested(): load the preferences from the server again.
    """

    preference_changed = Signal(str, bool)
    reset_requested = Signal()
    test_toast_requested = Signal(str)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prefs_notifications_tab")
        self._state = "loading"
        self._state_message = ""
        #: key -> value before an unconfirmed change (the box is disabled meanwhile).
        self._pending: dict[str, bool] = {}
        #: (key, reason) of the last failed save; key "" means the reset failed.
        self._failure: tuple[str, str] | None = None
        self._box_tips: dict[str, str] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self.name_labels: dict[str, QLabel] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self._build()
        for key, box in self.boxes.items():
            box.setChecked(DEFAULT_PREFERENCES[key])
        self._retranslate()
        self._update_enabled()
        # In a dialog, Enter presses the focused push button by default: it must not
        # send a test toast or sign out by surprise.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        self.intro_label = QLabel()
        self.intro_label.setWordWrap(True)
        self.state_label = self._plain_label("prefs_server_state")
        self.error_label = self._plain_label("prefs_save_error")
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("prefs_refresh")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("prefs_reset")
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        # The hover texts again, for those who cannot hover (touch, keyboard).
        self.legend_label = self._plain_label("prefs_legend")
        self.legend_label.setVisible(True)
        self.saving_label = QLabel()
        self.saving_label.setObjectName("prefs_saving")

        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.saving_label)
        buttons.addWidget(self.reset_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.state_label)
        layout.addLayout(self._build_grid())
        layout.addWidget(self.error_label)
        layout.addWidget(self.legend_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    @staticmethod
    def _plain_label(name: str) -> QLabel:
        """A wrapped label for texts that may come from the server: never rich text."""
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setVisible(False)
        return label

    def _build_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(_COL_NAME, 1)
        self.in_app_header = QLabel()
        self.toast_header = QLabel()
        grid.addWidget(self.in_app_header, 0, _COL_IN_APP, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.toast_header, 0, _COL_TOAST, Qt.AlignmentFlag.AlignCenter)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        for row, category in enumerate(KNOWN_TYPES, start=1):
            icon = _category_icon(category)
            if icon is not None:
                icon_label = QLabel()
                icon_label.setPixmap(icon.pixmap(size, size))
                grid.addWidget(icon_label, row, _COL_ICON)
            self.name_labels[category] = QLabel()
            grid.addWidget(self.name_labels[category], row, _COL_NAME)
            for key, column in ((category, _COL_IN_APP), (toast_key(category), _COL_TOAST)):
                box = QCheckBox()
                box.setObjectName(f"prefs_{key}")
                box.clicked.connect(lambda checked, k=key: self._on_box_clicked(k, checked))
                self.boxes[key] = box
                grid.addWidget(box, row, column, Qt.AlignmentFlag.AlignCenter)
            button = QPushButton()
            button.setObjectName(f"prefs_test_{category}")
            button.clicked.connect(
                lambda _checked=False, c=category: self.test_toast_requested.emit(c)
            )
            self.test_buttons[category] = button
            grid.addWidget(button, row, _COL_TEST)
        return grid

    # -- texts ------------------------------------------------------------------------

    def _category_names(self) -> dict[str, str]:
        return {
            "weekly_report": self.tr("Weekly report (every Monday)"),
            "job_completed": self.tr("Job completed"),
            "job_failed": self.tr("Job failed"),
            "rule_executed": self.tr("Rule executed"),
            "quota_warning": self.tr("Storage quota"),
            "integrity_alert": self.tr("Archive integrity"),
        }

    def _retranslate(self) -> None:
        """Set every text; called once built and again when the language changes."""
        self.intro_label.setText(
            self.tr(
                "These choices are stored on the server: they apply wherever you use your account."
            )
        )
        in_app_tip = self.tr(
            "In-app: the notification is kept in the list. When off, the server does "
            "not store anything for this category."
        )
        toast_tip = self.tr(
            "Toast: a desktop popup appears when it happens, whether or not the "
            "notification is kept in the list."
        )
        self.in_app_header.setText(self.tr("In-app"))
        self.in_app_header.setToolTip(in_app_tip)
        self.toast_header.setText(self.tr("Toast"))
        self.toast_header.setToolTip(toast_tip)
        self.legend_label.setText(f"{in_app_tip}\n{toast_tip}")
        self.refresh_button.setText(self.tr("&Refresh"))
        self.refresh_button.setToolTip(self.tr("Load these choices from the server again."))
        self.reset_button.setText(self.tr("Reset to &defaults"))
        self.saving_label.setText(self.tr("Saving…"))
        for category, name in self._category_names().items():
            self._retranslate_row(category, name, in_app_tip, toast_tip)
        self._render_state()
        self._render_failure()
        self._update_enabled()

    def _retranslate_row(self, category: str, name: str, in_app_tip: str, toast_tip: str) -> None:
        self.name_labels[category].setText(name)
        in_app, toast = self.boxes[category], self.boxes[toast_key(category)]
        in_app.setAccessibleName(self.tr("{category}: in-app").format(category=name))
        toast.setAccessibleName(self.tr("{category}: toast").format(category=name))
        self._box_tips[category] = in_app_tip
        self._box_tips[toast_key(category)] = toast_tip
        button = self.test_buttons[category]
        button.setText(self.tr("Send a test toast"))
        button.setAccessibleName(self.tr("Send a test toast: {category}").format(category=name))
        button.setToolTip(self.tr("Show a sample toast of this category now, to see how it looks."))

    def _render_state(self) -> None:
        texts = {
            "loading": self.tr("Loading your choices from the server…"),
            "offline": self.tr(
                "The server cannot be reached: these choices cannot be changed now."
            ),
            "signed_out": self.tr("Sign in to see and change these choices."),
        }
        lines = [texts.get(self._state, ""), self._state_message]
        text = "\n".join(line for line in lines if line)
        self.state_label.setText(text)
        self.state_label.setVisible(bool(text))

    def _render_failure(self) -> None:
        text = ""
        if self._failure is not None:
            key, reason = self._failure
            if key:
                text = self.tr("Your change to “{setting}” was not saved: {reason}").format(
                    setting=self.boxes[key].accessibleName(), reason=reason
                )
            else:
                text = self.tr("The defaults were not restored: {reason}").format(reason=reason)
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _update_enabled(self) -> None:
        """Boxes and reset work only when the server is reachable and nothing is pending."""
        editable = self._state == "ok"
        saving = self.tr("Saving…")
        for key, box in self.boxes.items():
            box.setEnabled(editable and key not in self._pending)
            box.setToolTip(saving if key in self._pending else self._box_tips.get(key, ""))
        self.reset_button.setEnabled(editable and not self._pending)
        self.refresh_button.setEnabled(self._state in ("ok", "offline"))
        self.saving_label.setVisible(bool(self._pending))

    # -- public API -------------------------------------------------------------------

    def values(self) -> dict[str, bool]:
        """What the boxes show now, by preference key."""
        return {key: box.isChecked() for key, box in self.boxes.items()}

    def is_pending(self, key: str) -> bool:
        """True while a change of ``key`` waits for the server's answer."""
        return key in self._pending

    def set_server_preferences(self, prefs: Mapping[str, bool]) -> None:
        """Show the server's values; missing or non-boolean keys show their default.

        A switch whose save is still unconfirmed keeps the person's choice and stays
        pending unless these values already hold that choice: an answer to a load that
        was sent before the click (the dialog refreshes when it opens) knows nothing of
        the change, and showing it would flip the box back and forth. The save's own
        answer settles the switch. A "loading" state ends.
        """
        for key, box in self.boxes.items():
            value = prefs.get(key)
            shown = value if isinstance(value, bool) else DEFAULT_PREFERENCES[key]
            if key in self._pending and shown != box.isChecked():
                self._pending[key] = shown  # what a failed save goes back to
                continue
            box.setChecked(shown)
            self._pending.pop(key, None)
        if self._state == "loading":
            self._state = "ok"
            self._state_message = ""
            self._render_state()
        self._update_enabled()

    def preference_saved(self, key: str, value: bool) -> None:
        """The server stored ``key``: show ``value`` and make the box usable again."""
        if key not in PREFERENCE_KEYS:
            log.warning("saved preference %r is not one of ours", key)
            return
        self.boxes[key].setChecked(value)
        self._pending.pop(key, None)
        self._update_enabled()

    def preference_failed(self, key: str, old_value: bool, message: str) -> None:
        """The server did not store ``key``: put ``old_value`` back and say why (plain text)."""
        if key not in PREFERENCE_KEYS:
            log.warning("failed preference %r is not one of ours", key)
            return
        self.boxes[key].setChecked(old_value)
        self._pending.pop(key, None)
        self._failure = (key, message)
        self._render_failure()
        self._update_enabled()

    def reset_failed(self, message: str) -> None:
        """Resetting to the defaults failed: put back what the boxes showed before."""
        for key, old_value in self._pending.items():
            self.boxes[key].setChecked(old_value)
        self._pending.clear()
        self._failure = ("", message)
        self._render_failure()
        self._update_enabled()

    def set_server_state(self, state: str, message: str = "") -> None:
        """``ok``, ``loading``, ``offline`` or ``signed_out``, with an optional detail.

        Outside ``ok`` the switches and the reset are disabled; the test buttons stay
        usable (toasts are shown by this computer, not by the server).
        """
        if state not in SERVER_STATES:
            log.warning("unknown server state %r, treated as offline", state)
            state = "offline"
        self._state = state
        self._state_message = message
        self._render_state()
        self._update_enabled()

    # -- events and slots -------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        """Retranslate when the application's language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _on_box_clicked(self, key: str, checked: bool) -> None:
        """The person flipped a switch: hold the box until the server answers."""
        self._pending.setdefault(key, not checked)
        self._failure = None
        self._render_failure()
        self._update_enabled()
        self.preference_changed.emit(key, checked)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        """Show the defaults at once; every box waits for the one save of all keys."""
        for key, box in self.boxes.items():
            self._pending.setdefault(key, box.isChecked())
            box.setChecked(DEFAULT_PREFERENCES[key])
        self._failure = None
        self._render_failure()
        self._update_enabled()
        self.reset_requested.emit()
