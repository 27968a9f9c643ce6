"""The list model of notifications over the store, and its type/search filter proxy.

:class:`NotificationListModel` is a thin Qt face of
:class:`tray_app.core.store.NotificationStore`: it holds no rows of its own and turns the
store's change events into ``beginInsertRows``/``endInsertRows`` and friends, so views keep
their selection and scroll position across merges. Older pages load lazily through
``canFetchMore``/``fetchMore``: the model only asks (``fetch_more_requested``); the code
that owns the network fetches the page and hands it to the store.
"""

from __future__ import annotations

import html
import unicodedata
from enum import IntEnum
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from tray_app.api.models import Notification
from tray_app.core.store import NotificationStore, StoreListener
from tray_app.models.categories import category_label
from tray_app.models.time_text import exact_time_text, relative_time_text

_ModelIndex = QModelIndex | QPersistentModelIndex
_USER_ROLE = Qt.ItemDataRole.UserRole.value


class NotificationRole(IntEnum):
    """Data roles of :class:`NotificationListModel` (after ``Qt.UserRole``)."""

    Id = _USER_ROLE + 1
    Type = _USER_ROLE + 2
    Title = _USER_ROLE + 3
    Body = _USER_ROLE + 4
    Data = _USER_ROLE + 5
    IsRead = _USER_ROLE + 6
    CreatedAt = _USER_ROLE + 7
    Notification = _USER_ROLE + 8


def _value(notification: Notification, role: int) -> Any:
    """The value of one custom role."""
    match role:
        case NotificationRole.Notification:
            return notification
        case NotificationRole.Id:
            return notification.id
        case NotificationRole.Type:
            return notification.type
        case NotificationRole.Title:
            return notification.title
        case NotificationRole.Body:
            return notification.body or ""
        case NotificationRole.Data:
            return dict(notification.data or {})
        case NotificationRole.IsRead:
            return notification.is_read
        case NotificationRole.CreatedAt:
            return notification.created_at
    return None


def tooltip_html(notification: Notification) -> str:
    """The full text and exact time, escaped.

    Qt renders a tooltip as rich text when it merely *looks* like HTML, so server text is
    escaped and wrapped explicitly rather than passed through as "plain" text.
    """
    parts = [notification.title, notification.body or "", exact_time_text(notification.created_at)]
    text = "\n".join(part for part in parts if part)
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


class NotificationListModel(QAbstractListModel):
    """One row per loaded notification, in the store's order (newest first).

    Signals:
        fetch_more_requested(): the view reached the end and the server has older rows;
            load the next page into the store (``store.next_page(limit)``).
        unread_count_changed(int): the store's server-wide unread count changed.
    """

    fetch_more_requested = Signal()
    unread_count_changed = Signal(int)

    def __init__(self, store: NotificationStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._fetching = False
        self._listener = _ModelListener(self)
        store.add_listener(self._listener)
        listener = self._listener
        # The store outlives a model destroyed by its Qt parent: stop sending it events.
        self.destroyed.connect(lambda: store.remove_listener(listener))

    @property
    def store(self) -> NotificationStore:
        """The store this model shows."""
        return self._store

    def detach(self) -> None:
        """Stop following the store (before dropping the model)."""
        self._store.remove_listener(self._listener)

    def notification(self, row: int) -> Notification | None:
        """The notification at ``row``, or None when out of range."""
        return self._store.row(row) if 0 <= row < len(self._store) else None

    def row_of(self, notification_id: str) -> int | None:
        """The row of a loaded notification, or None."""
        return self._store.index_of(notification_id)

    def fetch_failed(self) -> None:
        """Let the view ask again for more rows after a failed page load."""
        self._fetching = False

    # ------------------------------------------------------------ Qt interface

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._store)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        notification = self.notification(index.row()) if index.isValid() else None
        if notification is None:
            return None
        if role >= NotificationRole.Id:
            return _value(notification, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return notification.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_html(notification)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible_text(notification)
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in NotificationRole:
            names[role.value] = QByteArray((role.name[0].lower() + role.name[1:]).encode())
        return names

    def canFetchMore(self, parent: _ModelIndex) -> bool:
        return not parent.isValid() and self._store.has_more and not self._fetching

    def fetchMore(self, parent: _ModelIndex) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_more_requested.emit()

    def _accessible_text(self, notification: Notification) -> str:
        state = self.tr("Read") if notification.is_read else self.tr("Unread")
        parts = [
            state,
            category_label(notification.type),
            notification.title,
            notification.body or "",
            relative_time_text(notification.created_at),
        ]
        return ". ".join(part for part in parts if part)

    def _on_page_applied(self) -> None:
        self._fetching = False


class _ModelListener(StoreListener):
    """Forwards store events to the model (kept apart: Qt owns names like ``reset``)."""

    def __init__(self, model: NotificationListModel) -> None:
        self._model = model

    def about_to_insert(self, first: int, last: int) -> None:
        self._model.beginInsertRows(QModelIndex(), first, last)

    def inserted(self) -> None:
        self._model.endInsertRows()

    def about_to_remove(self, first: int, last: int) -> None:
        self._model.beginRemoveRows(QModelIndex(), first, last)

    def removed(self) -> None:
        self._model.endRemoveRows()

    def changed(self, first: int, last: int) -> None:
        model = self._model
        model.dataChanged.emit(model.index(first), model.index(last))

    def about_to_reset(self) -> None:
        self._model.beginResetModel()

    def reset(self) -> None:
        self._model.endResetModel()

    def unread_changed(self, count: int) -> None:
        self._model.unread_count_changed.emit(count)

    def page_applied(self, has_more: bool) -> None:
        self._model._on_page_applied()


@lru_cache(maxsize=32_768)
def fold(text: str) -> str:
    """``text`` without case or accents, so that "equipe" finds "Équipe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class NotificationFilterProxy(QSortFilterProxyModel):
    """Filters the loaded rows by category and by words of the title and body.

    Every word of the search must appear (case and accents ignored). The filter works
    on loaded rows only; while it is active the proxy does not ask for older pages,
    since a view showing few matches would otherwise pull every page from the server.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._type: str | None = None
        self._words: tuple[str, ...] = ()

    @property
    def type_filter(self) -> str | None:
        return self._type

    @property
    def search_text(self) -> str:
        return " ".join(self._words)

    @property
    def is_filtering(self) -> bool:
        """Whether a category or search filter hides rows."""
        return self._type is not None or bool(self._words)

    def set_type_filter(self, notification_type: str | None) -> None:
        """Show only ``notification_type`` (None: every category)."""
        if notification_type != self._type:
            self.beginFilterChange()
            self._type = notification_type
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search_text(self, text: str) -> None:
        """Show only rows whose title or body contain every word of ``text``."""
        words = tuple(fold(text).split())
        if words != self._words:
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _ModelIndex) -> bool:
        if not self.is_filtering:
            return True
        source = self.sourceModel()
        if isinstance(source, NotificationListModel):
            notification = source.notification(source_row)  # skips data()'s role dispatch
        else:
            notification = source.data(
                source.index(source_row, 0, source_parent), NotificationRole.Notification
            )
        if not isinstance(notification, Notification):
            return False
        if self._type is not None and notification.type != self._type:
            return False
        haystack = fold(notification.title) + "\n" + fold(notification.body or "")
        return all(word in haystack for word in self._words)

    def canFetchMore(self, parent: _ModelIndex) -> bool:
        return not self.is_filtering and super().canFetchMore(parent)
