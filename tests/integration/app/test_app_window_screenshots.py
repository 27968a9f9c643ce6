"""Pictures of the real app's list window for a person to look at (artifacts/screenshots).

Each picture is taken once the window shows the state it is named after; the asserts
check that state, the pictures show how it looks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inprocess_app import AppFactory, seed, server_rows
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tray_app.reference_server import RunningServer
from tray_app.ui.list_window import NotificationWindow

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)

WEEKLY_DATA = {
    "jobsCompleted": 14,
    "jobsFailed": 2,
    "mailsArchived": 1287,
    "archiveSizeBytes": 47_395_635,
    "rulesExecuted": 31,
    "topSenders": [
        {"sender": "newsletter@boutique.example", "count": 212},
        {"sender": "notifications@forge.example", "count": 148},
        {"sender": "factures@energie.example", "count": 37},
    ],
}


def _seed_mixed(server: RunningServer) -> dict[str, str]:
    """Unread and read rows of several categories, and a weekly report with its figures."""
    return {
        "weekly": seed(
            server,
            type="weekly_report",
            title="Rapport hebdomadaire",
            body="14 jobs terminés · 1287 mails archivés (45.2 Mo)",
            data=WEEKLY_DATA,
            created_at="2026-03-30T06:00:00Z",
        )["id"],
        "done": seed(
            server,
            title="Archivage terminé",
            body="42 mail(s) archivé(s) sur le NAS.",
            created_at="2026-03-30T05:40:00Z",
        )["id"],
        "failed": seed(
            server,
            type="job_failed",
            title="Import mbox échoué",
            body="Error: boom",
            data={"jobId": "import_mbox-1795810558309"},
            created_at="2026-03-30T05:20:00Z",
        )["id"],
        "rule": seed(
            server,
            type="rule_executed",
            title='Règle "Newsletters" exécutée',
            body="17 mail(s) traité(s).",
            is_read=True,
            created_at="2026-03-29T18:00:00Z",
        )["id"],
        "quota": seed(
            server,
            type="quota_warning",
            title="Quota de stockage bientôt atteint",
            body="Vous utilisez 92 % de votre espace de stockage.",
            is_read=True,
            created_at="2026-03-28T09:15:00Z",
        )["id"],
    }


def _save(window: NotificationWindow, directory: Path, name: str) -> None:
    path = directory / f"app-window-{name}.png"
    assert window.grab().save(str(path)), path
    assert path.stat().st_size > 0


def test_window_screenshots(
    app_factory: AppFactory,
    server: RunningServer,
    aloop: LoopRunner,
    qtbot: Any,
    screenshot_dir: Path,
) -> None:
    ids = _seed_mixed(server)
    controller = app_factory.start()
    app_factory.sign_in(controller, server)
    aloop.wait_until(lambda: len(controller.store) == 5, 10.0, "rows loaded")
    window = controller.windows.open_list()
    window.resize(900, 600)
    qtbot.waitExposed(window)
    assert controller.store.unread_count == 3
    _save(window, screenshot_dir, "unread-and-read")

    assert window.select_notification(ids["weekly"])
    detail = window.detail
    assert detail.notification is not None and detail.notification.id == ids["weekly"]
    assert ("Jobs completed", "14") in detail.facts()
    _save(window, screenshot_dir, "weekly-report")

    server.stop()
    aloop.wait_until(lambda: window.state == "offline", 20.0, "the window says offline")
    assert window.banner.isVisible() and "Offline" in window.banner_label.text()
    assert window.proxy.rowCount() == 5  # the last sync stays visible
    _save(window, screenshot_dir, "offline")

    server.start()
    QTest.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
    aloop.wait_until(lambda: window.state == "ready", 20.0, "back online after Retry")
    assert not window.banner.isVisible()
    QTest.mouseClick(window.toolbar.mark_all_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(window.toolbar.delete_read_button, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox)
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    QTest.mouseClick(
        next(b for b in box.buttons() if b.text() == "Delete read"), Qt.MouseButton.LeftButton
    )
    aloop.wait_until(lambda: not server_rows(server), 10.0, "everything deleted on the server")
    aloop.wait_until(window.placeholder.isVisible, 5.0, "the empty list placeholder")
    assert window.placeholder.text() == "No notifications"
    _save(window, screenshot_dir, "empty")
