"""PreferencesDialog: server switches with pending/failed states, App settings, intents."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QWidget,
)

from tray_app.api.models import DEFAULT_PREFERENCES, KNOWN_TYPES, PREFERENCE_KEYS, toast_key
from tray_app.core.schedule import SERVER_LIMIT_PER_HOUR, PollMode, requests_per_hour
from tray_app.settings import Settings
from tray_app.ui import preferences_app_tab
from tray_app.ui.preferences_app_tab import SPEEDS
from tray_app.ui.preferences_dialog import PreferencesDialog

BLOCKING_STATES = ("loading", "offline", "signed_out")


@pytest.fixture
def dialog(qtbot):
    widget = PreferencesDialog()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def loaded(dialog):
    """A dialog showing the server's defaults, ready for changes."""
    dialog.set_server_preferences(DEFAULT_PREFERENCES)
    return dialog


def record(signal) -> list[tuple]:
    """Every emission of ``signal`` from now on, as argument tuples."""
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def plain(text: str) -> str:
    return text.replace("&", "")


# -- Notifications tab ------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(PREFERENCE_KEYS))
def test_each_switch_emits_only_its_key_and_waits(qtbot, loaded, key):
    tab = loaded.notifications_tab
    before = tab.values()
    calls = record(loaded.preference_changed)
    tab.boxes[key].click()
    assert calls == [(key, not DEFAULT_PREFERENCES[key])]
    assert tab.is_pending(key)
    assert not tab.boxes[key].isEnabled()
    assert tab.boxes[key].toolTip() == "Saving…"
    assert tab.saving_label.isVisibleTo(tab)
    changed = {k for k, v in tab.values().items() if v != before[k]}
    assert changed == {key}
    assert all(box.isEnabled() for k, box in tab.boxes.items() if k != key)


def test_saved_preference_makes_the_box_usable_again(loaded):
    tab = loaded.notifications_tab
    tab.boxes["rule_executed"].click()
    loaded.preference_saved("rule_executed", True)
    assert tab.boxes["rule_executed"].isChecked()
    assert tab.boxes["rule_executed"].isEnabled()
    assert not tab.is_pending("rule_executed")
    assert not tab.saving_label.isVisibleTo(tab)
    assert "Saving" not in tab.boxes["rule_executed"].toolTip()


def test_failure_reverts_the_box_and_shows_why_as_plain_text(loaded):
    tab = loaded.notifications_tab
    key = toast_key("job_failed")
    tab.boxes[key].click()
    assert not tab.boxes[key].isChecked()
    loaded.preference_failed(key, True, "<b>Rate limit exceeded</b>, retry in 30 seconds")
    assert tab.boxes[key].isChecked()
    assert tab.boxes[key].isEnabled()
    assert not tab.is_pending(key)
    label = tab.error_label
    assert label.isVisibleTo(tab)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Rate limit exceeded</b>, retry in 30 seconds" in label.text()
    assert "Job failed" in label.text()


def test_a_new_change_clears_the_old_failure(loaded):
    tab = loaded.notifications_tab
    tab.boxes["job_completed"].click()
    loaded.preference_failed("job_completed", True, "Network down")
    tab.boxes["job_failed"].click()
    assert not tab.error_label.isVisibleTo(tab)


def test_answers_for_unknown_keys_are_ignored(loaded):
    tab = loaded.notifications_tab
    before = tab.values()
    loaded.preference_saved("not_a_key", True)
    loaded.preference_failed("not_a_key", True, "nope")
    assert tab.values() == before
    assert not tab.error_label.isVisibleTo(tab)


def test_server_values_fill_the_grid_without_emitting(qtbot, dialog):
    prefs = {key: not value for key, value in DEFAULT_PREFERENCES.items()}
    del prefs["weekly_report"]
    prefs["job_failed"] = "yes"  # not a boolean: shown as the default
    with qtbot.assertNotEmitted(dialog.preference_changed):
        dialog.set_server_preferences(prefs)
    values = dialog.notifications_tab.values()
    assert values["weekly_report"] == DEFAULT_PREFERENCES["weekly_report"]
    assert values["job_failed"] == DEFAULT_PREFERENCES["job_failed"]
    for key in PREFERENCE_KEYS - {"weekly_report", "job_failed"}:
        assert values[key] == prefs[key]


def test_the_grid_waits_for_the_first_load(dialog):
    tab = dialog.notifications_tab
    assert not any(box.isEnabled() for box in tab.boxes.values())
    assert tab.state_label.isVisibleTo(tab)
    dialog.set_server_preferences(DEFAULT_PREFERENCES)
    assert all(box.isEnabled() for box in tab.boxes.values())
    assert not tab.state_label.isVisibleTo(tab)


@pytest.mark.parametrize("state", BLOCKING_STATES)
def test_grid_is_disabled_outside_ok_with_a_message(loaded, state):
    tab = loaded.notifications_tab
    loaded.set_server_state(state, "Server <i>said</i> no")
    assert not any(box.isEnabled() for box in tab.boxes.values())
    assert not tab.reset_button.isEnabled()
    assert all(button.isEnabled() for button in tab.test_buttons.values())
    assert tab.refresh_button.isEnabled() == (state == "offline")
    assert tab.state_label.isVisibleTo(tab)
    assert tab.state_label.textFormat() == Qt.TextFormat.PlainText
    assert "Server <i>said</i> no" in tab.state_label.text()
    loaded.set_server_state("ok")
    assert all(box.isEnabled() for box in tab.boxes.values())
    assert tab.reset_button.isEnabled()
    assert not tab.state_label.isVisibleTo(tab)


def test_unknown_state_counts_as_offline(loaded):
    loaded.set_server_state("weird")
    assert not loaded.notifications_tab.boxes["job_failed"].isEnabled()
    assert loaded.notifications_tab.refresh_button.isEnabled()


def test_pending_box_stays_disabled_when_back_online(loaded):
    tab = loaded.notifications_tab
    tab.boxes["quota_warning"].click()
    loaded.set_server_state("offline")
    loaded.set_server_state("ok")
    assert not tab.boxes["quota_warning"].isEnabled()
    assert tab.boxes["job_failed"].isEnabled()


def test_reset_shows_defaults_and_asks_once(qtbot, dialog):
    flipped = {key: not value for key, value in DEFAULT_PREFERENCES.items()}
    dialog.set_server_preferences(flipped)
    tab = dialog.notifications_tab
    with qtbot.waitSignal(dialog.reset_requested, timeout=1000):
        tab.reset_button.click()
    assert tab.values() == DEFAULT_PREFERENCES
    assert all(tab.is_pending(key) for key in PREFERENCE_KEYS)
    assert not tab.reset_button.isEnabled()
    dialog.set_server_preferences(DEFAULT_PREFERENCES)
    assert not any(tab.is_pending(key) for key in PREFERENCE_KEYS)
    assert all(box.isEnabled() for box in tab.boxes.values())


def test_failed_reset_puts_the_old_values_back(dialog):
    flipped = {key: not value for key, value in DEFAULT_PREFERENCES.items()}
    dialog.set_server_preferences(flipped)
    tab = dialog.notifications_tab
    tab.reset_button.click()
    dialog.reset_failed("Internal server error")
    assert tab.values() == flipped
    assert all(box.isEnabled() for box in tab.boxes.values())
    assert "Internal server error" in tab.error_label.text()
    assert tab.error_label.isVisibleTo(tab)


@pytest.mark.parametrize("category", KNOWN_TYPES)
def test_each_row_sends_its_test_toast(qtbot, dialog, category):
    with qtbot.waitSignal(dialog.test_toast_requested, timeout=1000) as blocker:
        dialog.notifications_tab.test_buttons[category].click()
    assert blocker.args == [category]


def test_rows_have_icons_and_explanations_on_hover(loaded):
    tab = loaded.notifications_tab
    icons = [label for label in tab.findChildren(QLabel) if not label.pixmap().isNull()]
    assert len(icons) == len(KNOWN_TYPES)
    for category in KNOWN_TYPES:
        in_app, toast = tab.boxes[category], tab.boxes[toast_key(category)]
        assert "server does not store" in in_app.toolTip()
        assert "desktop popup" in toast.toolTip()


def test_showing_the_dialog_and_refresh_ask_for_fresh_values(qtbot, loaded):
    with qtbot.waitSignal(loaded.refresh_requested, timeout=1000):
        loaded.show()
    with qtbot.waitSignal(loaded.refresh_requested, timeout=1000):
        loaded.notifications_tab.refresh_button.click()
    loaded.set_server_state("signed_out")
    assert not loaded.notifications_tab.refresh_button.isEnabled()


def test_dialog_is_not_modal(dialog):
    assert not dialog.isModal()


# -- App tab ----------------------------------------------------------------------------


def test_loading_settings_fills_the_tab_silently(qtbot, dialog):
    settings = Settings(
        start_at_login=True,
        update_speed="fast",
        quiet_hours_enabled=True,
        quiet_start="21:15",
        quiet_end="06:45",
        language="fr",
    )
    with qtbot.assertNotEmitted(dialog.app_setting_changed):
        dialog.load_app_settings(settings)
    tab = dialog.app_tab
    assert tab.start_at_login_check.isChecked()
    assert tab.speed_buttons["fast"].isChecked()
    assert tab.quiet_check.isChecked()
    assert tab.quiet_start_edit.time().toString("HH:mm") == "21:15"
    assert tab.quiet_end_edit.time().toString("HH:mm") == "06:45"
    assert tab.quiet_end_edit.isEnabled()
    assert tab.language_combo.currentData() == "fr"


def test_start_at_login_and_quiet_hours_emit(qtbot, dialog):
    tab = dialog.app_tab
    calls = record(dialog.app_setting_changed)
    tab.start_at_login_check.click()
    assert not tab.quiet_start_edit.isEnabled()
    tab.quiet_check.click()
    assert tab.quiet_start_edit.isEnabled()
    tab.quiet_start_edit.stepBy(1)  # what the up arrow does, on the hour
    tab.quiet_end_edit.stepBy(-1)
    assert calls == [
        ("start_at_login", True),
        ("quiet_hours_enabled", True),
        ("quiet_start", "23:00"),
        ("quiet_end", "06:00"),
    ]


@pytest.mark.parametrize("speed", ["battery", "fast"])
def test_update_speed_emits_once_per_change(dialog, speed):
    calls = record(dialog.app_setting_changed)
    dialog.app_tab.speed_buttons[speed].click()
    dialog.app_tab.speed_buttons[speed].click()
    assert calls == [("update_speed", speed)]


def test_language_choice_emits(qtbot, dialog):
    combo: QComboBox = dialog.app_tab.language_combo
    calls = record(dialog.app_setting_changed)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert calls == [("language", "en"), ("language", "fr")]
    assert "restart" in dialog.app_tab.language_note.text()


def test_cost_labels_show_requests_per_hour(dialog):
    locale = QLocale()
    for speed, poll_speed in SPEEDS.items():
        text = dialog.app_tab.cost_labels[speed].text()
        idle = requests_per_hour(poll_speed, PollMode.IDLE)
        active = requests_per_hour(poll_speed, PollMode.ACTIVE)
        assert locale.toString(idle) in text
        assert locale.toString(active) in text
        assert dialog.app_tab.speed_buttons[speed].accessibleDescription() == text
    assert locale.toString(SERVER_LIMIT_PER_HOUR) in dialog.app_tab.limit_note.text()


def test_cost_labels_follow_the_schedule(qtbot, monkeypatch):
    """The numbers come from schedule.requests_per_hour, not from the text."""
    monkeypatch.setattr(
        preferences_app_tab,
        "requests_per_hour",
        lambda speed, mode: 4321 if mode is PollMode.IDLE else 8765,
    )
    widget = PreferencesDialog()
    qtbot.addWidget(widget)
    locale = QLocale()
    for label in widget.app_tab.cost_labels.values():
        assert locale.toString(4321) in label.text()
        assert locale.toString(8765) in label.text()


def test_account_is_plain_text_and_sign_out_needs_a_session(qtbot, dialog):
    tab = dialog.app_tab
    dialog.set_account("https://mail.example.org", "<b>ada</b>@example.org")
    assert tab.account_label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>ada</b>@example.org" in tab.account_label.text()
    assert "https://mail.example.org" in tab.account_label.text()
    with qtbot.waitSignal(dialog.sign_out_requested, timeout=1000):
        tab.sign_out_button.click()
    with qtbot.waitSignal(dialog.switch_server_requested, timeout=1000):
        tab.switch_server_button.click()
    dialog.set_account("https://mail.example.org", None)
    assert not tab.sign_out_button.isEnabled()
    assert tab.switch_server_button.isEnabled()
    assert "Not signed in" in tab.account_label.text()


def test_pause_state_and_resume(qtbot, dialog):
    tab = dialog.app_tab
    assert not tab.resume_button.isEnabled()
    dialog.set_pause_state(datetime.now().astimezone() + timedelta(hours=1))
    assert "paused until" in tab.pause_label.text()
    with qtbot.waitSignal(dialog.resume_toasts_requested, timeout=1000):
        tab.resume_button.click()
    dialog.set_pause_state(None)
    assert not tab.resume_button.isEnabled()
    assert "not paused" in tab.pause_label.text()


def test_toast_backend_state_and_test_button(qtbot, dialog):
    tab = dialog.app_tab
    dialog.set_toast_backend("desktop-notifier", True, "")
    assert "desktop-notifier" in tab.backend_label.text()
    dialog.set_toast_backend("none", False, "No <notification> service on D-Bus")
    assert "No <notification> service on D-Bus" in tab.backend_label.text()
    assert tab.backend_label.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(dialog.test_toast_requested, timeout=1000) as blocker:
        tab.test_toast_button.click()
    assert blocker.args == [""]


def test_open_log_folder(qtbot, dialog):
    with qtbot.waitSignal(dialog.open_log_folder_requested, timeout=1000):
        dialog.app_tab.open_log_button.click()


def _squeezed(page: QWidget) -> bool:
    """True when the page is shorter than its word-wrapped texts need."""
    layout = page.layout()
    return page.height() < layout.totalHeightForWidth(page.width())


def test_long_texts_on_a_hidden_tab_are_not_cut(qtbot, loaded):
    loaded.show()
    qtbot.waitExposed(loaded)
    reason = "No notification service answers on D-Bus, and the tray icon cannot show " * 3
    loaded.set_toast_backend("none", False, reason)
    loaded.show_tab("app")
    qtbot.waitUntil(lambda: not _squeezed(loaded.app_tab), timeout=2000)
    loaded.show_tab("notifications")
    loaded.set_server_state("offline", "The server said: " + "no route to host " * 12)
    qtbot.waitUntil(lambda: not _squeezed(loaded.notifications_tab), timeout=2000)


# -- accessibility, language, screenshots -----------------------------------------------


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox)
    return [widget for widget in root.findChildren(QWidget) if isinstance(widget, kinds)]


def test_every_control_has_an_accessible_name(loaded):
    controls = _controls(loaded)
    assert len(controls) > len(PREFERENCE_KEYS) + len(KNOWN_TYPES)
    for widget in controls:
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface else widget.accessibleName()
        assert plain(name).strip(), f"{widget.objectName() or widget!r} has no accessible name"


class _MarkingTranslator(QTranslator):
    """ "Translates" every text of the preferences by putting a mark in front of it."""

    def translate(self, context, source, disambiguation=None, n=-1):
        if context in {"PreferencesDialog", "NotificationsTab", "AppTab"}:
            return f"~{source}"
        return None

    def isEmpty(self):
        # Qt sends no LanguageChange for a translator that says it is empty.
        return False


def test_texts_follow_a_language_change(qtbot, loaded):
    translator = _MarkingTranslator()
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: loaded.windowTitle() == "~Preferences", timeout=2000)
        tab = loaded.notifications_tab
        qtbot.waitUntil(lambda: tab.name_labels["job_failed"].text() == "~Job failed", timeout=2000)
        assert tab.boxes["job_failed"].accessibleName() == "~~Job failed: in-app"
        qtbot.waitUntil(lambda: loaded.app_tab.sign_out_button.text() == "~Sign &out", timeout=2000)
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: loaded.windowTitle() == "Preferences", timeout=2000)


def test_screenshots_of_both_tabs(qtbot, screenshot_dir: Path):
    """Both tabs in a lived-in state, for a person to look at."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        widget = PreferencesDialog()
        qtbot.addWidget(widget)
        widget.set_server_preferences(DEFAULT_PREFERENCES)
        widget.load_app_settings(dataclasses.replace(Settings(), quiet_hours_enabled=True))
        widget.set_account("https://mail.example.org", "ada@example.org")
        widget.set_toast_backend("desktop-notifier (D-Bus)", True, "")
        widget.set_pause_state(datetime.now().astimezone() + timedelta(hours=1))
        widget.show()
        qtbot.waitExposed(widget)
        tab = widget.notifications_tab
        tab.boxes["rule_executed"].click()
        tab.boxes[toast_key("job_failed")].click()
        widget.preference_failed(toast_key("job_failed"), True, "The server did not answer.")
        paths = {"notifications": "prefs-notifications.png", "app": "prefs-app.png"}
        for name, file_name in paths.items():
            widget.show_tab(name)
            target = screenshot_dir / file_name
            assert widget.grab().save(str(target))
            assert target.stat().st_size > 0
    finally:
        QLocale.setDefault(previous)
