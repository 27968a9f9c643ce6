"""NotificationListModel over a real store, and the filter proxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tray_app.api.models import Notification, NotificationPage
from tray_app.core.store import NotificationStore
from tray_app.models.notification_list_model import (
    NotificationFilterProxy,
    NotificationListModel,
    NotificationRole,
    fold,
)
from tray_app.models.time_text import exact_time_text, relative_time_text

BASE = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def make(
    n: int,
    *,
    kind: str = "job_completed",
    title: str | None = None,
    body: str | None = "",
    read: bool = False,
) -> Notification:
    return Notification(
        id=f"00000000-0000-4000-8000-{n:012d}",
        type=kind,
        title=title if title is not None else f"Import {n}",
        body=body if body != "" else f"{n} mail(s) archivé(s)",
        data={"count": n},
        is_read=read,
        created_at=BASE + timedelta(minutes=n),
    )


def page(
    items: list[Notification], *, unread: int = 0, limit: int = 5, number: int = 1
) -> NotificationPage:
    return NotificationPage(tuple(items), unread, number, limit, len(items) < limit)


@pytest.fixture
def store() -> NotificationStore:
    return NotificationStore()


@pytest.fixture
def model(store: NotificationStore, qapp: Any) -> NotificationListModel:
    model = NotificationListModel(store)
    yield model
    model.detach()


def test_model_passes_the_model_tester_through_changes(
    store: NotificationStore, model: NotificationListModel, qtmodeltester: Any
) -> None:
    store.apply_first_page(page([make(n) for n in range(10, 5, -1)], unread=5))
    qtmodeltester.check(model, force_py=True)
    store.apply_next_page(page([make(n) for n in range(6, 2, -1)], number=2))
    store.upsert(make(20))
    store.mark_read(make(8).id)
    store.remove(make(7).id)
    store.apply_first_page(page([make(20), make(10), make(9), make(8), make(6)]))
    store.remove_read()
    store.apply_first_page(page([make(n, read=n % 2 == 0) for n in range(300, 0, -1)], limit=500))
    store.remove_read()  # scattered rows: a reset
    store.clear()
    assert model.rowCount() == 0


def test_model_passes_the_cpp_model_tester(
    store: NotificationStore, model: NotificationListModel, qtmodeltester: Any
) -> None:
    store.apply_first_page(page([make(n) for n in range(4, 0, -1)]))
    qtmodeltester.check(model)
    store.upsert(make(9))
    store.remove(make(2).id)
    assert model.rowCount() == 4


def test_roles(store: NotificationStore, model: NotificationListModel) -> None:
    store.apply_first_page(page([make(2, kind="weekly_report"), make(1, read=True)]))
    index = model.index(0)
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "Import 2"
    assert model.data(index, NotificationRole.Id) == make(2).id
    assert model.data(index, NotificationRole.Type) == "weekly_report"
    assert model.data(index, NotificationRole.Title) == "Import 2"
    assert model.data(index, NotificationRole.Body) == "2 mail(s) archivé(s)"
    assert model.data(index, NotificationRole.Data) == {"count": 2}
    assert model.data(index, NotificationRole.IsRead) is False
    assert model.data(model.index(1), NotificationRole.IsRead) is True
    assert model.data(index, NotificationRole.CreatedAt) == make(2).created_at
    assert model.data(index, NotificationRole.Notification) == make(2, kind="weekly_report")
    assert model.data(model.index(5), Qt.ItemDataRole.DisplayRole) is None
    assert NotificationRole.Id == Qt.ItemDataRole.UserRole.value + 1
    assert model.roleNames()[NotificationRole.IsRead].data() == b"isRead"
    accessible = model.data(index, Qt.ItemDataRole.AccessibleTextRole)
    assert accessible.startswith("Unread") and "Import 2" in accessible


def test_null_body_reads_as_empty(store: NotificationStore, model: NotificationListModel) -> None:
    store.upsert(make(1, body=None))
    assert model.data(model.index(0), NotificationRole.Body) == ""


def test_tooltip_escapes_markup_and_gives_exact_time(
    store: NotificationStore, model: NotificationListModel
) -> None:
    store.upsert(make(1, title="<b>bold</b> <script>alert(1)</script>", body="a & b"))
    tooltip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tooltip and "<script>" not in tooltip
    assert "&lt;b&gt;bold&lt;/b&gt;" in tooltip and "a &amp; b" in tooltip
    assert "2025" in tooltip


def test_fetch_more_asks_once_until_a_page_arrives(
    store: NotificationStore, model: NotificationListModel, qtbot: Any
) -> None:
    assert not model.canFetchMore(QModelIndex())
    store.apply_first_page(page([make(n) for n in range(10, 5, -1)]))
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.fetch_more_requested):
        model.fetchMore(QModelIndex())
    with qtbot.assertNotEmitted(model.fetch_more_requested):
        model.fetchMore(QModelIndex())
    store.apply_next_page(page([make(n) for n in range(5, 0, -1)], number=2))
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetch_failed()
    assert model.canFetchMore(QModelIndex())
    store.apply_next_page(page([make(0)], number=3))
    assert not model.canFetchMore(QModelIndex())


def test_unread_count_signal(
    store: NotificationStore, model: NotificationListModel, qtbot: Any
) -> None:
    with qtbot.waitSignal(model.unread_count_changed) as blocker:
        store.apply_first_page(page([make(1)], unread=12))
    assert blocker.args == [12]


def test_destroyed_model_stops_listening(store: NotificationStore, qapp: Any) -> None:
    from PySide6.QtCore import QObject

    parent = QObject()
    model = NotificationListModel(store, parent)
    del model
    parent.deleteLater()
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(parent, QEvent.Type.DeferredDelete)
    store.upsert(make(1))  # would raise on a deleted model
    assert len(store) == 1


@pytest.fixture
def proxy(model: NotificationListModel) -> NotificationFilterProxy:
    proxy = NotificationFilterProxy()
    proxy.setSourceModel(model)
    return proxy


def titles(proxy: NotificationFilterProxy) -> list[str]:
    return [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())]


def test_search_ignores_case_and_accents(
    store: NotificationStore, proxy: NotificationFilterProxy, qtmodeltester: Any
) -> None:
    store.apply_first_page(
        page(
            [
                make(3, title="Réunion d'équipe", body=None),
                make(2, title="Import mbox terminé", body="42 mail(s) archivé(s)"),
                make(1, title='Règle "Newsletters" exécutée', body="17 mail(s) traité(s)."),
            ],
            limit=20,
        )
    )
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_search_text("EQUIPE")
    assert titles(proxy) == ["Réunion d'équipe"]
    proxy.set_search_text("mail archive")
    assert titles(proxy) == ["Import mbox terminé"]
    proxy.set_search_text("traite newsletters")
    assert titles(proxy) == ['Règle "Newsletters" exécutée']
    proxy.set_search_text("  ")
    assert len(titles(proxy)) == 3
    assert fold("Ÿ ÉTÉ ß") == "y ete ss"


def test_type_filter_and_live_updates(
    store: NotificationStore, proxy: NotificationFilterProxy, qtmodeltester: Any
) -> None:
    store.apply_first_page(page([make(3, kind="job_failed"), make(2), make(1, kind="job_failed")]))
    qtmodeltester.check(proxy)
    proxy.set_type_filter("job_failed")
    assert titles(proxy) == ["Import 3", "Import 1"]
    store.upsert(make(4, kind="job_failed"))
    store.upsert(make(5))
    assert titles(proxy) == ["Import 4", "Import 3", "Import 1"]
    store.remove(make(3).id)
    store.apply_first_page(page([make(n, kind="job_failed") for n in range(200, 0, -1)], limit=500))
    store.remove_read()
    store.mark_all_read()
    store.remove_read()
    proxy.set_type_filter(None)
    assert titles(proxy) == []
    store.upsert(make(7))
    assert titles(proxy) == ["Import 7"]


def test_proxy_does_not_fetch_more_while_filtering(
    store: NotificationStore, proxy: NotificationFilterProxy
) -> None:
    store.apply_first_page(page([make(n) for n in range(5, 0, -1)]))
    assert proxy.canFetchMore(QModelIndex())
    proxy.set_search_text("import")
    assert not proxy.canFetchMore(QModelIndex())
    assert proxy.is_filtering and proxy.search_text == "import"
    proxy.set_search_text("")
    proxy.set_type_filter("weekly_report")
    assert not proxy.canFetchMore(QModelIndex())


def test_time_texts(qapp: Any) -> None:
    now = datetime(2025, 3, 12, 15, 30, tzinfo=UTC)
    assert relative_time_text(now - timedelta(minutes=2), now) == "2 min ago"
    assert relative_time_text(now - timedelta(seconds=5), now) == "just now"
    assert relative_time_text(now - timedelta(hours=3), now) == "3 h ago"
    assert relative_time_text(now - timedelta(days=3), now) == "3 days ago"
    assert "2024" in relative_time_text(datetime(2024, 1, 5, tzinfo=UTC), now)
    assert "2025" in exact_time_text(now)
