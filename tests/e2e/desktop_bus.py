"""Reading the test desktop's session bus: tray items, toasts, owned names.

The calls block, so when the process under test exports something on the bus itself
(a tray icon made with Qt), make them from a worker thread (`BusWorker`) while the Qt
loop keeps running: a blocking read of one's own tray item from the GUI thread deadlocks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from jeepney import DBusAddress, MatchRule, Properties, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import unwrap_msg
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

T = TypeVar("T")

WATCHER = "org.kde.StatusNotifierWatcher"
NOTIFICATIONS = "org.freedesktop.Notifications"
SECRETS = "org.freedesktop.secrets"

_WATCHER_ADDRESS = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)
_NOTIFY_ADDRESS = DBusAddress(
    "/org/freedesktop/Notifications", bus_name=NOTIFICATIONS, interface=NOTIFICATIONS
)
_ITEM_INTERFACE = "org.kde.StatusNotifierItem"


@dataclass(frozen=True)
class Pixmap:
    """One entry of a StatusNotifierItem's IconPixmap: ARGB32 in network byte order."""

    width: int
    height: int
    data: bytes

    def to_qimage(self) -> QImage:
        """The pixmap as a QImage (Format_ARGB32), copied out of the D-Bus bytes."""
        return argb32_to_qimage(self.width, self.height, self.data)


@dataclass(frozen=True)
class ToolTip:
    """A StatusNotifierItem's ToolTip property."""

    icon_name: str
    pixmaps: tuple[Pixmap, ...]
    title: str
    description: str


def argb32_to_qimage(width: int, height: int, data: bytes) -> QImage:
    """Turn SNI pixel data (bytes A, R, G, B per pixel) into a QImage.

    Qt's Format_ARGB32 is a native-endian 32-bit word, so its byte order differs from the
    network order on little-endian machines; Format_RGBA8888 is defined by bytes, hence
    the reordering to R, G, B, A.
    """
    if len(data) != width * height * 4:
        raise ValueError(f"{len(data)} bytes for a {width}x{height} ARGB32 pixmap")
    rgba = bytearray(len(data))
    rgba[0::4], rgba[1::4], rgba[2::4], rgba[3::4] = data[1::4], data[2::4], data[3::4], data[0::4]
    image = QImage(bytes(rgba), width, height, width * 4, QImage.Format.Format_RGBA8888)
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def split_item(item: str) -> tuple[str, str]:
    """Split a watcher entry ("bus-name/object/path" or a bare bus name) into both parts."""
    name, slash, path = item.partition("/")
    return name, f"/{path}" if slash else "/StatusNotifierItem"


def wait_for(
    read: Callable[[], T],
    until: Callable[[T], bool],
    timeout: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Call `read` until `until(value)` holds and return that value.

    Polls a condition with a deadline; raises TimeoutError naming the last value read.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met after {timeout} s; last value: {value!r}")
        time.sleep(interval)


class SessionBus:
    """A blocking connection to the session bus named by DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, timeout: float = 5.0) -> None:
        self._conn: DBusConnection = open_dbus_connection(bus="SESSION")
        self._timeout = timeout

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SessionBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, message: Any) -> tuple[Any, ...]:
        """Send a method call and return the reply's body; D-Bus errors raise."""
        reply = self._conn.send_and_get_reply(message, timeout=self._timeout)
        body: tuple[Any, ...] = unwrap_msg(reply)
        return body

    def name_has_owner(self, name: str) -> bool:
        return bool(self.call(message_bus.NameHasOwner(name))[0])

    def get_property(self, address: DBusAddress, name: str) -> Any:
        """The value of a property (the variant's signature is dropped)."""
        _signature, value = self.call(Properties(address).get(name))[0]
        return value

    def registered_items(self) -> list[str]:
        """The watcher's RegisteredStatusNotifierItems: one entry per tray icon."""
        return list(self.get_property(_WATCHER_ADDRESS, "RegisteredStatusNotifierItems"))

    def item_property(self, item: str, name: str) -> Any:
        bus_name, path = split_item(item)
        return self.get_property(DBusAddress(path, bus_name, _ITEM_INTERFACE), name)

    def tooltip(self, item: str) -> ToolTip:
        icon_name, pixmaps, title, description = self.item_property(item, "ToolTip")
        return ToolTip(icon_name, tuple(Pixmap(*p) for p in pixmaps), title, description)

    def icon_pixmaps(self, item: str) -> list[Pixmap]:
        return [Pixmap(*p) for p in self.item_property(item, "IconPixmap")]

    def items_titled(self, title: str) -> list[str]:
        """Registered tray items whose tooltip title is `title`."""
        found = []
        for item in self.registered_items():
            try:
                if self.tooltip(item).title == title:
                    found.append(item)
            except Exception:  # an item that went away between the two calls
                log.debug("cannot read the tooltip of %s", item, exc_info=True)
        return found

    def notify(
        self,
        summary: str,
        body: str = "",
        *,
        app_name: str = "tray-app-tests",
        actions: Sequence[tuple[str, str]] = (),
        expire_timeout: int = -1,
    ) -> int:
        """Send a toast (org.freedesktop.Notifications.Notify); return its id.

        `actions` are (key, label) pairs; the key "default" is the toast's click action.
        """
        flat = [part for pair in actions for part in pair]
        message = new_method_call(
            _NOTIFY_ADDRESS,
            "Notify",
            "susssasa{sv}i",
            (app_name, 0, "", summary, body, flat, {}, expire_timeout),
        )
        return int(self.call(message)[0])

    @contextmanager
    def action_signals(self) -> Iterator[Callable[[int, float], str]]:
        """Listen for ActionInvoked; yields `wait(notification_id, timeout) -> action key`.

        Enter it before sending the toast: the daemon signals only the connection that sent
        it, and signals arriving outside the block are dropped.
        """
        rule = MatchRule(type="signal", interface=NOTIFICATIONS, member="ActionInvoked")
        self.call(message_bus.AddMatch(rule))
        with self._conn.filter(rule, bufsize=64) as queue:

            def wait(notification_id: int, timeout: float = 10.0) -> str:
                deadline = time.monotonic() + timeout
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(f"no action on toast {notification_id} in {timeout} s")
                    nid, key = self._conn.recv_until_filtered(queue, timeout=left).body
                    if nid == notification_id:
                        return str(key)

            try:
                yield wait
            finally:
                self.call(message_bus.RemoveMatch(rule))


class BusWorker:
    """Runs SessionBus reads on one worker thread, with its own connection.

    `submit(fn)` runs `fn(bus)` there and returns a Future; `poll(fn, until)` repeats it
    until `until(result)` holds. Wait for the Future with the Qt loop running
    (qtbot.waitUntil(future.done)).
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-bus")
        self._local = threading.local()
        self._buses: list[SessionBus] = []

    def _bus(self) -> SessionBus:
        bus: SessionBus | None = getattr(self._local, "bus", None)
        if bus is None:
            bus = self._local.bus = SessionBus()
            self._buses.append(bus)
        return bus

    def submit(self, fn: Callable[[SessionBus], T]) -> Future[T]:
        return self._executor.submit(lambda: fn(self._bus()))

    def poll(
        self, fn: Callable[[SessionBus], T], until: Callable[[T], bool], timeout: float = 10.0
    ) -> Future[T]:
        return self._executor.submit(lambda: wait_for(lambda: fn(self._bus()), until, timeout))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        for bus in self._buses:
            bus.close()
