"""The detail area of the list window: the selected notification in full.

Everything from the server is shown as plain text (labels forced to ``Qt.PlainText``),
so a title such as ``<b>x</b>`` or ``<script>`` shows its characters, never markup.
Of ``data`` only what matters to a person is shown: a job's counts, a weekly report's
numbers with its top senders as a chart; job ids and other internals are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tray_app.api.models import Notification
from tray_app.models.categories import category_label
from tray_app.models.time_text import Clock, exact_time_text, relative_time_text, utc_now
from tray_app.ui.top_senders_chart import TopSendersChart, parse_top_senders

_JOB_TYPES = frozenset({"job_completed", "job_failed", "rule_executed"})
_HIDDEN_KEYS = frozenset({"jobId", "ruleId", "userId", "id", "topSenders"})


def format_size(size: int) -> str:
    """A byte count for people, in binary units, with translatable unit names."""
    units = (
        QCoreApplication.translate("Sizes", "%1 B"),
        QCoreApplication.translate("Sizes", "%1 KB"),
        QCoreApplication.translate("Sizes", "%1 MB"),
        QCoreApplication.translate("Sizes", "%1 GB"),
        QCoreApplication.translate("Sizes", "%1 TB"),
    )
    value, unit = float(max(0, size)), 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    number = QLocale().toString(int(value)) if unit == 0 else QLocale().toString(value, "f", 1)
    return units[unit].replace("%1", number)


def _plain_label(text: str = "", *, wrap: bool = True, selectable: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _emphasized(font: QFont, scale: float = 1.0) -> QFont:
    """A bold copy of ``font``, optionally larger."""
    bold = QFont(font)
    bold.setBold(True)
    if scale != 1.0 and bold.pointSizeF() > 0:
        bold.setPointSizeF(bold.pointSizeF() * scale)
    return bold


def _number(value: Any) -> str | None:
    """A count for display, or None when ``value`` is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return QLocale().toString(value)


def _humanize(key: str) -> str:
    """``usedBytes`` -> ``Used bytes``, for keys of free-form ``data``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", " ", key).split()
    return " ".join(words).capitalize()


class DetailPanel(QScrollArea):
    """Shows one notification: title, category and time, full body, facts, chart."""

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = utc_now) -> None:
        super().__init__(parent)
        self._clock = clock
        self._notification: Notification | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(self.tr("Notification details"))
        self._placeholder = _plain_label(self.tr("Select a notification to see it in full."))
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title = _plain_label()
        self._title.setFont(_emphasized(self._title.font(), 1.15))
        self._meta = _plain_label()
        self._time = _plain_label()
        self._body = _plain_label()
        self._facts_box = QWidget()
        self._facts = QFormLayout(self._facts_box)
        self._facts.setContentsMargins(0, 0, 0, 0)
        self._chart_caption = _plain_label(self.tr("Top senders"), selectable=False)
        self._chart_caption.setFont(_emphasized(self._chart_caption.font()))
        self._chart = TopSendersChart()
        self._set_accessible_names()
        self.setWidget(self._lay_out())
        self.show_notification(None)

    def _lay_out(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        for label in (self._placeholder, self._title, self._meta, self._time):
            layout.addWidget(label)
        for widget in (self._body, self._facts_box, self._chart_caption):
            layout.addSpacing(6)
            layout.addWidget(widget)
        layout.addWidget(self._chart)
        layout.addStretch(1)
        return content

    def _set_accessible_names(self) -> None:
        self._placeholder.setAccessibleName(self.tr("No notification selected"))
        self._title.setAccessibleName(self.tr("Title"))
        self._meta.setAccessibleName(self.tr("Category"))
        self._time.setAccessibleName(self.tr("Time"))
        self._body.setAccessibleName(self.tr("Text"))
        self._facts_box.setAccessibleName(self.tr("Details"))
        self._chart_caption.setAccessibleName(self.tr("Top senders"))

    @property
    def notification(self) -> Notification | None:
        """The notification shown, or None."""
        return self._notification

    @property
    def chart(self) -> TopSendersChart:
        return self._chart

    def show_notification(self, notification: Notification | None) -> None:
        """Show ``notification`` (None: the "select a notification" hint)."""
        self._notification = notification
        has = notification is not None
        self._placeholder.setVisible(not has)
        for widget in (self._title, self._meta, self._time, self._body):
            widget.setVisible(has)
        self._fill_facts(notification)
        senders = parse_top_senders(notification.data) if notification is not None else []
        self._chart.set_senders(senders)
        self._chart.setVisible(bool(senders))
        self._chart_caption.setVisible(bool(senders))
        if notification is None:
            return
        self._title.setText(notification.title)
        self._meta.setText(self._meta_text(notification))
        self._time.setText(self._time_text(notification))
        self._body.setText(notification.body or "")
        self._body.setVisible(bool(notification.body))

    def refresh_times(self) -> None:
        """Re-word the relative time (called periodically while visible)."""
        if self._notification is not None:
            self._time.setText(self._time_text(self._notification))

    def facts(self) -> list[tuple[str, str]]:
        """The label/value pairs shown, in order (for tests and accessibility)."""
        pairs = []
        for row in range(self._facts.rowCount()):
            label = self._facts.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self._facts.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None:
                label_widget, field_widget = label.widget(), field.widget()
                if isinstance(label_widget, QLabel) and isinstance(field_widget, QLabel):
                    pairs.append((label_widget.text(), field_widget.text()))
        return pairs

    def _meta_text(self, notification: Notification) -> str:
        state = self.tr("Read") if notification.is_read else self.tr("Unread")
        return f"{category_label(notification.type)} · {state}"

    def _time_text(self, notification: Notification) -> str:
        when = relative_time_text(notification.created_at, self._clock())
        return f"{exact_time_text(notification.created_at)} ({when})"

    def _fill_facts(self, notification: Notification | None) -> None:
        while self._facts.rowCount():
            self._facts.removeRow(0)
        pairs = self._describe(notification) if notification is not None else []
        for label, value in pairs:
            value_label = _plain_label(value, wrap=True)
            value_label.setAccessibleName(label)
            self._facts.addRow(_plain_label(label, wrap=False, selectable=False), value_label)
        self._facts_box.setVisible(bool(pairs))

    def _describe(self, notification: Notification) -> list[tuple[str, str]]:
        data: Mapping[str, Any] = notification.data or {}
        if notification.type == "weekly_report":
            return self._report_facts(data)
        if notification.type in _JOB_TYPES:
            return self._job_facts(data)
        return _generic_facts(data)

    def _job_facts(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        labels = {
            "imported": self.tr("Imported"),
            "skipped": self.tr("Skipped"),
            "errors": self.tr("Errors"),
            "count": self.tr("Mails"),
        }
        pairs = [(labels[k], v) for k in labels if (v := _number(data.get(k))) is not None]
        for key, label in (("ruleName", self.tr("Rule")), ("action", self.tr("Action"))):
            value = data.get(key)
            if isinstance(value, str) and value:
                pairs.append((label, value))
        return pairs

    def _report_facts(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        labels = {
            "jobsCompleted": self.tr("Jobs completed"),
            "jobsFailed": self.tr("Jobs failed"),
            "mailsArchived": self.tr("Mails archived"),
            "rulesExecuted": self.tr("Rules executed"),
        }
        pairs = [(labels[k], v) for k in labels if (v := _number(data.get(k))) is not None]
        size = data.get("archiveSizeBytes")
        if isinstance(size, int | float) and not isinstance(size, bool):
            pairs.append((self.tr("Archive size"), format_size(int(size))))
        return pairs


def _generic_facts(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Scalar entries of free-form ``data`` (quota, integrity, unknown types)."""
    pairs = []
    for key, value in data.items():
        if key in _HIDDEN_KEYS or isinstance(value, dict | list) or value is None:
            continue
        pairs.append((_humanize(key), _scalar_text(key, value)))
    return [(label, text) for label, text in pairs if text]


def _scalar_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        if value:
            return QCoreApplication.translate("DetailPanel", "Yes")
        return QCoreApplication.translate("DetailPanel", "No")
    if isinstance(value, int | float) and key.lower().endswith("bytes"):
        return format_size(int(value))
    number = _number(value)
    return number if number is not None else str(value)
