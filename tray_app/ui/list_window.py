"""The notification list window: list, filters, detail panel and status banners.

Built the first time the user opens it and then only hidden on close, so an idle tray
app stays small. It never talks to the network: every user action is emitted as an
intent signal that the composition root connects to the sync service and the outbox.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tray_app.api.models import Notification
from tray_app.models.notification_list_model import (
    NotificationFilterProxy,
    NotificationListModel,
    NotificationRole,
)
from tray_app.models.time_text import Clock, exact_time_text, utc_now
from tray_app.ui.detail_panel import DetailPanel
from tray_app.ui.list_toolbar import ListToolbar
from tray_app.ui.notification_delegate import IconProvider, NotificationDelegate, category_icon

_log = logging.getLogger(__name__)

STATES = frozenset({"loading", "ready", "offline", "error"})
_GEOMETRY_DELAY_MS = 500
_TIME_REFRESH_MS = 60_000
# Tinted, theme-neutral backgrounds (translucent, so they work on light and dark themes).
_BANNER_STYLE = {
    False: "#statusBanner { background: rgba(230, 170, 0, 0.22);"
    " border: 1px solid rgba(180, 130, 0, 0.6); border-radius: 4px; }",
    True: "#statusBanner { background: rgba(220, 50, 50, 0.18);"
    " border: 1px solid rgba(180, 40, 40, 0.6); border-radius: 4px; }",
}
_MARK_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space})


class NotificationWindow(QWidget):
    """The list of notifications with its actions.

    Signals:
        mark_read_requested(str): mark this notification read (row clicked, Enter/Space).
        delete_requested(str): delete this notification (hover button, Delete key, menu).
        mark_all_read_requested(): mark every notification read.
        delete_read_requested(): delete every read notification on the server (confirmed).
        refresh_requested(): fetch the first page again now.
        unread_only_changed(bool): the server-side "unread only" filter was switched.
        retry_requested(): the user pressed Retry on the offline/error banner.
        geometry_changed(bytes): the window moved or was resized (``saveGeometry()``).
    """

    mark_read_requested = Signal(str)
    delete_requested = Signal(str)
    mark_all_read_requested = Signal()
    delete_read_requested = Signal()
    refresh_requested = Signal()
    unread_only_changed = Signal(bool)
    retry_requested = Signal()
    geometry_changed = Signal(bytes)

    def __init__(
        self,
        model: NotificationListModel,
        parent: QWidget | None = None,
        *,
        clock: Clock = utc_now,
        icon_provider: IconProvider = category_icon,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._model = model
        self._state = "ready"
        self._confirm_box: QMessageBox | None = None
        self.context_menu: QMenu | None = None
        self.proxy = NotificationFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.toolbar = ListToolbar(self)
        self.delegate = NotificationDelegate(self, clock=clock, icon_provider=icon_provider)
        self.view = self._make_view()
        self.detail = DetailPanel(self, clock=clock)
        self._build_banner()
        self._build_layout()
        self._connect()
        self._geometry_timer = QTimer(self, singleShot=True, interval=_GEOMETRY_DELAY_MS)
        self._geometry_timer.timeout.connect(self._emit_geometry)
        self._time_timer = QTimer(self, interval=_TIME_REFRESH_MS)
        self._time_timer.timeout.connect(self._on_time_timer_timeout)
        self._update_title(model.store.unread_count)
        self.resize(760, 560)
        self.set_state("ready")

    # ------------------------------------------------------------ building

    def _make_view(self) -> QListView:
        view = QListView(self)
        view.setModel(self.proxy)
        view.setItemDelegate(self.delegate)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Rows share one height except the expanded (selected) one, so sizes are not
        # uniform; batched layout keeps the event loop free while 10,000 rows are laid out.
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(200)
        view.setMouseTracking(True)
        view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setAccessibleName(self.tr("Notifications"))
        view.installEventFilter(self)
        return view

    def _build_banner(self) -> None:
        self.banner = QFrame(self)
        self.banner.setObjectName("statusBanner")
        self.banner.setAccessibleName(self.tr("Connection status"))
        self.banner_label = QLabel(self.banner)
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_label.setWordWrap(True)
        self.banner_label.setAccessibleName(self.tr("Status message"))
        self.retry_button = QPushButton(self.tr("Retry"), self.banner)
        self.retry_button.setAccessibleName(self.tr("Retry"))
        layout = QHBoxLayout(self.banner)
        layout.addWidget(self.banner_label, 1)
        layout.addWidget(self.retry_button)

    def _build_layout(self) -> None:
        self.placeholder = QLabel(self)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName(self.tr("List status"))
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.placeholder)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([450, 310])
        splitter.setChildrenCollapsible(False)
        splitter.setAccessibleName(self.tr("List and details"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        bar = self.toolbar
        bar.mark_all_read_clicked.connect(self.mark_all_read_requested)
        bar.delete_read_clicked.connect(self._confirm_delete_read)
        bar.refresh_clicked.connect(self.refresh_requested)
        bar.unread_only_toggled.connect(self.unread_only_changed)
        bar.type_filter_changed.connect(self.proxy.set_type_filter)
        bar.search_changed.connect(self.proxy.set_search_text)
        self.retry_button.clicked.connect(self.retry_requested)
        self.delegate.row_clicked.connect(self._on_delegate_row_clicked)
        self.delegate.delete_clicked.connect(self.delete_requested)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(self._update_placeholder)
        self.proxy.modelReset.connect(self._update_placeholder)
        self.proxy.layoutChanged.connect(self._update_placeholder)
        self.proxy.dataChanged.connect(self._on_proxy_data_changed)
        self._model.unread_count_changed.connect(self._update_title)
        QShortcut(QKeySequence.StandardKey.Find, self, self.toolbar.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)

    # ------------------------------------------------------------ public API

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str, message: str = "", last_sync: datetime | None = None) -> None:
        """Show the sync state: ``loading``, ``ready``, ``offline`` or ``error``.

        ``message`` is the reason shown with ``error``; ``last_sync`` the time of the
        last successful sync, shown with ``offline``. Loaded rows stay visible.
        """
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        self._state = state
        if state == "offline":
            when = exact_time_text(last_sync) if last_sync else self.tr("never")
            text = self.tr("Offline. Showing the notifications of the last sync (%1).")
            self.banner_label.setText(text.replace("%1", when))
        elif state == "error":
            text = self.tr("Could not load notifications: %1")
            self.banner_label.setText(text.replace("%1", message or self.tr("unknown error")))
        self.banner.setVisible(state in ("offline", "error"))
        self.toolbar.refresh_button.setEnabled(state != "loading")
        self.banner.setStyleSheet(_BANNER_STYLE[state == "error"])
        self._update_placeholder()

    def select_notification(self, notification_id: str) -> bool:
        """Select and show a loaded notification (clearing filters that hide it).

        Returns False when it is not loaded.
        """
        row = self._model.row_of(notification_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self._model.index(row))
        if not index.isValid():
            self.toolbar.clear_filters()
            index = self.proxy.mapFromSource(self._model.index(row))
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return index.isValid()

    def set_unread_only(self, unread_only: bool) -> None:
        """Reflect the saved "unread only" setting without emitting ``unread_only_changed``."""
        self.toolbar.set_unread_only(unread_only)

    def restore_geometry(self, data: bytes) -> bool:
        """Restore a geometry saved from ``geometry_changed``; False if unusable."""
        return bool(data) and self.restoreGeometry(QByteArray(data))

    def current_notification(self) -> Notification | None:
        value = self.view.currentIndex().data(NotificationRole.Notification)
        return value if isinstance(value, Notification) else None

    # ------------------------------------------------------------ events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and self._on_view_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    def _on_view_key(self, event: QKeyEvent) -> bool:
        current = self.current_notification()
        if current is None or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if event.key() in _MARK_KEYS:
            if not current.is_read:
                self.mark_read_requested.emit(current.id)
            return True
        if event.key() == Qt.Key.Key_Delete:
            self.delete_requested.emit(current.id)
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        # Hidden, not destroyed: the caller keeps the window for the next opening.
        event.accept()
        self.hide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._time_timer.start()
        self.view.viewport().update()
        self.detail.refresh_times()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._time_timer.stop()
        if self._geometry_timer.isActive():
            self._geometry_timer.stop()
        self._emit_geometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._geometry_timer.start()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if self.isVisible():
            self._geometry_timer.start()

    # ------------------------------------------------------------ slots

    def _on_escape(self) -> None:
        """Esc clears a search being typed, otherwise closes (hides) the window."""
        search = self.toolbar.search_edit
        if search.hasFocus() and search.text():
            search.clear()
        else:
            self.close()

    def _emit_geometry(self) -> None:
        self.geometry_changed.emit(bytes(self.saveGeometry().data()))

    def _on_time_timer_timeout(self) -> None:
        self.view.viewport().update()
        self.detail.refresh_times()

    def _update_title(self, unread: int) -> None:
        title = self.tr("Notifications")
        if unread:
            title = self.tr("Notifications (%n unread)", "", unread)
        self.setWindowTitle(title)
        self.toolbar.mark_all_button.setEnabled(unread > 0)

    def _update_placeholder(self) -> None:
        has_rows = self.proxy.rowCount() > 0
        self.detail.setVisible(has_rows)
        if has_rows:
            self._stack.setCurrentWidget(self.view)
            return
        if self._state == "loading" and self._model.rowCount() == 0:
            text = self.tr("Loading…")
        elif self.proxy.is_filtering and self._model.rowCount() > 0:
            text = self.tr("No loaded notification matches the filter.")
        elif self.toolbar.unread_only_box.isChecked():
            text = self.tr("No unread notifications")
        else:
            text = self.tr("No notifications")
        self.placeholder.setText(text)
        self._stack.setCurrentWidget(self.placeholder)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.delegate.set_expanded(current)
        self.detail.show_notification(self.current_notification())

    def _on_proxy_data_changed(self, first: QModelIndex, last: QModelIndex) -> None:
        current = self.view.currentIndex()
        if current.isValid() and first.row() <= current.row() <= last.row():
            self.detail.show_notification(self.current_notification())

    def _on_delegate_row_clicked(self, notification_id: str) -> None:
        row = self._model.row_of(notification_id)
        notification = self._model.notification(row) if row is not None else None
        if notification is not None and not notification.is_read:
            self.mark_read_requested.emit(notification_id)

    def _confirm_delete_read(self) -> None:
        if self._confirm_box is not None:
            self._confirm_box.raise_()
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Delete read notifications"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("Delete ALL read notifications?"))
        box.setInformativeText(
            self.tr(
                "This deletes every read notification on the server, not only the ones "
                "shown here: also those not loaded yet or hidden by a filter. "
                "It cannot be undone."
            )
        )
        delete = box.addButton(self.tr("Delete read"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAccessibleName(self.tr("Confirm deletion of read notifications"))
        box.finished.connect(lambda _result: self._on_confirm_finished(box, delete))
        self._confirm_box = box
        box.open()  # window-modal and non-blocking: no nested event loop

    def _on_confirm_finished(self, box: QMessageBox, delete: QPushButton) -> None:
        self._confirm_box = None
        box.deleteLater()
        if box.clickedButton() is delete:
            self.delete_read_requested.emit()

    def _on_view_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        notification = index.data(NotificationRole.Notification)
        if not isinstance(notification, Notification):
            return
        menu = QMenu(self)
        menu.setAccessibleName(self.tr("Notification actions"))
        mark = menu.addAction(self.tr("Mark as read"))
        mark.setEnabled(not notification.is_read)
        mark.triggered.connect(lambda: self.mark_read_requested.emit(notification.id))
        delete = menu.addAction(self.tr("Delete"))
        delete.triggered.connect(lambda: self.delete_requested.emit(notification.id))
        copy = menu.addAction(self.tr("Copy text"))
        copy.triggered.connect(lambda: self._copy_text(notification))
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _copy_text(self, notification: Notification) -> None:
        parts = [
            notification.title,
            notification.body or "",
            exact_time_text(notification.created_at),
        ]
        QGuiApplication.clipboard().setText("\n".join(part for part in parts if part))
