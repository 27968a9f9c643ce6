"""NotificationWindow: intents from mouse and keyboard, states, plain text, screenshots."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
)

from tray_app.api.models import Notification, NotificationPage
from tray_app.core.store import NotificationStore
from tray_app.models.notification_list_model import NotificationListModel
from tray_app.ui.list_window import NotificationWindow

NOW = datetime(2025, 3, 12, 15, 30, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
MARKUP_TITLE = "<b>markup</b> <script>alert(1)</script>"


def make(
    n: int,
    kind: str = "job_completed",
    title: str | None = None,
    body: str | None = "",
    data: dict[str, Any] | None = None,
    *,
    read: bool = False,
    ago: timedelta | None = None,
) -> Notification:
    return Notification(
        id=f"00000000-0000-4000-8000-{n:012d}",
        type=kind,
        title=title if title is not None else f"Import {n}",
        body=body if body != "" else f"{n} mail(s) archivé(s) sur le NAS.",
        data=data,
        is_read=read,
        created_at=NOW - (ago if ago is not None else timedelta(minutes=n)),
    )


WEEKLY = make(
    3,
    "weekly_report",
    "Rapport hebdomadaire",
    "3 jobs terminés · 120 mails archivés (45.2 Mo)",
    {
        "jobsCompleted": 3,
        "jobsFailed": 1,
        "mailsArchived": 120,
        "archiveSizeBytes": 47_395_635,
        "rulesExecuted": 4,
        "topSenders": [
            {"sender": "news@example.com", "count": 40},
            {"sender": "alerts@bank.example", "count": 22},
            {"sender": "team@example.org", "count": 9},
        ],
    },
    read=True,
    ago=timedelta(days=1, hours=2),
)

ROWS = [
    make(1, data={"jobId": "import_mbox-1", "imported": 42, "skipped": 3, "errors": 0}),
    make(2, "job_failed", MARKUP_TITLE, "Error: boom", {"jobId": "bulk-7"}),
    WEEKLY,
    make(
        4,
        "rule_executed",
        'Règle "Newsletters" exécutée',
        "17 mail(s) traité(s). " * 12,
        {"ruleName": "Newsletters"},
        read=True,
        ago=timedelta(days=3),
    ),
    make(
        5,
        "quota_warning",
        "Quota de stockage bientôt atteint",
        "92 % utilisés.",
        {"usedBytes": 9_200_000_000},
        ago=timedelta(days=10),
    ),
    make(6, "something_new", "Type inconnu", None, read=True, ago=timedelta(days=400)),
]


def first_page(rows: list[Notification], unread: int, *, last: bool = True) -> NotificationPage:
    return NotificationPage(tuple(rows), unread, 1, 50, last)


@pytest.fixture
def store() -> NotificationStore:
    store = NotificationStore()
    store.apply_first_page(first_page(ROWS, unread=3))
    return store


@pytest.fixture
def window(store: NotificationStore, qtbot: Any) -> Iterator[NotificationWindow]:
    model = NotificationListModel(store)
    window = NotificationWindow(model, clock=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(900, 620)
    window.show()
    qtbot.waitExposed(window)
    yield window
    model.detach()


def row_rect(window: NotificationWindow, row: int) -> Any:
    return window.view.visualRect(window.proxy.index(row, 0))


def click(window: NotificationWindow, point: QPoint) -> None:
    QTest.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )


def select(window: NotificationWindow, row: int) -> None:
    window.view.setCurrentIndex(window.proxy.index(row, 0))


# ------------------------------------------------------------------ mouse


def test_clicking_an_unread_row_marks_it_read(window: NotificationWindow, qtbot: Any) -> None:
    with qtbot.waitSignal(window.mark_read_requested) as blocker:
        click(window, row_rect(window, 0).center())
    assert blocker.args == [ROWS[0].id]
    assert window.detail.notification == ROWS[0]


def test_clicking_a_read_row_sends_nothing(window: NotificationWindow, qtbot: Any) -> None:
    with qtbot.assertNotEmitted(window.mark_read_requested):
        click(window, row_rect(window, 2).center())
    assert window.detail.notification == WEEKLY


def test_delete_button_deletes_without_marking_read(window: NotificationWindow, qtbot: Any) -> None:
    rect = row_rect(window, 1)
    button = window.delegate.delete_button_rect(rect, window.view.font())
    assert rect.contains(button)
    with (
        qtbot.assertNotEmitted(window.mark_read_requested),
        qtbot.waitSignal(window.delete_requested) as blocker,
    ):
        click(window, button.center())
    assert blocker.args == [ROWS[1].id]


def test_context_menu_actions(window: NotificationWindow, qtbot: Any) -> None:
    window.view.customContextMenuRequested.emit(row_rect(window, 0).center())
    menu = window.context_menu
    assert menu is not None and menu.isVisible()
    actions = {action.text(): action for action in menu.actions()}
    assert set(actions) == {"Mark as read", "Delete", "Copy text"}
    with qtbot.waitSignal(window.mark_read_requested) as blocker:
        actions["Mark as read"].trigger()
    assert blocker.args == [ROWS[0].id]
    with qtbot.waitSignal(window.delete_requested) as blocker:
        actions["Delete"].trigger()
    assert blocker.args == [ROWS[0].id]
    actions["Copy text"].trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Import 1\n1 mail(s) archivé(s)") and "2025" in copied
    menu.close()


def test_context_menu_of_a_read_row_cannot_mark_it_read(window: NotificationWindow) -> None:
    window.view.customContextMenuRequested.emit(row_rect(window, 2).center())
    assert window.context_menu is not None
    mark = next(a for a in window.context_menu.actions() if a.text() == "Mark as read")
    assert not mark.isEnabled()
    window.context_menu.close()


# ------------------------------------------------------------------ keyboard


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_enter_and_space_mark_read(window: NotificationWindow, qtbot: Any, key: Qt.Key) -> None:
    select(window, 1)
    with qtbot.waitSignal(window.mark_read_requested) as blocker:
        QTest.keyClick(window.view, key)
    assert blocker.args == [ROWS[1].id]


def test_delete_key_deletes_the_current_row(window: NotificationWindow, qtbot: Any) -> None:
    select(window, 2)
    with qtbot.waitSignal(window.delete_requested) as blocker:
        QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert blocker.args == [WEEKLY.id]


def test_arrows_move_without_marking_read(window: NotificationWindow, qtbot: Any) -> None:
    select(window, 0)
    with qtbot.assertNotEmitted(window.mark_read_requested):
        QTest.keyClick(window.view, Qt.Key.Key_Down)
        QTest.keyClick(window.view, Qt.Key.Key_End)
    assert window.view.currentIndex().row() == len(ROWS) - 1


def test_escape_hides_and_keeps_the_window(window: NotificationWindow, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.geometry_changed) as blocker:
        QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.isHidden()
    assert isinstance(blocker.args[0], bytes) and blocker.args[0]
    window.show()
    assert window.view.model().rowCount() == len(ROWS)


def test_ctrl_f_focuses_the_search_and_escape_clears_it(
    window: NotificationWindow, qtbot: Any
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.toolbar.search_edit
    qtbot.waitUntil(search.hasFocus)
    QTest.keyClicks(search, "quota")
    assert window.proxy.rowCount() == 1
    QTest.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == "" and window.isVisible()
    QTest.keyClick(search, Qt.Key.Key_Escape)
    assert window.isHidden()


# ------------------------------------------------------------------ toolbar


def test_toolbar_intents(window: NotificationWindow, qtbot: Any) -> None:
    bar = window.toolbar
    with qtbot.waitSignal(window.mark_all_read_requested):
        QTest.mouseClick(bar.mark_all_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.refresh_requested):
        QTest.mouseClick(bar.refresh_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.unread_only_changed) as blocker:
        QTest.mouseClick(bar.unread_only_box, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    with qtbot.assertNotEmitted(window.unread_only_changed):
        window.set_unread_only(False)
    assert not bar.unread_only_box.isChecked()


def test_mark_all_is_disabled_without_unread(
    window: NotificationWindow, store: NotificationStore
) -> None:
    assert window.toolbar.mark_all_button.isEnabled()
    assert "3 unread" in window.windowTitle()
    store.mark_all_read()
    assert not window.toolbar.mark_all_button.isEnabled()
    assert window.windowTitle() == "Notifications"


def _confirmation(window: NotificationWindow, qtbot: Any) -> QMessageBox:
    QTest.mouseClick(window.toolbar.delete_read_button, Qt.MouseButton.LeftButton)
    box = window.findChild(QMessageBox)
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    return box


def test_delete_read_asks_first_and_says_it_is_server_wide(
    window: NotificationWindow, qtbot: Any
) -> None:
    with qtbot.assertNotEmitted(window.delete_read_requested):
        box = _confirmation(window, qtbot)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "ALL" in box.text() and "server" in box.informativeText()
    assert "not only the ones shown" in box.informativeText()
    delete = next(b for b in box.buttons() if b.text() == "Delete read")
    with qtbot.waitSignal(window.delete_read_requested):
        QTest.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is None)


def test_delete_read_cancelled_sends_nothing(window: NotificationWindow, qtbot: Any) -> None:
    box = _confirmation(window, qtbot)
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    with qtbot.assertNotEmitted(window.delete_read_requested):
        QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not box.isVisible())


def test_type_filter_and_search(window: NotificationWindow, qtbot: Any) -> None:
    bar = window.toolbar
    bar.type_combo.setCurrentIndex(bar.type_combo.findData("weekly_report"))
    assert window.proxy.rowCount() == 1
    bar.type_combo.setCurrentIndex(0)
    QTest.keyClicks(bar.search_edit, "regle NEWSLETTERS")
    assert window.proxy.rowCount() == 1
    assert window.proxy.index(0, 0).data() == ROWS[3].title
    bar.search_edit.setText("zzz")
    assert window.placeholder.isVisible()
    assert window.placeholder.text() == "No loaded notification matches the filter."


def test_select_notification_clears_hiding_filters(window: NotificationWindow) -> None:
    window.toolbar.search_edit.setText("quota")
    assert window.select_notification(WEEKLY.id)
    assert window.toolbar.search_edit.text() == ""
    assert window.current_notification() == WEEKLY
    assert window.detail.notification == WEEKLY
    assert not window.select_notification("00000000-0000-4000-8000-999999999999")


# ------------------------------------------------------------------ states


def test_states(window: NotificationWindow, store: NotificationStore, qtbot: Any) -> None:
    window.set_state("offline", last_sync=NOW - timedelta(minutes=7))
    assert window.banner.isVisible() and window.retry_button.isVisible()
    assert "Offline" in window.banner_label.text() and "2025" in window.banner_label.text()
    with qtbot.waitSignal(window.retry_requested):
        QTest.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
    window.set_state("error", "<i>Rate limit exceeded</i>")
    assert window.banner_label.textFormat() == Qt.TextFormat.PlainText
    assert window.banner_label.text().endswith("<i>Rate limit exceeded</i>")
    window.set_state("ready")
    assert not window.banner.isVisible()
    store.clear()
    window.set_state("loading")
    assert window.placeholder.isVisible() and window.placeholder.text() == "Loading…"
    assert not window.toolbar.refresh_button.isEnabled()
    window.set_state("ready")
    assert window.toolbar.refresh_button.isEnabled()
    assert window.placeholder.text() == "No notifications"
    window.toolbar.unread_only_box.setChecked(True)
    window.set_state("ready")
    assert window.placeholder.text() == "No unread notifications"
    store.upsert(ROWS[0])
    assert window.view.isVisible() and not window.placeholder.isVisible()
    with pytest.raises(ValueError):
        window.set_state("sleeping")


def test_resizing_reports_the_geometry_once_settled(window: NotificationWindow, qtbot: Any) -> None:
    with qtbot.waitSignal(window.geometry_changed, timeout=5000) as blocker:
        window.resize(700, 500)
        window.resize(710, 510)
    assert window.restore_geometry(blocker.args[0])
    assert window.size().width() == 710


def test_geometry_round_trip(
    window: NotificationWindow, store: NotificationStore, qtbot: Any
) -> None:
    window.resize(640, 480)
    with qtbot.waitSignal(window.geometry_changed) as blocker:
        window.close()
    saved = blocker.args[0]
    other = NotificationWindow(NotificationListModel(store))
    qtbot.addWidget(other)
    assert other.restore_geometry(saved)
    assert other.size() == window.size()
    assert not other.restore_geometry(b"")


# ------------------------------------------------------------------ rendering


def test_markup_in_a_title_is_shown_as_plain_text(window: NotificationWindow) -> None:
    select(window, 1)
    labels = [w for w in window.detail.findChildren(QLabel) if w.text() == MARKUP_TITLE]
    assert len(labels) == 1
    title = labels[0]
    assert title.textFormat() == Qt.TextFormat.PlainText
    # As rich text only "markup" (and maybe "alert(1)") would be laid out, fitting in half
    # the width of the literal characters; as plain text it needs every character.
    metrics = QFontMetrics(title.font())
    literal = metrics.horizontalAdvance(MARKUP_TITLE)
    one_line = title.heightForWidth(literal + 20)
    assert title.heightForWidth(literal // 2) > one_line


def expanded_and_settled(window: NotificationWindow, row: int) -> bool:
    """The row is taller than its neighbour and the next row starts right below it."""
    rect, above, below = row_rect(window, row), row_rect(window, row - 1), row_rect(window, row + 1)
    return rect.height() > above.height() and below.top() == rect.bottom() + 1


def test_selected_row_expands_to_the_full_text(window: NotificationWindow, qtbot: Any) -> None:
    collapsed = row_rect(window, 3).height()
    select(window, 3)
    qtbot.waitUntil(lambda: expanded_and_settled(window, 3))
    # A lower bound: the body wrapped at the row's whole width, plus the title line.
    metrics = QFontMetrics(window.view.font())
    width = row_rect(window, 3).width()
    body = metrics.boundingRect(0, 0, width, 10_000, Qt.TextFlag.TextWordWrap, ROWS[3].body)
    assert body.height() > 2 * metrics.height()
    assert row_rect(window, 3).height() >= body.height() + metrics.height()
    select(window, 0)
    qtbot.waitUntil(lambda: row_rect(window, 3).height() == collapsed)


def _in_combo(widget: Any) -> bool:
    """Whether ``widget`` is a combo box's own popup part (named by Qt, not by us)."""
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def test_every_control_has_an_accessible_name(window: NotificationWindow) -> None:
    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView)
    controls = [w for kind in kinds for w in window.findChildren(kind) if not _in_combo(w)]
    assert len(controls) >= 7
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
    assert unnamed == []


def test_fetch_more_when_the_server_has_more(qtbot: Any) -> None:
    store = NotificationStore()
    store.apply_first_page(first_page([make(n) for n in range(1, 6)], 5, last=False))
    model = NotificationListModel(store)
    window = NotificationWindow(model, clock=lambda: NOW)
    qtbot.addWidget(window)
    with qtbot.waitSignal(model.fetch_more_requested):
        window.show()
    model.detach()


def test_ten_thousand_rows_scroll(qtbot: Any) -> None:
    store = NotificationStore()
    rows = [make(n, read=n % 3 == 0, ago=timedelta(seconds=n)) for n in range(1, 10_001)]
    store.apply_first_page(first_page(rows, 4000))
    model = NotificationListModel(store)
    window = NotificationWindow(model, clock=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.view.scrollToBottom()
    qtbot.waitUntil(lambda: window.view.indexAt(QPoint(5, 5)).row() > 9_000, timeout=10_000)
    assert window.select_notification(rows[-1].id)
    model.detach()


def test_missing_icons_fall_back_to_a_painted_disc(store: NotificationStore, qtbot: Any) -> None:
    model = NotificationListModel(store)
    window = NotificationWindow(model, clock=lambda: NOW, icon_provider=lambda kind: None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.grab().isNull()
    model.detach()


def test_screenshots(window: NotificationWindow, store: NotificationStore, qtbot: Any) -> None:
    """Pictures of the main states for people to look at (artifacts/, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QTest.mouseMove(window.view.viewport(), row_rect(window, 1).center())
    shots = {"list-unread-and-read": window.grab()}
    window.select_notification(WEEKLY.id)
    qtbot.waitUntil(lambda: window.detail.chart.isVisible())
    shots["weekly-report-detail"] = window.grab()
    window.select_notification(ROWS[3].id)
    qtbot.waitUntil(lambda: expanded_and_settled(window, 3))
    body = next(w for w in window.detail.findChildren(QLabel) if w.text() == ROWS[3].body)
    qtbot.waitUntil(lambda: body.height() >= body.heightForWidth(body.width()))
    shots["expanded-row"] = window.grab()
    window.set_state("offline", last_sync=NOW - timedelta(minutes=7))
    shots["offline"] = window.grab()
    window.set_state("error", "Rate limit exceeded, retry in 30 seconds")
    shots["error"] = window.grab()
    store.clear()
    window.set_state("ready")
    # The splitter gives the hidden detail panel's room to the list on its next layout.
    qtbot.waitUntil(lambda: window.placeholder.width() > window.width() * 0.9)
    shots["empty"] = window.grab()
    for name, pixmap in shots.items():
        assert not pixmap.isNull()
        assert pixmap.save(str(SCREENSHOTS / f"list-window-{name}.png"))


def test_category_icons_and_crafted_types(qapp: Any) -> None:
    from tray_app.resources import resource_path
    from tray_app.ui.notification_delegate import category_icon

    if not resource_path("icons", "categories", "generic.svg").is_file():
        pytest.skip("category icons are not installed")

    def image(kind: str) -> Any:
        icon = category_icon(kind)
        assert icon is not None
        return icon.pixmap(32, 32).toImage()

    generic = image("generic")
    assert image("weekly_report") != generic
    for crafted in ("../tray-app", "unknown_type", "JOB", ""):  # ../tray-app.svg exists
        assert image(crafted) == generic
