"""Actions taken offline survive a restart of the app and reach the server exactly once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from inprocess_app import AppFactory, seed, server_rows, server_unread
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tray_app.reference_server import RunningServer
from tray_app.ui.list_window import NotificationWindow

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)


def _act_offline(window: NotificationWindow, ids: dict[str, str], qtbot: Any) -> None:
    """Mark one row read (Enter), delete another (Delete key), delete the read ones."""
    assert window.select_notification(ids["to_read"])
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert window.select_notification(ids["to_delete"])
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    QTest.mouseClick(window.toolbar.delete_read_button, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox)
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    delete = next(b for b in box.buttons() if b.text() == "Delete read")
    QTest.mouseClick(delete, Qt.MouseButton.LeftButton)


def _writes(server: RunningServer) -> dict[tuple[str, str], int]:
    """How many times each notification write reached the server, whatever its answer."""
    counts: dict[tuple[str, str], int] = {}
    for entry in server.requests():
        notifications = entry["path"].startswith("/api/notifications")
        if notifications and entry["method"] in ("PATCH", "DELETE", "POST", "PUT"):
            key = (entry["method"], entry["path"])
            counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.parametrize("flavor", ["observed", "documented"])
def test_offline_actions_reach_the_server_once_after_a_restart(
    flavor: str,
    app_factory: AppFactory,
    request: pytest.FixtureRequest,
    aloop: LoopRunner,
    qtbot: Any,
) -> None:
    server: RunningServer = request.getfixturevalue(
        "server" if flavor == "observed" else "documented_server"
    )
    ids = {
        "kept": seed(server, title="Reste non lue")["id"],
        "to_read": seed(server, title="Lue hors ligne")["id"],
        "to_delete": seed(server, title="Supprimée hors ligne")["id"],
        "read_1": seed(server, title="Déjà lue 1", is_read=True)["id"],
        "read_2": seed(server, title="Déjà lue 2", is_read=True)["id"],
    }
    first = app_factory.start()
    app_factory.sign_in(first, server)
    aloop.wait_until(lambda: len(first.store) == 5, 10.0, "rows loaded")
    window = first.windows.open_list()
    qtbot.waitExposed(window)

    server.stop()
    server.clear_requests()
    _act_offline(window, ids, qtbot)
    # Shown at once, although nothing reached the server ("Delete read" took the row
    # just marked read too).
    assert {n.id for n in first.store} == {ids["kept"]}
    assert first.store.unread_count == 1
    aloop.wait_until(lambda: first.actions.pending_count == 3, message="three actions queued")
    app_factory.quit(first)
    outbox = json.loads(app_factory.paths.state_file("outbox.json").read_text("utf-8"))
    assert [a["kind"] for a in outbox["actions"]] == ["mark_read", "delete", "delete_read"]
    assert server_rows(server) == {i: key.startswith("read") for key, i in ids.items()}

    second = app_factory.start()  # the app starts again with the same profile
    aloop.wait_until(lambda: second.sync.client is not None, 10.0, "the stored session resumes")
    aloop.wait_until(
        lambda: second.session.state_name == "offline", 10.0, "the new app finds the server down"
    )
    server.start()
    aloop.wait_until(
        lambda: second.actions.pending_count == 0, 20.0, "the outbox drains once back online"
    )
    assert server_rows(server) == {ids["kept"]: False}
    writes = _writes(server)
    assert writes == {
        ("PATCH", f"/api/notifications/{ids['to_read']}/read"): 1,
        ("DELETE", f"/api/notifications/{ids['to_delete']}"): 1,
        ("DELETE", "/api/notifications"): 1,
    }
    aloop.wait_until(
        lambda: (
            {n.id for n in second.store} == {ids["kept"]}
            and second.store.unread_count == server_unread(server) == 1
        ),
        10.0,
        "the restarted app shows what the server has",
    )
    aloop.wait_until(lambda: second.tray.tooltip().startswith("1 unread"), 5.0, "tooltip")
