"""A small horizontal bar chart of the weekly report's ``topSenders``.

Painted with QPainter (Qt Charts is not part of the app's Qt modules, and a handful of
bars do not need it). Sender addresses are drawn with ``drawText``, never as rich text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

#: The report lists at most a handful of senders; more would not fit a side panel.
MAX_SENDERS = 10


def parse_top_senders(data: Mapping[str, Any] | None) -> list[tuple[str, int]]:
    """``data["topSenders"]`` as ``(sender, count)`` pairs, dropping malformed entries."""
    raw = (data or {}).get("topSenders")
    if not isinstance(raw, list):
        return []
    senders = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        sender, count = entry.get("sender"), entry.get("count")
        if isinstance(sender, str) and isinstance(count, int) and not isinstance(count, bool):
            senders.append((sender, max(0, count)))
    return senders[:MAX_SENDERS]


class TopSendersChart(QWidget):
    """Bars of mail counts per sender: the sender, a bar scaled to the largest count,
    and the count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._senders: tuple[tuple[str, int], ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Top senders"))

    def senders(self) -> tuple[tuple[str, int], ...]:
        return self._senders

    def set_senders(self, senders: Sequence[tuple[str, int]]) -> None:
        """Show these ``(sender, count)`` pairs, in the given order."""
        self._senders = tuple(senders[:MAX_SENDERS])
        lines = [self.tr("%1: %2").replace("%1", s).replace("%2", str(c)) for s, c in senders]
        self.setAccessibleDescription("; ".join(lines))
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return QFontMetrics(self.font()).height() + 6

    def sizeHint(self) -> QSize:
        return QSize(240, max(1, len(self._senders)) * self._row_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._senders:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._paint_bars(painter)
        finally:
            painter.end()

    def _paint_bars(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        width, row = self.width(), self._row_height()
        counts = [str(count) for _, count in self._senders]
        count_w = max(metrics.horizontalAdvance(c) for c in counts) + 6
        label_w = min(
            int(width * 0.45), max(metrics.horizontalAdvance(s) for s, _ in self._senders) + 8
        )
        bar_left, bar_space = label_w, max(1, width - label_w - count_w)
        largest = max(count for _, count in self._senders) or 1
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        bar_color = self.palette().color(QPalette.ColorRole.Highlight)
        left_mid = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for number, (sender, count) in enumerate(self._senders):
            top = number * row
            painter.setPen(text_color)
            label = metrics.elidedText(sender, Qt.TextElideMode.ElideMiddle, label_w - 8)
            painter.drawText(QRect(0, top, label_w - 8, row), int(left_mid), label)
            bar_w = max(2.0, bar_space * count / largest) if count else 0.0
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bar_color)
            painter.drawRoundedRect(QRectF(bar_left, top + 3, bar_w, row - 6), 2, 2)
            painter.setPen(text_color)
            count_rect = QRect(int(bar_left + bar_w) + 4, top, count_w, row)
            painter.drawText(count_rect, int(left_mid), str(count))
