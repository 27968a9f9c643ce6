"""Desktop toasts, shown by the first backend that works.

Backends sit behind the small :class:`Notifier` protocol and are tried in the order
given to :class:`ToastService`; the app passes

1. :class:`DesktopNotifierBackend`: native toasts through ``desktop-notifier`` (D-Bus
   ``org.freedesktop.Notifications`` on Linux, Notification Center on macOS, WinRT on
   Windows), with buttons and click callbacks;
2. :class:`CallableBackend` around ``QSystemTrayIcon.showMessage`` (injected: this layer
   may not import QtWidgets), which has no buttons;
3. nothing: the service then reports why toasts cannot be shown.

Toast text is plain text. The freedesktop spec lets a daemon that advertises
``body-markup`` (dunst, GNOME Shell, Plasma...) render the body as markup, and
desktop-notifier 6.2 passes it through unescaped, so the D-Bus path escapes ``& < >``
exactly once here; the summary is never markup per the spec.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from desktop_notifier import Button, DesktopNotifier, Icon, Notification, Urgency
from PySide6.QtCore import QObject, Signal

from tray_app.core.toast import ACTION_OPEN, Toast

__all__ = [
    "ActionHandler",
    "CallableBackend",
    "DesktopNotifierBackend",
    "Notifier",
    "ToastService",
    "escape_markup",
]

logger = logging.getLogger(__name__)

ActionHandler = Callable[[str, str], None]
"""Receives (notification id or "", action key) when the user acts on a toast."""

_ON_LINUX = sys.platform.startswith("linux")
_RETRY_AFTER_FAILURE_S = 30.0  # a notification daemon may start after the app (login)


def escape_markup(text: str) -> str:
    """Escape ``& < >`` so a markup-rendering daemon shows ``text`` literally."""
    return html.escape(text, quote=False)


@runtime_checkable
class Notifier(Protocol):
    """A way to show toasts.

    ``available()`` is cheap after its first call (implementations cache); ``show``
    raises when the toast could not be handed over, so the service can fall back.
    """

    name: str

    def set_action_handler(self, handler: ActionHandler) -> None:
        """Where to report clicks and button presses."""
        ...

    async def available(self) -> tuple[bool, str]:
        """Whether toasts can be shown now, and why not."""
        ...

    async def show(self, toast: Toast) -> str | None:
        """Show ``toast``; return the backend's id for it, if it has one."""
        ...


class DesktopNotifierBackend:
    """Native toasts through ``desktop-notifier``'s async API.

    ``probe_timeout`` bounds the availability check (connecting to the session bus and
    asking the daemon for its capabilities), which otherwise can hang on a broken bus.
    """

    name = "desktop-notifier"

    def __init__(
        self,
        app_name: str,
        app_icon: Path | None = None,
        *,
        probe_timeout: float = 3.0,
        notifier: DesktopNotifier | None = None,
        markup_probe: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        if notifier is None:
            icon = Icon(path=app_icon.absolute()) if app_icon else None
            notifier = DesktopNotifier(app_name=app_name, app_icon=icon)
        if markup_probe is None:
            markup_probe = _daemon_renders_markup if _ON_LINUX else _no_markup
        self._notifier = notifier
        self._markup_probe = markup_probe
        self._probe_timeout = probe_timeout
        self._handler: ActionHandler | None = None
        self._status: tuple[bool, str] | None = None
        self._checked_at = 0.0
        self._escape_body = False

    def set_action_handler(self, handler: ActionHandler) -> None:
        self._handler = handler

    async def available(self) -> tuple[bool, str]:
        """Probe the platform once; after a failure, probe again 30 s later."""
        stale = time.monotonic() - self._checked_at > _RETRY_AFTER_FAILURE_S
        if self._status is None or (not self._status[0] and stale):
            self._status = await self._probe()
            self._checked_at = time.monotonic()
        return self._status

    async def _probe(self) -> tuple[bool, str]:
        try:
            capabilities = await asyncio.wait_for(
                self._notifier.get_capabilities(), self._probe_timeout
            )
            self._escape_body = await asyncio.wait_for(self._markup_probe(), self._probe_timeout)
        except TimeoutError:
            return False, f"no answer from the notification service in {self._probe_timeout:g} s"
        except Exception as exc:  # any bus or platform error means "not here"
            logger.info("Desktop notifications unavailable: %s", exc)
            return False, f"notification service unavailable ({type(exc).__name__})"
        if not capabilities:
            return False, "desktop notifications are not supported on this platform"
        return True, "native desktop notifications"

    async def show(self, toast: Toast) -> str | None:
        """Send ``toast``; raise ``RuntimeError`` if the platform refused it."""
        ok, _reason = await self.available()
        if not ok:
            raise RuntimeError("desktop notifications are unavailable")
        dispatched: list[bool] = []
        notification_id = toast.notification_id or ""
        notification = Notification(
            title=toast.title,
            message=escape_markup(toast.body) if self._escape_body else toast.body,
            urgency=Urgency(toast.urgency),
            icon=Icon(path=toast.icon_path.absolute()) if toast.icon_path else None,
            buttons=tuple(
                Button(title=label, identifier=key, on_pressed=self._callback(notification_id, key))
                for key, label in toast.buttons
            ),
            on_clicked=self._callback(notification_id, ACTION_OPEN),
            on_dispatched=lambda: dispatched.append(True),
        )
        # send_notification logs and swallows delivery errors; on_dispatched tells.
        identifier = await self._notifier.send_notification(notification)
        if not dispatched:
            self._status = (False, "the notification service refused the last toast")
            self._checked_at = time.monotonic()
            raise RuntimeError("the notification service did not accept the toast")
        return str(identifier)

    async def aclose(self) -> None:
        """Close the D-Bus connection desktop-notifier opened, if any.

        desktop-notifier has no public way to do this; its Linux backend keeps the
        connection in ``bus``. Elsewhere this does nothing.
        """
        bus = getattr(getattr(self._notifier, "_backend", None), "bus", None)
        if bus is not None and getattr(bus, "connected", False):
            bus.disconnect()
            await bus.wait_for_disconnect()

    def _callback(self, notification_id: str, action_key: str) -> Callable[[], None]:
        def invoke() -> None:
            if self._handler is not None:
                self._handler(notification_id, action_key)

        return invoke


async def _no_markup() -> bool:
    """Notification Center and WinRT toasts take plain text."""
    return False


async def _daemon_renders_markup() -> bool:
    """Whether the freedesktop notification daemon advertises ``body-markup``.

    desktop-notifier does not expose this capability, so ask the daemon directly.
    """
    # Imported here: dbus-fast is installed (by desktop-notifier) on Linux only.
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus().connect()
    try:
        reply = await bus.call(
            Message(
                destination="org.freedesktop.Notifications",
                path="/org/freedesktop/Notifications",
                interface="org.freedesktop.Notifications",
                member="GetCapabilities",
            )
        )
    finally:
        bus.disconnect()
    if reply.message_type == MessageType.ERROR or not reply.body:
        return True  # the common case; over-escaping beats injecting markup
    return "body-markup" in reply.body[0]


class CallableBackend:
    """Toasts through a plain ``show(title, body)`` callable, without buttons.

    The app passes ``QSystemTrayIcon.showMessage`` and ``supportsMessages``. Qt's tray
    sends that message over D-Bus on Linux without escaping it, hence
    ``escape_markup`` (default: on Linux). Connect ``QSystemTrayIcon.messageClicked``
    to :meth:`message_clicked`: it reports ``"open"`` for the last toast shown.
    """

    def __init__(
        self,
        show_message: Callable[[str, str], object],
        *,
        is_available: Callable[[], bool] | None = None,
        escape_markup: bool | None = None,
        name: str = "system tray",
    ) -> None:
        self.name = name
        self._show_message = show_message
        self._is_available = is_available
        self._escape = _ON_LINUX if escape_markup is None else escape_markup
        self._handler: ActionHandler | None = None
        self._last_notification_id = ""

    def set_action_handler(self, handler: ActionHandler) -> None:
        self._handler = handler

    async def available(self) -> tuple[bool, str]:
        if self._is_available is not None and not self._is_available():
            return False, f"{self.name} cannot show messages"
        return True, f"{self.name} messages"

    async def show(self, toast: Toast) -> str | None:
        body = escape_markup(toast.body) if self._escape else toast.body
        self._show_message(toast.title, body)
        self._last_notification_id = toast.notification_id or ""
        return None

    def message_clicked(self) -> None:
        """Report a click on the last message (Qt does not say which one)."""
        if self._handler is not None:
            self._handler(self._last_notification_id, ACTION_OPEN)


class ToastService(QObject):
    """Shows toasts with the first available backend and relays the user's actions.

    Signals:
        action_invoked(str, str): (notification id or "", action key): ``"open"`` for
            a click on the toast, ``"mark_read"`` or another button key.
        availability_changed(bool, str): whether toasts can be shown, with a
            translated sentence saying how or why not; emitted on changes only.
    """

    action_invoked = Signal(str, str)
    availability_changed = Signal(bool, str)

    def __init__(self, backends: Sequence[Notifier], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backends = list(backends)
        self._tasks: set[asyncio.Task[str | None]] = set()
        self._status: tuple[bool, str] | None = None
        self._backend: Notifier | None = None
        for backend in self._backends:
            backend.set_action_handler(self._on_backend_action)

    @property
    def status(self) -> tuple[bool, str]:
        """The last known (available, sentence); (False, "") before any check."""
        return self._status or (False, "")

    @property
    def backend_name(self) -> str | None:
        """Name of the backend in use, None if none works (or not checked yet)."""
        return self._backend.name if self._backend else None

    async def refresh(self) -> tuple[bool, str]:
        """Find the first available backend now and report the result."""
        reasons: list[str] = []
        for backend in self._backends:
            ok, reason = await backend.available()
            if ok:
                self._set_backend(backend, reason)
                return self.status
            reasons.append(f"{backend.name}: {reason}")
        self._set_backend(None, "; ".join(reasons) or self.tr("no notification backend"))
        return self.status

    async def show(self, toast: Toast) -> str | None:
        """Show ``toast`` with the first backend that works; None if none does."""
        for backend in self._backends:
            ok, reason = await backend.available()
            if not ok:
                continue
            try:
                toast_id = await backend.show(toast)
            except Exception:
                logger.warning("Toast backend %s failed", backend.name, exc_info=True)
                continue
            self._set_backend(backend, reason)
            return toast_id
        await self.refresh()
        logger.info("Toast not shown: %s", self.status[1])
        return None

    def show_soon(self, toast: Toast) -> asyncio.Task[str | None]:
        """Schedule :meth:`show` on the running loop (for non-async callers).

        The service keeps a reference to the task until it is done, so it is not
        garbage-collected midway.
        """
        task = asyncio.ensure_future(self.show(toast))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def aclose(self) -> None:
        """Release the backends' connections (at exit, and in tests)."""
        for backend in self._backends:
            close = getattr(backend, "aclose", None)
            if close is not None:
                await close()

    def _set_backend(self, backend: Notifier | None, reason: str) -> None:
        if backend is not None:
            status = (True, self.tr("Toasts are shown as {0}.").format(reason))
        else:
            status = (False, self.tr("Toasts cannot be shown: {0}.").format(reason))
        self._backend = backend
        if status != self._status:
            self._status = status
            self.availability_changed.emit(*status)

    def _on_backend_action(self, notification_id: str, action_key: str) -> None:
        logger.debug("Toast action %r", action_key)
        self.action_invoked.emit(notification_id, action_key)
