"""Paints the unread count as a badge onto the app icon for the system tray.

The tray shows icons from 16 to 64 px, on light and dark panels, so the badge is a red
pill with white bold digits and a thin white ring that separates it from the icon and
from a dark panel; a light panel already contrasts with the red. The app icon is greyed
while offline, and greyed and struck through while signed out.

Rendering costs a few milliseconds per state, so :class:`TrayIconPainter` keeps every
icon it made, keyed by (count bucket, state); counts above 99 share one "99+" bucket.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

from tray_app.resources import app_icon_svg

TrayState = Literal["online", "offline", "signed_out"]

DEFAULT_SIZES: Final[tuple[int, ...]] = (16, 22, 24, 32, 48, 64)
DEFAULT_RATIOS: Final[tuple[float, ...]] = (1.0, 2.0)
#: The bucket of every count above 99 ("99+").
OVERFLOW_BUCKET: Final = 100

BADGE_RED: Final = QColor("#d7261e")
BADGE_TEXT: Final = QColor("#ffffff")
BADGE_RING: Final = QColor("#ffffff")
SLASH_DARK: Final = QColor("#2b2b2b")
SLASH_LIGHT: Final = QColor("#f2f2f2")
# Greyed icons are lifted towards mid-grey so that they stay visible on dark panels.
_GREY_LIFT: Final = QColor(150, 150, 150, 120)


def count_bucket(count: int) -> int:
    """The cache bucket of ``count``: 0 to 99 as is, anything above as 100."""
    return max(0, min(count, OVERFLOW_BUCKET))


def badge_label(count: int) -> str:
    """The badge text: "" for no unread, "1" to "99", then "99+"."""
    if count <= 0:
        return ""
    return str(count) if count <= 99 else "99+"


def render_tray_image(
    count: int,
    state: TrayState,
    size: int,
    device_pixel_ratio: float = 1.0,
    renderer: QSvgRenderer | None = None,
) -> QImage:
    """One ``size`` x ``size`` (logical px) image of the tray icon.

    ``renderer`` is the app icon's SVG, loaded once by the caller to save re-parsing.
    Signed out shows no badge: the count is unknown then.
    """
    renderer = renderer or QSvgRenderer(str(app_icon_svg()))
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.scale(pixels / size, pixels / size)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if state != "online":
        image = _greyed(image)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.scale(pixels / size, pixels / size)
    if state == "signed_out":
        _paint_slash(painter, size)
    else:
        _paint_badge(painter, size, badge_label(count))
    painter.end()
    image.setDevicePixelRatio(device_pixel_ratio)
    return image


def render_tray_icon(
    count: int,
    state: TrayState,
    sizes: Sequence[int] = DEFAULT_SIZES,
    device_pixel_ratios: Sequence[float] = DEFAULT_RATIOS,
    renderer: QSvgRenderer | None = None,
) -> QIcon:
    """A QIcon with one pixmap per size and device pixel ratio (2x for HiDPI panels)."""
    renderer = renderer or QSvgRenderer(str(app_icon_svg()))
    icon = QIcon()
    for size in sizes:
        for ratio in device_pixel_ratios:
            image = render_tray_image(count, state, size, ratio, renderer)
            icon.addPixmap(QPixmap.fromImage(image))
    return icon


class TrayIconPainter:
    """Renders tray icons on demand and keeps them, keyed by (count bucket, state)."""

    def __init__(
        self,
        svg_path: Path | None = None,
        sizes: Sequence[int] = DEFAULT_SIZES,
        device_pixel_ratios: Sequence[float] = DEFAULT_RATIOS,
    ) -> None:
        self._renderer = QSvgRenderer(str(svg_path or app_icon_svg()))
        self._sizes = tuple(sizes)
        self._ratios = tuple(device_pixel_ratios)
        self._cache: dict[tuple[int, TrayState], QIcon] = {}

    def icon(self, count: int, state: TrayState) -> QIcon:
        """The icon for ``count`` unread in ``state``; rendered once per bucket."""
        key = (0 if state == "signed_out" else count_bucket(count), state)
        icon = self._cache.get(key)
        if icon is None:
            icon = render_tray_icon(key[0], state, self._sizes, self._ratios, self._renderer)
            self._cache[key] = icon
        return icon

    def cache_size(self) -> int:
        """How many icons are kept (for tests and diagnostics)."""
        return len(self._cache)


def _greyed(image: QImage) -> QImage:
    """``image`` in lifted greys, with its own transparency."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    result = grey.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(result)
    # Keep the grey pixels only where the original was opaque.
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceAtop)
    painter.fillRect(result.rect(), _GREY_LIFT)
    painter.end()
    return result


def _paint_slash(painter: QPainter, size: int) -> None:
    """A diagonal stroke: dark on a light halo, so it reads on any panel."""
    width = max(1.6, size * 0.075)
    margin = size * 0.12
    start = QPointF(margin, margin)
    end = QPointF(size - margin, size - margin)
    for colour, pen_width in ((SLASH_LIGHT, width + max(1.4, size * 0.06)), (SLASH_DARK, width)):
        pen = QPen(colour, pen_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(start, end)


def _badge_font(pixel_size: float, narrow: bool) -> QFont:
    font = QFont()
    font.setBold(True)
    # "99+" needs narrow glyphs to fit a 16 px icon; Qt synthesises the stretch if the
    # family has no condensed face.
    font.setStretch(QFont.Stretch.Condensed if narrow else QFont.Stretch.SemiCondensed)
    font.setPixelSize(max(1, round(pixel_size)))
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def _text_path(label: str, pixel_size: float) -> QPainterPath:
    path = QPainterPath()
    path.addText(0, 0, _badge_font(pixel_size, narrow=len(label) > 2), label)
    return path


def _badge_geometry(size: int, label: str) -> tuple[QRectF, QPainterPath]:
    """The pill rectangle (top right) and the text path centred in it.

    The pill is about 58 % of the icon high at 16 px, less on larger icons; the text
    shrinks when a wide label ("99+") would make the pill wider than the icon.
    """
    height = min(size * 0.62, 7.0 + size * 0.28) if size < 32 else size * 0.46
    text_px = height * 0.78
    path = _text_path(label, text_px)
    padding = height * (0.22 if len(label) <= 2 else 0.16)
    while path.boundingRect().width() + 2 * padding > size and text_px > 6:
        text_px -= 0.5
        path = _text_path(label, text_px)
    width = min(float(size), max(height, path.boundingRect().width() + 2 * padding))
    rect = QRectF(size - width, 0, width, height)
    bounds = path.boundingRect()
    # Centre the ink, not the font box: digits have no descenders.
    path.translate(rect.center() - bounds.center())
    return rect, path


def _paint_badge(painter: QPainter, size: int, label: str) -> None:
    if not label:
        return
    rect, path = _badge_geometry(size, label)
    ring = max(1.0, size / 24)
    inner = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
    # A wide label gets squarer ends so that its first and last glyphs are not clipped.
    radius = inner.height() * (0.5 if len(label) <= 2 else 0.3)
    painter.setPen(QPen(BADGE_RING, ring))
    painter.setBrush(BADGE_RED)
    painter.drawRoundedRect(inner, radius, radius)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BADGE_TEXT)
    painter.drawPath(path)


def badge_rect(size: int, count: int) -> QRectF | None:
    """Where the badge sits on a ``size`` px icon (None without a badge); for tests."""
    label = badge_label(count)
    if not label:
        return None
    rect, _path = _badge_geometry(size, label)
    return QRectF(math.floor(rect.left()), 0, math.ceil(rect.width()), math.ceil(rect.height()))
