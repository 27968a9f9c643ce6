"""Paints one notification row and turns clicks on it into intents.

No widget per row: with 10,000 rows a widget each would cost megabytes and seconds. The
delegate paints a category icon, the title (bold with a dot when unread), the body elided
to two lines (in full for the expanded row), the relative time, and a delete button on
hover. Every text is drawn with ``QPainter.drawText`` or ``QTextLayout``, which never
interpret markup: server text stays plain text.

Sizes derive from the font's metrics and icons are painted through ``QIcon.paint``, so
rows scale with the font and stay sharp on HiDPI screens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QIcon,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from tray_app.api.models import Notification
from tray_app.models.notification_list_model import NotificationRole
from tray_app.models.time_text import Clock, relative_time_text, utc_now
from tray_app.resources import resource_path

_log = logging.getLogger(__name__)

_ModelIndex = QModelIndex | QPersistentModelIndex
_SAFE_TYPE = re.compile(r"[a-z0-9_]{1,64}")
IconProvider = Callable[[str], QIcon | None]


def category_icon(notification_type: str) -> QIcon | None:
    """The SVG icon of a category, the generic one for unknown types, None if both lack.

    The type comes from the server: anything but a plain identifier gets the generic
    icon, so that a crafted type such as ``../../x`` cannot point outside the icons.
    """
    safe = _SAFE_TYPE.fullmatch(notification_type) is not None
    for name in (notification_type, "generic") if safe else ("generic",):
        try:
            path = resource_path("icons", "categories", f"{name}.svg")
        except FileNotFoundError:
            _log.warning("no resources directory: categories are drawn without icons")
            return None
        if path.is_file():
            icon = QIcon(str(path))
            if not icon.isNull():
                return icon
        _log.debug("no usable icon at %s", path)
    return None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Row geometry for one font, in logical pixels."""

    pad: int
    icon: int
    line: int
    small_line: int
    button: int
    height: int


class NotificationDelegate(QStyledItemDelegate):
    """Paints notification rows and reports clicks on them.

    Signals:
        row_clicked(str): a row was clicked with the left button, not on its delete
            button (notification id). The view's own ``clicked`` fires for both.
        delete_clicked(str): the delete button painted on the hovered row was clicked.
    """

    row_clicked = Signal(str)
    delete_clicked = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Clock = utc_now,
        icon_provider: IconProvider = category_icon,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._icon_provider = icon_provider
        self._icons: dict[str, QIcon | None] = {}
        self._layouts: dict[str, _Layout] = {}
        self._expanded = QPersistentModelIndex()

    # ------------------------------------------------------------ expansion

    def set_expanded(self, index: _ModelIndex) -> None:
        """Show the full text of ``index``'s row (an invalid index: of no row)."""
        previous = _plain(self._expanded)
        self._expanded = QPersistentModelIndex(index)
        if previous.isValid():
            self.sizeHintChanged.emit(previous)
        if index.isValid():
            self.sizeHintChanged.emit(_plain(self._expanded))

    def is_expanded(self, index: _ModelIndex) -> bool:
        expanded = self._expanded
        return (
            expanded.isValid()
            and expanded.row() == index.row()
            and expanded.model() is index.model()
        )

    # ------------------------------------------------------------ geometry

    def _layout(self, font: QFont) -> _Layout:
        key = font.key()
        cached = self._layouts.get(key)
        if cached is None:
            line = QFontMetrics(font).height()
            small_line = QFontMetrics(_small(font)).height()
            pad = max(6, line // 2)
            height = pad + line + 2 * line + pad + 2
            cached = _Layout(pad, 2 * line, line, small_line, line + 8, height)
            self._layouts[key] = cached
        return cached

    def delete_button_rect(self, rect: QRect, font: QFont) -> QRect:
        """Where the delete button of a row occupying ``rect`` is painted."""
        geo = self._layout(font)
        top = rect.top() + geo.pad + geo.line + (2 * geo.line - geo.button) // 2
        return QRect(rect.right() - geo.pad - geo.button, top, geo.button, geo.button)

    def sizeHint(self, option: QStyleOptionViewItem, index: _ModelIndex) -> QSize:
        geo = self._layout(option.font)
        collapsed = QSize(geo.icon * 6, geo.height)
        if not self.is_expanded(index):
            return collapsed
        notification = index.data(NotificationRole.Notification)
        width = _view_width(option)
        if not isinstance(notification, Notification) or width <= 0:
            return collapsed
        # The same boxes as paint() uses, so that the wrapped texts fit exactly.
        row = QRect(0, 0, width, geo.height)
        title_rect, left = self._title_rect(row, geo, option.font, self._time_text(notification))
        title_font = _bold(option.font) if not notification.is_read else option.font
        title_h = _wrapped_height(title_font, notification.title, title_rect.width())
        body_w = self._text_right(row, geo) - left
        body_h = _wrapped_height(option.font, notification.body or "", body_w)
        height = geo.pad + max(title_h, geo.line) + max(body_h, 2 * geo.line) + geo.pad + 2
        return QSize(collapsed.width(), max(geo.height, height))

    def _text_left(self, geo: _Layout) -> int:
        # dot column, icon, gap
        return geo.pad + geo.pad + geo.icon + geo.pad

    # ------------------------------------------------------------ painting

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        notification = index.data(NotificationRole.Notification)
        if not isinstance(notification, Notification):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # background only; text painted below
        widget = opt.widget
        style = widget.style() if widget is not None else None
        painter.save()
        try:
            if style is not None:
                style.drawPrimitive(
                    QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget
                )
            self._paint_row(painter, opt, notification, self.is_expanded(index))
        finally:
            painter.restore()

    def _paint_row(
        self, painter: QPainter, opt: QStyleOptionViewItem, n: Notification, expanded: bool
    ) -> None:
        rect, font, state, palette = opt.rect, opt.font, opt.state, opt.palette
        geo = self._layout(font)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(text_role)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not n.is_read:
            self._paint_dot(painter, rect, geo, palette, selected)
        self._paint_icon(painter, rect, geo, n.type, selected)
        time_text = self._time_text(n)
        self._paint_time(painter, rect, geo, font, time_text, text_color)
        title_rect, body_left = self._title_rect(rect, geo, font, time_text)
        title_font = _bold(font) if not n.is_read else QFont(font)
        painter.setFont(title_font)
        painter.setPen(text_color)
        if expanded:
            title_h = _wrapped_height(title_font, n.title, title_rect.width())
            title_rect.setHeight(max(geo.line, title_h))
            painter.drawText(title_rect, int(Qt.TextFlag.TextWordWrap), n.title)
        else:
            elided = QFontMetrics(title_font).elidedText(
                _one_line(n.title), Qt.TextElideMode.ElideRight, title_rect.width()
            )
            painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignVCenter), elided)
        top = title_rect.bottom() + 1
        width = self._text_right(rect, geo) - body_left
        body_rect = QRect(body_left, top, width, rect.bottom() - top - geo.pad)
        self._paint_body(painter, n, font, body_rect, text_color, expanded, selected)
        if selected or state & QStyle.StateFlag.State_MouseOver:
            self._paint_delete_button(painter, rect, font, palette, selected)

    def _time_text(self, n: Notification) -> str:
        return relative_time_text(n.created_at, self._clock())

    def _text_right(self, rect: QRect, geo: _Layout) -> int:
        """Where texts end: before the delete button's column."""
        return rect.right() - geo.pad - geo.button - geo.pad // 2

    def _title_rect(self, rect: QRect, geo: _Layout, font: QFont, time: str) -> tuple[QRect, int]:
        """The title's one-line box (left of the time), and the left edge of the texts."""
        left = rect.left() + self._text_left(geo)
        time_w = QFontMetrics(_small(font)).horizontalAdvance(time)
        width = self._text_right(rect, geo) - time_w - geo.pad - left
        return QRect(left, rect.top() + geo.pad, max(10, width), geo.line), left

    def _paint_body(
        self,
        painter: QPainter,
        n: Notification,
        font: QFont,
        rect: QRect,
        color: QColor,
        expanded: bool,
        selected: bool,
    ) -> None:
        painter.setFont(font)
        body_color = QColor(color)
        if n.is_read and not selected:
            body_color.setAlphaF(0.75)
        painter.setPen(body_color)
        if expanded:
            painter.drawText(rect, int(Qt.TextFlag.TextWordWrap), n.body or "")
        else:
            _draw_lines(painter, font, _one_line(n.body or ""), rect, 2)

    def _paint_dot(
        self, painter: QPainter, rect: QRect, geo: _Layout, palette: QPalette, selected: bool
    ) -> None:
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        diameter = max(6.0, geo.pad * 0.9)
        center = QPointF(rect.left() + geo.pad, rect.top() + geo.pad + geo.line / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(role))
        painter.drawEllipse(center, diameter / 2, diameter / 2)

    def _paint_icon(
        self, painter: QPainter, rect: QRect, geo: _Layout, kind: str, selected: bool
    ) -> None:
        target = QRect(rect.left() + 2 * geo.pad, rect.top() + geo.pad, geo.icon, geo.icon)
        if kind not in self._icons:
            self._icons[kind] = self._icon_provider(kind)
        icon = self._icons[kind]
        if icon is not None:
            mode = QIcon.Mode.Selected if selected else QIcon.Mode.Normal
            icon.paint(painter, target, Qt.AlignmentFlag.AlignCenter, mode)
            return
        # No icon file: a neutral disc with the category's initial.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(128, 128, 128, 90))
        painter.drawEllipse(QRectF(target))
        painter.setPen(QColor(255, 255, 255) if selected else QColor(60, 60, 60))
        painter.drawText(target, int(Qt.AlignmentFlag.AlignCenter), (kind[:1] or "?").upper())

    def _paint_time(
        self, painter: QPainter, rect: QRect, geo: _Layout, font: QFont, text: str, color: QColor
    ) -> None:
        small = _small(font)
        width = QFontMetrics(small).horizontalAdvance(text)
        right = rect.right() - geo.pad
        target = QRect(right - width, rect.top() + geo.pad, width, geo.line)
        faded = QColor(color)
        faded.setAlphaF(0.7)
        painter.setFont(small)
        painter.setPen(faded)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(target, int(align), text)

    def _paint_delete_button(
        self, painter: QPainter, rect: QRect, font: QFont, palette: QPalette, selected: bool
    ) -> None:
        button = self.delete_button_rect(rect, font)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = palette.color(role)
        back = QColor(color)
        back.setAlphaF(0.12)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(back)
        painter.drawRoundedRect(QRectF(button), 4, 4)
        inset = button.width() * 0.32
        cross = QRectF(button).adjusted(inset, inset, -inset, -inset)
        painter.setPen(QPen(color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(cross.topLeft(), cross.bottomRight())
        painter.drawLine(cross.topRight(), cross.bottomLeft())

    # ------------------------------------------------------------ events

    def editorEvent(
        self,
        event: QEvent,
        model: object,
        option: QStyleOptionViewItem,
        index: _ModelIndex,
    ) -> bool:
        """Clicks: on the delete button they delete, elsewhere they report the row."""
        if not isinstance(event, QMouseEvent) or event.button() != Qt.MouseButton.LeftButton:
            return False
        notification_id = index.data(NotificationRole.Id)
        if not isinstance(notification_id, str):
            return False
        rect: QRect = option.rect
        on_button = self.delete_button_rect(rect, option.font).contains(event.position().toPoint())
        if event.type() == QEvent.Type.MouseButtonRelease:
            if on_button:
                self.delete_clicked.emit(notification_id)
            else:
                self.row_clicked.emit(notification_id)
        # Swallow presses on the button too, so that they do not select the row.
        return on_button

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _ModelIndex,
    ) -> bool:
        """A tooltip for the delete button; the row's own tooltip elsewhere."""
        rect: QRect = option.rect
        if self.delete_button_rect(rect, option.font).contains(event.pos()):
            QToolTip.showText(event.globalPos(), self.tr("Delete"), view)
            return True
        return super().helpEvent(event, view, option, index)


def _plain(index: QPersistentModelIndex) -> QModelIndex:
    """A plain index for a persistent one (signals take plain indices)."""
    model = index.model()
    if not index.isValid() or model is None:
        return QModelIndex()
    return model.index(index.row(), index.column(), index.parent())


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.88)
    else:
        small.setPixelSize(max(8, round(font.pixelSize() * 0.88)))
    return small


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed, for the elided summary lines."""
    return " ".join(text.split())


def _view_width(option: QStyleOptionViewItem) -> int:
    widget = option.widget
    if isinstance(widget, QAbstractScrollArea):
        return int(widget.viewport().width())
    rect: QRect = option.rect
    return rect.width()


def _wrapped_height(font: QFont, text: str, width: int) -> int:
    if not text:
        return 0
    bounds = QFontMetrics(font).boundingRect(
        QRect(0, 0, width, 1_000_000), int(Qt.TextFlag.TextWordWrap), text
    )
    return bounds.height()


def _draw_lines(painter: QPainter, font: QFont, text: str, rect: QRect, max_lines: int) -> None:
    """Draw ``text`` wrapped in at most ``max_lines`` lines, the last one elided."""
    if not text or rect.width() <= 0:
        return
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    metrics = QFontMetrics(font)
    elided_from: int | None = None
    layout.beginLayout()
    for number in range(max_lines):
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(rect.width())
        line.setPosition(QPointF(0, number * metrics.height()))
        end = line.textStart() + line.textLength()
        if number == max_lines - 1 and end < _utf16_length(text):
            elided_from = line.textStart()
    layout.endLayout()
    for number in range(layout.lineCount()):
        if number == layout.lineCount() - 1 and elided_from is not None:
            rest = _utf16_slice(text, elided_from)
            elided = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width())
            baseline = rect.top() + number * metrics.height() + metrics.ascent()
            painter.drawText(QPointF(rect.left(), baseline), elided)
        else:
            layout.lineAt(number).draw(painter, QPointF(rect.left(), rect.top()))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_slice(text: str, start: int) -> str:
    """``text`` from a QString (UTF-16) offset, as Qt text layouts count."""
    return text.encode("utf-16-le")[2 * start :].decode("utf-16-le", errors="ignore")
