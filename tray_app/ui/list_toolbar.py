"""The list window's controls: bulk actions on one row, filters and search on the next."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tray_app.api.models import KNOWN_TYPES
from tray_app.models.categories import category_label


class ListToolbar(QWidget):
    """Buttons and filters above the list. Only reports what the user did.

    Signals:
        mark_all_read_clicked(): "Mark all as read" was pressed.
        delete_read_clicked(): "Delete read" was pressed (not yet confirmed).
        refresh_clicked(): "Refresh" was pressed.
        unread_only_toggled(bool): the user switched "Unread only".
        type_filter_changed(object): a category (str) or None for all categories.
        search_changed(str): the search text changed.
    """

    mark_all_read_clicked = Signal()
    delete_read_clicked = Signal()
    refresh_clicked = Signal()
    unread_only_toggled = Signal(bool)
    type_filter_changed = Signal(object)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mark_all_button = QPushButton(self.tr("Mark all as read"))
        self.delete_read_button = QPushButton(self.tr("Delete read…"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.unread_only_box = QCheckBox(self.tr("Unread only"))
        self.type_combo = QComboBox()
        self.search_edit = QLineEdit()
        self._fill_types()
        self.search_edit.setPlaceholderText(self.tr("Search loaded notifications (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self._name_controls()
        self._lay_out()
        self.mark_all_button.clicked.connect(self.mark_all_read_clicked)
        self.delete_read_button.clicked.connect(self.delete_read_clicked)
        self.refresh_button.clicked.connect(self.refresh_clicked)
        self.unread_only_box.toggled.connect(self.unread_only_toggled)
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_changed)
        self.search_edit.textChanged.connect(self.search_changed)

    def _name_controls(self) -> None:
        self.mark_all_button.setAccessibleName(self.tr("Mark all as read"))
        self.delete_read_button.setAccessibleName(self.tr("Delete all read notifications"))
        self.delete_read_button.setToolTip(
            self.tr("Deletes every read notification on the server, after confirmation")
        )
        self.refresh_button.setAccessibleName(self.tr("Refresh"))
        self.unread_only_box.setAccessibleName(self.tr("Show unread notifications only"))
        self.type_combo.setAccessibleName(self.tr("Category filter"))
        self.search_edit.setAccessibleName(self.tr("Search"))
        # The line edit's own clear button is a tool button with no name of its own.
        for button in self.search_edit.findChildren(QToolButton):
            button.setAccessibleName(self.tr("Clear search"))

    def _fill_types(self) -> None:
        self.type_combo.addItem(self.tr("All categories"), None)
        for kind in KNOWN_TYPES:
            self.type_combo.addItem(category_label(kind), kind)

    def _lay_out(self) -> None:
        actions = QHBoxLayout()
        for button in (self.mark_all_button, self.delete_read_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        filters = QHBoxLayout()
        filters.addWidget(self.unread_only_box)
        filters.addWidget(self.type_combo)
        filters.addWidget(self.search_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(actions)
        layout.addLayout(filters)

    def focus_search(self) -> None:
        """Put the keyboard in the search box, its text selected."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def set_unread_only(self, checked: bool) -> None:
        """Reflect the setting without reporting it as a user action."""
        blocked = self.unread_only_box.blockSignals(True)
        self.unread_only_box.setChecked(checked)
        self.unread_only_box.blockSignals(blocked)

    def clear_filters(self) -> None:
        """Show every category and clear the search (reported through the signals)."""
        self.type_combo.setCurrentIndex(0)
        self.search_edit.clear()

    def _on_type_combo_changed(self, index: int) -> None:
        kind = self.type_combo.itemData(index)
        self.type_filter_changed.emit(kind if isinstance(kind, str) else None)
