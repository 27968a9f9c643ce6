"""The tray icon's menu, intents and tooltip (no tray host needed: nothing is shown)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QSystemTrayIcon

from tray_app.ui.badge import TrayIconPainter
from tray_app.ui.tray_icon import TrayIcon

SESSION_ACTIONS = ("open", "mark_all_read", "preferences", "refresh")


@pytest.fixture(autouse=True)
def british_locale():
    """24-hour times ("14:02") whatever the machine's locale."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def tray(qapp):
    icon = TrayIcon(painter=TrayIconPainter(sizes=(16, 22), device_pixel_ratios=(1.0,)))
    yield icon
    icon.hide()
    icon.deleteLater()


def sign_in(tray: TrayIcon, unread: int = 7, connection: str = "online", last_sync=None):
    tray.set_state(unread, connection, "mail.example.org", last_sync, True)


def test_signed_out_disables_what_needs_a_session(tray):
    tray.set_state(0, "offline", "mail.example.org", None, False)
    for name in SESSION_ACTIONS:
        assert not tray.action(name).isEnabled(), name
    assert tray.action("quit").isEnabled()
    assert tray.action("session").isEnabled()
    assert tray.action("session").text() == "Sign in…"
    assert tray.action("status").text() == "Signed out - sign in again"
    assert not tray.action("status").isEnabled()


def test_signed_in_enables_session_entries(tray):
    sign_in(tray)
    for name in SESSION_ACTIONS:
        assert tray.action(name).isEnabled(), name
    assert tray.action("session").text() == "Sign out"
    assert tray.action("status").text() == "7 unread - mail.example.org"


def test_mark_all_read_needs_something_unread(tray):
    sign_in(tray, unread=0)
    assert not tray.action("mark_all_read").isEnabled()
    assert tray.action("status").text() == "No unread notifications - mail.example.org"


@pytest.mark.parametrize(
    ("name", "signal"),
    [
        ("open", "open_requested"),
        ("mark_all_read", "mark_all_read_requested"),
        ("preferences", "preferences_requested"),
        ("refresh", "refresh_requested"),
        ("session", "sign_out_requested"),
        ("quit", "quit_requested"),
    ],
)
def test_each_entry_emits_its_intent(qtbot, tray, name, signal):
    sign_in(tray)
    with qtbot.waitSignal(getattr(tray, signal), timeout=1000):
        tray.action(name).trigger()


def test_session_entry_asks_to_sign_in_while_signed_out(qtbot, tray):
    with (
        qtbot.assertNotEmitted(tray.sign_out_requested),
        qtbot.waitSignal(tray.sign_in_requested, timeout=1000),
    ):
        tray.action("session").trigger()


@pytest.mark.parametrize(
    ("name", "value"), [("pause_1h", "1h"), ("pause_tomorrow", "tomorrow"), ("resume", "resume")]
)
def test_pause_entries_emit_their_choice(qtbot, tray, name, value):
    tray.set_paused_until(datetime.now() + timedelta(hours=1))
    with qtbot.waitSignal(tray.pause_requested, timeout=1000) as blocker:
        tray.action(name).trigger()
    assert blocker.args == [value]


def test_resume_only_while_paused(tray):
    assert not tray.action("resume").isEnabled()
    assert not tray.action("paused_status").isVisible()
    tray.set_paused_until(datetime.now().replace(hour=15, minute=30))
    assert tray.action("resume").isEnabled()
    assert tray.action("paused_status").isVisible()
    assert tray.action("paused_status").text() == "Toasts paused until 15:30"
    tray.set_paused_until(None)
    assert not tray.action("resume").isEnabled()


def test_left_click_opens_the_list_or_the_login(qtbot, tray):
    trigger = QSystemTrayIcon.ActivationReason.Trigger
    with qtbot.waitSignal(tray.sign_in_requested, timeout=1000):
        tray.system_tray_icon.activated.emit(trigger)
    sign_in(tray)
    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        tray.system_tray_icon.activated.emit(trigger)
    with qtbot.assertNotEmitted(tray.open_requested):
        tray.system_tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)


def test_tooltip_online(tray):
    sign_in(tray, unread=1)
    assert tray.tooltip() == "1 unread - mail.example.org"


def test_tooltip_offline_tells_the_last_sync(tray):
    last_sync = datetime.now().astimezone().replace(hour=14, minute=2)
    sign_in(tray, connection="offline", last_sync=last_sync)
    assert tray.tooltip().splitlines() == [
        "7 unread - mail.example.org",
        "Offline - last sync 14:02",
    ]
    assert tray.action("status").text() == "Offline - last sync 14:02"


def test_tooltip_of_an_older_sync_has_the_date(tray):
    last_sync = datetime(2024, 3, 9, 8, 5).astimezone()
    sign_in(tray, connection="connecting", last_sync=last_sync)
    line = tray.tooltip().splitlines()[1]
    assert line.startswith("Connecting… - last sync ")
    assert "09/03/2024" in line and "08:05" in line


def test_tooltip_never_synced(tray):
    sign_in(tray, connection="offline")
    assert tray.tooltip().splitlines()[1] == "Offline - never synced"


def test_jobs_show_in_menu_and_tooltip_and_go_away(tray):
    sign_in(tray)
    tray.set_jobs([("Archiving", 45), ("Importing mbox", None)])
    assert [a.text() for a in tray.job_actions()] == ["Archiving… 45%", "Importing mbox…"]
    assert all(not a.isEnabled() for a in tray.job_actions())
    assert tray.tooltip().splitlines()[1:] == ["Archiving… 45%", "Importing mbox…"]
    tray.set_jobs([("Archiving", 60)])
    assert [a.text() for a in tray.job_actions()] == ["Archiving… 60%"]
    tray.set_jobs([])
    assert tray.job_actions() == []
    assert tray.tooltip() == "7 unread - mail.example.org"


def test_toast_status_line(tray):
    assert not tray.action("toasts_status").isVisible()
    tray.set_toast_status(False, "no notification service on D-Bus")
    status = tray.action("toasts_status")
    assert status.isVisible()
    assert status.text() == "Toasts unavailable: no notification service on D-Bus"
    assert tray.tooltip().splitlines()[-1] == status.text()
    tray.set_toast_status(True, "")
    assert not status.isVisible()


def test_menu_is_built_once_and_updated_in_place(tray):
    sign_in(tray)
    tray.set_jobs([("A", 1), ("B", 2)])
    actions = list(tray.menu().actions())
    for unread in range(5):
        sign_in(tray, unread=unread, connection="offline" if unread % 2 else "online")
        tray.set_jobs([("A", unread), ("B", None)])
        tray.set_toast_status(bool(unread % 2), "x")
    assert tray.menu().actions() == actions


def test_icon_follows_unread_bucket_and_state(tray):
    def key() -> int:
        return tray.system_tray_icon.icon().cacheKey()

    sign_in(tray, unread=0)
    none = key()
    sign_in(tray, unread=7)
    seven = key()
    assert seven != none
    sign_in(tray, unread=120)
    overflow = key()
    sign_in(tray, unread=150)
    assert key() == overflow
    sign_in(tray, unread=7, connection="offline")
    assert key() != seven
    tray.set_state(7, "online", "mail.example.org", None, False)
    signed_out = key()
    assert signed_out not in (none, seven, overflow)
