"""The test desktop itself: each part is up and does what the other e2e tests rely on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from .conftest import DESKTOP_PARTS, BusReader
from .desktop_bus import SessionBus, argb32_to_qimage
from .dunst import Dunst

# Quadrant colours of the test icon: any mix-up of channels or of orientation shows.
QUADRANTS = {
    "top-left": QColor(255, 0, 0),
    "top-right": QColor(0, 255, 0),
    "bottom-left": QColor(0, 0, 255),
    "bottom-right": QColor(255, 255, 0),
}


def quadrant_icon(size: int = 64) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    half = size // 2
    painter = QPainter(pixmap)
    for (x, y), colour in zip(
        [(0, 0), (half, 0), (0, half), (half, half)], QUADRANTS.values(), strict=True
    ):
        painter.fillRect(x, y, half, half, colour)
    painter.end()
    return QIcon(pixmap)


def quadrant_colours(image: QImage) -> dict[str, QColor]:
    """The colour at the centre of each quadrant of `image`."""
    w, h = image.width(), image.height()
    points = [(x * w // 4, y * h // 4) for y in (1, 3) for x in (1, 3)]
    return {name: image.pixelColor(x, y) for name, (x, y) in zip(QUADRANTS, points, strict=True)}


def same_colour(a: QColor, b: QColor, tolerance: int = 8) -> bool:
    pairs = [(a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue())]
    pairs.append((a.alpha(), b.alpha()))
    return all(abs(x - y) <= tolerance for x, y in pairs)


@pytest.mark.parametrize("name", list(DESKTOP_PARTS))
def test_bus_name_is_owned(session_bus: SessionBus, name: str) -> None:
    assert session_bus.name_has_owner(name), f"{DESKTOP_PARTS[name]} is not on the bus"


def test_an_unknown_bus_name_is_not_owned(session_bus: SessionBus) -> None:
    # The check above must be able to fail.
    assert not session_bus.name_has_owner(f"org.example.Missing{uuid.uuid4().hex}")


def test_qt_sees_a_system_tray(qapp: QApplication) -> None:
    assert QGuiApplication.platformName() == "xcb"
    assert QSystemTrayIcon.isSystemTrayAvailable()


def test_argb32_conversion_keeps_channels_apart() -> None:
    # One pixel per quadrant colour, A R G B each, as the SNI spec puts them on the bus.
    data = b"".join(bytes([c.alpha(), c.red(), c.green(), c.blue()]) for c in QUADRANTS.values())
    image = argb32_to_qimage(2, 2, data)
    found = [image.pixelColor(x, y) for y in range(2) for x in range(2)]
    assert [c.name() for c in found] == [c.name() for c in QUADRANTS.values()]


def test_tray_icon_registers_with_the_watcher(qtbot: QtBot, bus_read: BusReader) -> None:
    title = f"harness {uuid.uuid4().hex[:8]}"
    icon = QSystemTrayIcon(quadrant_icon())
    icon.setToolTip(title)
    icon.show()
    try:
        items = bus_read(lambda bus: bus.items_titled(title), until=bool)
        assert len(items) == 1
        pixmaps = bus_read(lambda bus: bus.icon_pixmaps(items[0]))
        assert pixmaps, "the tray item has no IconPixmap"
        largest = max(pixmaps, key=lambda p: p.width * p.height)
        colours = quadrant_colours(largest.to_qimage())
        for name, expected in QUADRANTS.items():
            assert same_colour(colours[name], expected), (name, colours[name].name())
    finally:
        icon.hide()
    bus_read(lambda bus: bus.items_titled(title), until=lambda found: not found)


def test_keyring_round_trips_through_the_secret_service() -> None:
    backend = keyring.get_keyring()
    assert isinstance(backend, SecretService.Keyring), backend
    service, user, secret = f"tray-app-harness-{uuid.uuid4().hex}", "someone", uuid.uuid4().hex
    keyring.set_password(service, user, secret)
    try:
        assert keyring.get_password(service, user) == secret
    finally:
        keyring.delete_password(service, user)
    assert keyring.get_password(service, user) is None


def test_a_notify_call_reaches_dunst(session_bus: SessionBus, dunst: Dunst) -> None:
    summary = f"Harness toast {uuid.uuid4().hex[:8]}"
    notification_id = session_bus.notify(summary, "Sent over D-Bus by the test harness.")
    assert dunst.wait_displayed(1) == 1
    (toast,) = dunst.take_displayed()
    assert (toast.id, toast.summary) == (notification_id, summary)


def test_the_default_action_of_a_toast_is_clicked(session_bus: SessionBus, dunst: Dunst) -> None:
    with session_bus.action_signals() as wait_action:
        notification_id = session_bus.notify("Click me", actions=[("default", "Open")])
        dunst.wait_displayed(1)
        dunst.action(0)
        assert wait_action(notification_id, 10.0) == "default"


def test_a_toast_button_is_chosen_through_the_context_menu(
    session_bus: SessionBus, dunst: Dunst
) -> None:
    buttons = [("accept", "Accept"), ("decline", "Decline")]
    with session_bus.action_signals() as wait_action:
        other = session_bus.notify("Another toast", actions=buttons)
        notification_id = session_bus.notify("Choose", actions=buttons)
        dunst.wait_displayed(2)
        dunst.choose_button("Decline", notification_id)
        assert wait_action(notification_id, 10.0) == "decline"
    menu = dunst.menu_file.read_text(encoding="utf-8")
    assert f"#Accept (Another toast) [{other},accept]" in menu


def tray_bar_shows(image: QImage) -> bool:
    """Whether every quadrant colour of the test icon appears in `image`."""
    seen = {image.pixel(x, y) for y in range(image.height()) for x in range(image.width())}
    return all(colour.rgb() in seen for colour in QUADRANTS.values())


def test_a_screenshot_shows_the_tray_icon_and_a_toast(
    qtbot: QtBot,
    bus_read: BusReader,
    session_bus: SessionBus,
    dunst: Dunst,
    screenshot: Callable[[str], Path],
) -> None:
    title = f"harness {uuid.uuid4().hex[:8]}"
    icon = QSystemTrayIcon(quadrant_icon())
    icon.setToolTip(title)
    icon.show()
    try:
        bus_read(lambda bus: bus.items_titled(title), until=bool)
        session_bus.notify("Screenshot check", "A toast stays until closed.")
        dunst.wait_displayed(1)
        # The tray host draws its items in a 30-pixel bar at the top left of the screen,
        # some time after they register.
        screen = QGuiApplication.primaryScreen()
        qtbot.waitUntil(lambda: tray_bar_shows(screen.grabWindow(0, 0, 0, 200, 30).toImage()))
        path = screenshot("desktop-harness")
    finally:
        icon.hide()
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    assert tray_bar_shows(image.copy(0, 0, 200, 30).convertToFormat(QImage.Format.Format_RGB32))
    # The toast is drawn at the top right on dunst's blue; the rest of the screen is black.
    assert same_colour(image.pixelColor(1280 - 60, 60), QColor("#285577"))
    assert same_colour(image.pixelColor(100, 700), QColor("black"))
