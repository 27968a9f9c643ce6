"""The preferences dialog of the real app against the reference server (both flavors):
every switch saved on the server alone, failures undone visibly, start at login, and
changes made elsewhere shown when the dialog opens or refreshes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from inprocess_app import EMAIL, AppFactory, user_client
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QStyle, QStyleOptionButton

from tray_app.api.models import DEFAULT_PREFERENCES, PREFERENCE_KEYS
from tray_app.app.controller import AppController
from tray_app.reference_server import RunningServer
from tray_app.ui.preferences_dialog import PreferencesDialog

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)

PREFS_PATH = "/api/notifications/preferences"


def server_prefs(server: RunningServer) -> dict[str, bool]:
    """The user's 12 values in the server's table (the defaults while it has no row)."""
    columns = ", ".join(f"p.{key}" for key in PREFERENCE_KEYS)
    rows = server.sql(
        f"SELECT {columns} FROM notification_preferences p JOIN users u ON u.id = p.user_id"
        " WHERE u.email = ?",
        (EMAIL,),
    )
    if not rows:
        return dict(DEFAULT_PREFERENCES)
    return {key: bool(value) for key, value in zip(PREFERENCE_KEYS, rows[0], strict=True)}


def prefs_puts(server: RunningServer) -> list[dict[str, Any]]:
    return [r for r in server.requests() if r["method"] == "PUT" and r["path"] == PREFS_PATH]


@dataclass
class Prefs:
    controller: AppController
    server: RunningServer
    dialog: PreferencesDialog
    aloop: LoopRunner

    def ready(self) -> bool:
        """Loaded and idle: every switch usable."""
        return all(box.isEnabled() for box in self.dialog.notifications_tab.boxes.values())

    def wait_ready(self, message: str = "the switches are usable") -> None:
        self.aloop.wait_until(self.ready, 10.0, message)

    def shown(self) -> dict[str, bool]:
        return self.dialog.notifications_tab.values()


def click_check(check: QCheckBox) -> None:
    """Click a check box where it reacts: its indicator and label, not the whole row."""
    option = QStyleOptionButton()
    check.initStyleOption(option)
    rect = check.style().subElementRect(QStyle.SubElement.SE_CheckBoxClickRect, option, check)
    QTest.mouseClick(check, Qt.MouseButton.LeftButton, pos=rect.center())


def open_dialog(controller: AppController, qtbot: Any) -> PreferencesDialog:
    """Open the preferences as the tray menu's "Preferences…" entry does."""
    dialog = controller.windows.open_preferences()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def prefs(
    app_controller: AppController, any_server: RunningServer, aloop: LoopRunner, qtbot: Any
) -> Iterator[Prefs]:
    scene = Prefs(app_controller, any_server, open_dialog(app_controller, qtbot), aloop)
    aloop.run(app_controller.prefs.wait_idle())  # the loads of sign-in and opening
    scene.wait_ready()
    assert scene.shown() == server_prefs(any_server) == DEFAULT_PREFERENCES
    any_server.clear_requests()
    yield scene


def test_every_switch_round_trips_alone(prefs: Prefs) -> None:
    tab = prefs.dialog.notifications_tab
    assert set(tab.boxes) == set(PREFERENCE_KEYS) and len(PREFERENCE_KEYS) == 12
    expected = dict(DEFAULT_PREFERENCES)
    for key in PREFERENCE_KEYS:
        for _direction in ("flip", "back"):
            box = tab.boxes[key]
            expected[key] = not expected[key]
            prefs.server.clear_requests()
            click_check(box)
            # Shown at once, held ("Saving…") until the server answers.
            assert box.isChecked() is expected[key]
            prefs.wait_ready(f"{key} saved")
            assert server_prefs(prefs.server) == expected, key
            assert prefs.shown() == expected
            assert prefs.controller.prefs.preferences == expected
            puts = prefs_puts(prefs.server)
            assert [(p["body_keys"], p["status"]) for p in puts] == [([key], 200)], key
    assert expected == DEFAULT_PREFERENCES
    assert not tab.error_label.isVisible()


def test_a_failed_save_puts_the_switch_back_and_says_why(prefs: Prefs) -> None:
    tab = prefs.dialog.notifications_tab
    key = "rule_executed_toast"
    box = tab.boxes[key]
    assert not box.isChecked()
    prefs.server.set_faults(error_rate=1.0, paths=[PREFS_PATH])
    click_check(box)
    assert box.isChecked()  # optimistic...
    prefs.wait_ready("the failed save ends")
    assert not box.isChecked()  # ...and undone
    assert tab.error_label.isVisible()
    message = tab.error_label.text()
    assert "was not saved" in message and "internal error" in message, message
    assert "Rule executed: toast" in message
    assert [p["status"] for p in prefs_puts(prefs.server)] == [500]
    assert server_prefs(prefs.server) == DEFAULT_PREFERENCES
    assert prefs.controller.prefs.preferences[key] is False

    prefs.server.set_faults(error_rate=0.0)
    click_check(box)
    prefs.wait_ready("saved this time")
    assert box.isChecked() and server_prefs(prefs.server)[key] is True
    assert not tab.error_label.isVisible()


def test_a_load_answered_during_a_save_does_not_flip_the_switch(prefs: Prefs) -> None:
    """Refresh, then a click while the refresh is still on its way: the box flips once."""
    tab = prefs.dialog.notifications_tab
    box = tab.boxes["job_failed"]
    flips: list[bool] = []
    box.toggled.connect(flips.append)
    prefs.server.set_faults(latency_s=0.3, paths=[PREFS_PATH])
    QTest.mouseClick(tab.refresh_button, Qt.MouseButton.LeftButton)
    click_check(box)
    prefs.wait_ready("the refresh and the save are answered")
    methods = [r["method"] for r in prefs.server.requests() if r["path"] == PREFS_PATH]
    assert methods == ["GET", "PUT"]
    assert flips == [False]
    assert server_prefs(prefs.server)["job_failed"] is False


def test_start_at_login_adds_and_removes_the_autostart_entry(
    prefs: Prefs, isolated_home: Path, qtbot: Any
) -> None:
    entry = isolated_home / "autostart" / "tray-app.desktop"
    dialog = prefs.dialog
    bar = dialog.tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert dialog.tabs.currentWidget() is dialog.app_tab
    check = dialog.app_tab.start_at_login_check
    qtbot.waitUntil(check.isVisible)
    assert not check.isChecked() and not entry.exists()

    click_check(check)
    assert check.isChecked()
    assert entry.is_file()
    text = entry.read_text(encoding="utf-8")
    assert (
        "[Desktop Entry]" in text and "\nExec=" in text and "X-GNOME-Autostart-enabled=true" in text
    )
    assert prefs.controller.settings.load().start_at_login is True

    click_check(check)
    assert not check.isChecked()
    assert not entry.exists()
    assert prefs.controller.settings.load().start_at_login is False


def test_changes_made_elsewhere_show_on_open_and_refresh(
    app_controller: AppController, any_server: RunningServer, aloop: LoopRunner, qtbot: Any
) -> None:
    with closing(user_client(any_server)) as web:
        # Before the dialog was ever built: it must show the server's values when opened.
        answer = web.put(PREFS_PATH, json={"rule_executed": True, "weekly_report_toast": True})
        assert answer.status_code == 200, answer.text
        scene = Prefs(app_controller, any_server, open_dialog(app_controller, qtbot), aloop)
        tab = scene.dialog.notifications_tab
        aloop.wait_until(
            lambda: scene.ready() and scene.shown() == server_prefs(any_server), 10.0, "on open"
        )
        assert tab.boxes["rule_executed"].isChecked()
        assert tab.boxes["weekly_report_toast"].isChecked()

        # While it is open: the Refresh button.
        assert web.put(PREFS_PATH, json={"rule_executed": False}).status_code == 200
        QTest.mouseClick(tab.refresh_button, Qt.MouseButton.LeftButton)
        aloop.wait_until(lambda: not tab.boxes["rule_executed"].isChecked(), 10.0, "on refresh")

        # Closed and opened again.
        close = scene.dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
        QTest.mouseClick(close, Qt.MouseButton.LeftButton)
        aloop.wait_until(lambda: not scene.dialog.isVisible(), 5.0, "closed")
        assert web.put(PREFS_PATH, json={"job_failed": False}).status_code == 200
        assert open_dialog(app_controller, qtbot) is scene.dialog
        aloop.wait_until(lambda: not tab.boxes["job_failed"].isChecked(), 10.0, "on reopen")
    assert scene.shown() == server_prefs(any_server)
    # The toast policy reads the same values.
    assert app_controller.prefs.preferences == server_prefs(any_server)


def test_preferences_screenshots(
    app_factory: AppFactory,
    server: RunningServer,
    aloop: LoopRunner,
    qtbot: Any,
    screenshot_dir: Path,
) -> None:
    controller = app_factory.start()
    app_factory.sign_in(controller, server)
    prefs = Prefs(controller, server, open_dialog(controller, qtbot), aloop)
    aloop.run(controller.prefs.wait_idle())
    prefs.wait_ready()
    dialog = prefs.dialog
    dialog.resize(dialog.minimumWidth(), dialog.minimumHeight())
    assert dialog.grab().save(str(screenshot_dir / "prefs-notifications.png"))
    box = dialog.notifications_tab.boxes["quota_warning_toast"]
    server.set_faults(error_rate=1.0, paths=[PREFS_PATH])
    click_check(box)
    prefs.wait_ready("the failed save ends")
    assert dialog.notifications_tab.error_label.isVisible()
    assert dialog.grab().save(str(screenshot_dir / "prefs-save-failed.png"))
    server.set_faults(error_rate=0.0)
    dialog.show_tab("app")
    aloop.wait_until(dialog.app_tab.isVisible, 5.0, "the App tab")
    account = dialog.app_tab.account_label.text()
    assert account == f"Signed in as {EMAIL} on {server.url}."
    assert dialog.grab().save(str(screenshot_dir / "prefs-app.png"))
