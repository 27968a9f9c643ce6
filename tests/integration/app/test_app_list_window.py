"""Every action of the list window, clicked or typed on the real window of the real app,
checked on the reference server's side (both flavors), with the badge agreeing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from inprocess_app import seed, server_rows, server_unread
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tray_app.app.controller import AppController
from tray_app.reference_server import RunningServer
from tray_app.ui.list_window import NotificationWindow

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)

#: Newest first: three unread rows, then two read ones.
ROWS: tuple[dict[str, Any], ...] = (
    {
        "type": "job_completed",
        "title": "Import mbox terminé",
        "body": "42 mail(s) archivé(s) sur le NAS.",
        "created_at": "2026-03-30T10:05:00Z",
    },
    {
        "type": "job_failed",
        "title": "Opération bulk échouée",
        "body": "Error: boom",
        "created_at": "2026-03-30T10:04:00Z",
    },
    {
        "type": "rule_executed",
        "title": 'Règle "Newsletters" exécutée',
        "body": "17 mail(s) traité(s).",
        "created_at": "2026-03-30T10:03:00Z",
    },
    {
        "type": "weekly_report",
        "title": "Rapport hebdomadaire",
        "body": "3 jobs terminés · 120 mails archivés (45.2 Mo)",
        "is_read": True,
        "created_at": "2026-03-30T10:02:00Z",
    },
    {
        "type": "quota_warning",
        "title": "Quota de stockage bientôt atteint",
        "body": "90 % de votre espace est utilisé.",
        "is_read": True,
        "created_at": "2026-03-30T10:01:00Z",
    },
)


@dataclass
class Scene:
    """The app with its list window open on the seeded rows."""

    controller: AppController
    server: RunningServer
    window: NotificationWindow
    ids: list[str]  # in ROWS order
    aloop: LoopRunner

    def rect(self, notification_id: str) -> QRect:
        """Where the row of ``notification_id`` is drawn in the view's viewport."""
        model = self.controller.windows.model
        assert model is not None
        row = model.row_of(notification_id)
        assert row is not None, "not loaded"
        index = self.window.proxy.mapFromSource(model.index(row))
        assert index.isValid(), "filtered out"
        return self.window.view.visualRect(index)

    def click(self, point: QPoint) -> None:
        viewport = self.window.view.viewport()
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)

    def select(self, notification_id: str) -> None:
        assert self.window.select_notification(notification_id)
        self.window.view.setFocus()

    def wait_server(self, condition: Any, message: str) -> None:
        self.aloop.wait_until(lambda: condition(server_rows(self.server)), 10.0, message)

    def requests(self, method: str, path: str) -> int:
        log = self.server.requests()
        return sum(1 for r in log if r["method"] == method and r["path"] == path)

    def assert_badge_agrees(self) -> None:
        """The store's count, the tray tooltip and the window title all say the server's."""
        controller, server = self.controller, self.server

        def agree() -> bool:
            unread = server_unread(server)
            return (
                controller.store.unread_count == unread
                and tooltip_count(controller.tray.tooltip()) == tooltip_line(unread)
                and self.window.windowTitle() == title(unread)
            )

        self.aloop.wait_until(agree, 10.0, "badge, tooltip and title show the server's count")


def tooltip_count(tooltip: str) -> str:
    """The count part of the tooltip's first line ("3 unread - host")."""
    return tooltip.splitlines()[0].split(" - ")[0]


def tooltip_line(unread: int) -> str:
    return f"{unread} unread" if unread else "No unread notifications"


def title(unread: int) -> str:
    return f"Notifications ({unread} unread)" if unread else "Notifications"


@pytest.fixture
def scene(
    app_controller: AppController, any_server: RunningServer, aloop: LoopRunner, qtbot: Any
) -> Iterator[Scene]:
    ids = [seed(any_server, **fields)["id"] for fields in ROWS]
    controller = app_controller
    aloop.wait_until(lambda: set(ids) <= {n.id for n in controller.store}, 10.0, "rows loaded")
    window = controller.windows.open_list()
    window.resize(900, 620)
    qtbot.waitExposed(window)
    any_server.clear_requests()
    current = Scene(controller, any_server, window, ids, aloop)
    current.assert_badge_agrees()
    assert [window.proxy.index(i, 0).data() for i in range(5)] == [r["title"] for r in ROWS]
    yield current


# ------------------------------------------------------------------ one row


def test_clicking_a_row_marks_it_read(scene: Scene) -> None:
    first = scene.ids[0]
    scene.click(scene.rect(first).center())
    scene.wait_server(lambda rows: rows[first], "the clicked row is read on the server")
    assert scene.window.detail.notification is not None
    assert scene.window.detail.notification.id == first
    scene.assert_badge_agrees()
    assert scene.requests("PATCH", f"/api/notifications/{first}/read") == 1
    # A read row clicked again sends nothing more.
    scene.click(scene.rect(first).center())
    scene.assert_badge_agrees()
    assert scene.requests("PATCH", f"/api/notifications/{first}/read") == 1


def test_enter_and_space_mark_the_current_row_read(scene: Scene) -> None:
    keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
    for notification_id, key in zip(scene.ids[:3], keys, strict=True):
        scene.select(notification_id)
        QTest.keyClick(scene.window.view, key)
        scene.wait_server(lambda rows, i=notification_id: rows[i], f"{key.name} marks read")
        scene.assert_badge_agrees()
        assert scene.requests("PATCH", f"/api/notifications/{notification_id}/read") == 1
    assert server_unread(scene.server) == 0


def test_delete_key_deletes_the_current_row(scene: Scene) -> None:
    target = scene.ids[1]  # unread: the badge goes down too
    scene.select(target)
    QTest.keyClick(scene.window.view, Qt.Key.Key_Delete)
    scene.wait_server(lambda rows: target not in rows, "the row is gone from the server")
    assert len(server_rows(scene.server)) == 4
    assert target not in scene.controller.store
    scene.assert_badge_agrees()
    assert scene.requests("DELETE", f"/api/notifications/{target}") == 1


def test_hover_delete_button_deletes_without_marking_read(scene: Scene) -> None:
    target = scene.ids[2]
    rect = scene.rect(target)
    QTest.mouseMove(scene.window.view.viewport(), rect.center())
    button = scene.window.delegate.delete_button_rect(rect, scene.window.view.font())
    scene.click(button.center())
    scene.wait_server(lambda rows: target not in rows, "the row is gone from the server")
    scene.assert_badge_agrees()
    assert scene.requests("DELETE", f"/api/notifications/{target}") == 1
    assert scene.requests("PATCH", f"/api/notifications/{target}/read") == 0


def _menu_action(scene: Scene, notification_id: str, text: str) -> None:
    """Right-click the row (a real context-menu event) and click ``text`` in the menu."""
    viewport = scene.window.view.viewport()
    point = scene.rect(notification_id).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    menu = scene.window.context_menu
    assert menu is not None
    scene.aloop.wait_until(menu.isVisible, message="the context menu opens")
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    scene.aloop.wait_until(lambda: not menu.isVisible(), message="the menu closes")


def test_context_menu_mark_read_delete_and_copy(scene: Scene) -> None:
    first, second, third = scene.ids[:3]
    _menu_action(scene, first, "Mark as read")
    scene.wait_server(lambda rows: rows[first], "marked read from the menu")
    scene.assert_badge_agrees()
    _menu_action(scene, second, "Delete")
    scene.wait_server(lambda rows: second not in rows, "deleted from the menu")
    scene.assert_badge_agrees()
    QGuiApplication.clipboard().clear()
    _menu_action(scene, third, "Copy text")
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[:2] == [ROWS[2]["title"], ROWS[2]["body"]]
    assert "2026" in copied[2]
    assert not server_rows(scene.server)[third]  # copying changes nothing
    assert scene.requests("PATCH", f"/api/notifications/{first}/read") == 1
    assert scene.requests("DELETE", f"/api/notifications/{second}") == 1
    assert scene.requests("PATCH", f"/api/notifications/{third}/read") == 0


# ------------------------------------------------------------------ toolbar


def test_mark_all_as_read(scene: Scene) -> None:
    QTest.mouseClick(scene.window.toolbar.mark_all_button, Qt.MouseButton.LeftButton)
    scene.wait_server(lambda rows: all(rows.values()), "every row is read on the server")
    assert len(server_rows(scene.server)) == 5
    scene.assert_badge_agrees()
    assert not scene.window.toolbar.mark_all_button.isEnabled()
    # Each flavor has its own method; the client finds it and then sticks to it.
    sent = Counter(
        (r["method"], r["status"])
        for r in scene.server.requests()
        if r["path"] == "/api/notifications/read-all"
    )
    if scene.server.config.documented:
        assert sent[("POST", 200)] == 1 and sent[("PATCH", 200)] == 0
    else:
        assert sent[("PATCH", 200)] == 1 and sent[("POST", 200)] == 0


def test_delete_read_after_confirmation(scene: Scene, qtbot: Any) -> None:
    QTest.mouseClick(scene.window.toolbar.delete_read_button, Qt.MouseButton.LeftButton)
    box = scene.window.findChild(QMessageBox)
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert scene.requests("DELETE", "/api/notifications") == 0  # not before confirming
    delete = next(b for b in box.buttons() if b.text() == "Delete read")
    QTest.mouseClick(delete, Qt.MouseButton.LeftButton)
    unread = set(scene.ids[:3])
    scene.wait_server(lambda rows: set(rows) == unread, "only the unread rows are left")
    assert not any(server_rows(scene.server).values())
    assert {n.id for n in scene.controller.store} == unread
    scene.assert_badge_agrees()
    assert scene.requests("DELETE", "/api/notifications") == 1


def test_refresh_shows_changes_made_behind_the_apps_back(scene: Scene) -> None:
    # SQL changes are not published on the stream: only a fetch can see them.
    first, second = scene.ids[:2]
    scene.server.sql("UPDATE notifications SET is_read = 1 WHERE id = ?", (first,))
    scene.server.sql("DELETE FROM notifications WHERE id = ?", (second,))
    QTest.mouseClick(scene.window.toolbar.refresh_button, Qt.MouseButton.LeftButton)
    store = scene.controller.store
    scene.aloop.wait_until(
        lambda: {n.id: n.is_read for n in store} == server_rows(scene.server),
        10.0,
        "the list shows the server's rows after Refresh",
    )
    scene.assert_badge_agrees()
    assert scene.requests("GET", "/api/notifications") >= 1


def test_unread_only_toggle(scene: Scene) -> None:
    box = scene.window.toolbar.unread_only_box
    window, store = scene.window, scene.controller.store
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    unread = {i for i, read in server_rows(scene.server).items() if not read}
    scene.aloop.wait_until(
        lambda: {n.id for n in store} == unread and window.proxy.rowCount() == len(unread),
        10.0,
        "only unread rows are listed",
    )
    filtered = [r for r in scene.server.requests() if r["path"] == "/api/notifications"]
    assert any("unread_only=true" in r["query"] for r in filtered)
    scene.assert_badge_agrees()  # the badge keeps the total
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    scene.aloop.wait_until(lambda: window.proxy.rowCount() == 5, 10.0, "every row is listed again")
    scene.assert_badge_agrees()


def test_type_filter_and_search_narrow_the_rows(scene: Scene) -> None:
    bar, proxy = scene.window.toolbar, scene.window.proxy
    combo = bar.type_combo
    combo.setFocus()
    # Pick "Weekly report" with the keyboard, as a person would.
    target = combo.findData("weekly_report")
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert [proxy.index(i, 0).data() for i in range(proxy.rowCount())] == [ROWS[3]["title"]]
    QTest.keyClick(combo, Qt.Key.Key_Home)
    assert proxy.rowCount() == 5
    QTest.keyClicks(bar.search_edit, "newsletters")
    assert [proxy.index(i, 0).data() for i in range(proxy.rowCount())] == [ROWS[2]["title"]]
    bar.search_edit.clear()
    QTest.keyClicks(bar.search_edit, "mail(s)")
    assert proxy.rowCount() == 2
    QTest.keyClicks(bar.search_edit, " nothing like this")
    assert proxy.rowCount() == 0
    assert scene.window.placeholder.isVisible()
    # Filters only narrow what is shown: nothing changed on the server.
    unchanged = {i: bool(r.get("is_read")) for i, r in zip(scene.ids, ROWS, strict=True)}
    assert server_rows(scene.server) == unchanged
    scene.assert_badge_agrees()
