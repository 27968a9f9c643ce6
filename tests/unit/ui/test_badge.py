"""The tray badge: measured on the rendered pixels, not on hashes of them."""

from __future__ import annotations

import colorsys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from tray_app.ui.badge import (
    DEFAULT_SIZES,
    TrayIconPainter,
    badge_label,
    badge_rect,
    count_bucket,
    render_tray_icon,
    render_tray_image,
)


def _pixels(image: QImage, rect: QRect | None = None):
    """(x, y, QColor) of every visible pixel of ``image`` inside ``rect``."""
    area = rect or image.rect()
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            colour = image.pixelColor(x, y)
            if colour.alpha() > 200:
                yield x, y, colour


def _is_badge_red(colour: QColor) -> bool:
    return colour.red() > 170 and colour.green() < 90 and colour.blue() < 90


def _is_white(colour: QColor) -> bool:
    return min(colour.red(), colour.green(), colour.blue()) > 225


def _red_box(image: QImage) -> QRect:
    """The bounding box of the badge-red pixels (empty when there are none)."""
    box = QRect()
    for x, y, colour in _pixels(image):
        if _is_badge_red(colour):
            box = box.united(QRect(x, y, 1, 1))
    return box


def _enclosed_white(image: QImage, box: QRect) -> int:
    """White pixels with badge red on both sides on their row: the text, not the ring."""
    found = 0
    for y in range(box.top(), box.bottom() + 1):
        row = [image.pixelColor(x, y) for x in range(box.left(), box.right() + 1)]
        reds = [i for i, colour in enumerate(row) if _is_badge_red(colour)]
        if len(reds) >= 2:
            found += sum(_is_white(colour) for colour in row[reds[0] : reds[-1]])
    return found


def _mean_saturation(image: QImage, exclude: QRect) -> float:
    values = [
        colorsys.rgb_to_hsv(c.redF(), c.greenF(), c.blueF())[1]
        for x, y, c in _pixels(image)
        if not exclude.contains(x, y)
    ]
    assert values, "the icon has no opaque pixels"
    return sum(values) / len(values)


@pytest.mark.parametrize(
    ("count", "label"), [(-2, ""), (0, ""), (1, "1"), (7, "7"), (99, "99"), (100, "99+")]
)
def test_badge_label(count, label):
    assert badge_label(count) == label


def test_counts_above_99_share_one_bucket():
    assert count_bucket(100) == count_bucket(5000) == 100
    assert count_bucket(99) == 99
    assert count_bucket(-1) == 0


@pytest.mark.parametrize("size", DEFAULT_SIZES)
def test_no_badge_without_unread(qapp, size):
    image = render_tray_image(0, "online", size)
    assert _red_box(image).isEmpty()
    assert badge_rect(size, 0) is None


@pytest.mark.parametrize("size", DEFAULT_SIZES)
@pytest.mark.parametrize("count", [7, 42, 120])
def test_badge_sits_top_right_with_white_text(qapp, size, count):
    image = render_tray_image(count, "online", size)
    red = _red_box(image)
    assert not red.isEmpty()
    # Anchored to the top right corner, within the icon.
    assert red.top() <= max(1, size // 16)
    assert red.right() >= size - 1 - max(1, size // 16)
    assert red.bottom() < size * 0.75
    assert _enclosed_white(image, red) >= size // 4, "the count is not drawn in white"


def test_overflow_badge_is_wider_and_the_same_for_any_large_count(qapp):
    seven = _red_box(render_tray_image(7, "online", 32))
    overflow = render_tray_image(120, "online", 32)
    assert _red_box(overflow).width() > seven.width() * 1.5
    assert overflow == render_tray_image(5000, "online", 32)
    assert overflow != render_tray_image(99, "online", 32)


def test_offline_icon_is_grey_but_keeps_its_badge(qapp):
    size = 48
    online = render_tray_image(7, "online", size)
    offline = render_tray_image(7, "offline", size)
    badge = badge_rect(size, 7)
    assert badge is not None
    assert _mean_saturation(online, badge) > 0.4
    assert _mean_saturation(offline, badge) < 0.05
    assert not _red_box(offline).isEmpty()


def test_signed_out_icon_is_grey_struck_through_and_has_no_badge(qapp):
    size = 48
    image = render_tray_image(7, "signed_out", size)
    assert _red_box(image).isEmpty()
    assert _mean_saturation(image, QRect()) < 0.05
    centre = image.pixelColor(size // 2, size // 2)
    assert centre.lightness() < 70, "no dark slash across the middle"
    offline_centre = render_tray_image(0, "offline", size).pixelColor(size // 2, size // 2)
    assert offline_centre.lightness() > centre.lightness() + 40


def test_icon_has_every_size_and_a_hidpi_variant(qapp):
    icon = render_tray_icon(3, "online", sizes=(16, 32), device_pixel_ratios=(1.0, 2.0))
    assert {QSize(16, 16), QSize(32, 32)} <= set(icon.availableSizes())
    hidpi = icon.pixmap(QSize(16, 16), 2.0)
    assert hidpi.devicePixelRatio() == 2.0
    assert hidpi.width() == 32


def test_hidpi_render_keeps_the_layout_of_its_logical_size(qapp):
    one = _red_box(render_tray_image(7, "online", 16, 1.0))
    two = _red_box(render_tray_image(7, "online", 16, 2.0))
    assert abs(two.width() - 2 * one.width()) <= 2
    assert abs(two.height() - 2 * one.height()) <= 2


def test_painter_caches_by_bucket_and_state(qapp):
    painter = TrayIconPainter(sizes=(16,), device_pixel_ratios=(1.0,))
    first = painter.icon(120, "online")
    assert painter.icon(500, "online").cacheKey() == first.cacheKey()
    assert painter.icon(3, "signed_out").cacheKey() == painter.icon(9, "signed_out").cacheKey()
    assert painter.icon(7, "online").cacheKey() != first.cacheKey()
    assert painter.icon(7, "offline").cacheKey() != painter.icon(7, "online").cacheKey()
    assert painter.cache_size() == 4


def _sheet(cases, sizes, backgrounds, scale=4) -> tuple[QImage, dict]:
    """Every case x background x size, enlarged; returns the sheet and each cell's rect."""
    cell = max(sizes) * scale + 16
    columns = len(sizes) * len(backgrounds)
    sheet = QImage(columns * cell + 16, len(cases) * cell + 16, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#808080"))
    cells = {}
    painter = QPainter(sheet)
    for row, (count, state) in enumerate(cases):
        for column, (background, size) in enumerate(
            (bg, size) for bg in backgrounds for size in sizes
        ):
            tile = QImage(size, size, QImage.Format.Format_ARGB32)
            tile.fill(QColor(background))
            tile_painter = QPainter(tile)
            tile_painter.drawImage(0, 0, render_tray_image(count, state, size))
            tile_painter.end()
            big = tile.scaled(
                size * scale, size * scale, mode=Qt.TransformationMode.FastTransformation
            )
            x, y = 16 + column * cell, 16 + row * cell
            painter.drawImage(x, y, big)
            cells[(count, state, background, size)] = QRect(x, y, big.width(), big.height())
    painter.end()
    return sheet, cells


def test_badge_sheet_for_review(qapp, screenshot_dir: Path):
    """Save the badges at 0, 7 and 120 on light and dark panels (artifacts/screenshots)."""
    cases = [(0, "online"), (7, "online"), (120, "online"), (7, "offline"), (0, "signed_out")]
    sizes = (16, 22, 24, 32, 48, 64)
    sheet, cells = _sheet(cases, sizes, ("#f2f2f2", "#1f1f1f"))
    target = screenshot_dir / "badge_sheet.png"
    assert sheet.save(str(target))
    assert QImage(str(target)).size() == sheet.size()
    for (count, state, _bg, _size), rect in cells.items():
        has_badge = not _red_box(sheet.copy(rect)).isEmpty()
        assert has_badge == (count > 0 and state != "signed_out")
