"""Toast backends and the service that falls back between them."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from desktop_notifier import Capability, Notification, Urgency

from tray_app.core.toast import Toast
from tray_app.services.notifier import (
    ActionHandler,
    CallableBackend,
    DesktopNotifierBackend,
    Notifier,
    ToastService,
    escape_markup,
)

T = TypeVar("T")
TOAST = Toast(
    title="Export <done> & ready",
    body="<b>x</b> & co",
    urgency="critical",
    icon_path=Path("/usr/share/icons/tray-app.png"),
    notification_id="n-1",
    buttons=(("mark_read", "Mark as read"),),
)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class FakeBackend:
    """A backend with a fixed availability that records what it shows."""

    def __init__(self, name: str, ok: bool = True, fails: bool = False) -> None:
        self.name = name
        self.ok = ok
        self.fails = fails
        self.shown: list[Toast] = []
        self.handler: ActionHandler | None = None

    def set_action_handler(self, handler: ActionHandler) -> None:
        self.handler = handler

    async def available(self) -> tuple[bool, str]:
        return self.ok, f"{self.name} is {'up' if self.ok else 'down'}"

    async def show(self, toast: Toast) -> str | None:
        if self.fails:
            raise RuntimeError("daemon vanished")
        self.shown.append(toast)
        return f"{self.name}-{len(self.shown)}"


class Recorder:
    def __init__(self, service: ToastService) -> None:
        self.availability: list[tuple[bool, str]] = []
        self.actions: list[tuple[str, str]] = []
        service.availability_changed.connect(lambda ok, why: self.availability.append((ok, why)))
        service.action_invoked.connect(lambda nid, key: self.actions.append((nid, key)))


def test_markup_is_escaped_once() -> None:
    assert escape_markup("<b>x</b> & co") == "&lt;b&gt;x&lt;/b&gt; &amp; co"
    assert escape_markup('l\'été "quoted"') == 'l\'été "quoted"'


def test_fakes_satisfy_the_protocol() -> None:
    assert isinstance(FakeBackend("a"), Notifier)
    assert isinstance(CallableBackend(lambda title, body: None), Notifier)


def test_first_available_backend_is_used() -> None:
    first, second, third = FakeBackend("a", ok=False), FakeBackend("b"), FakeBackend("c")
    service = ToastService([first, second, third])
    seen = Recorder(service)
    assert run(service.show(TOAST)) == "b-1"
    assert (first.shown, second.shown, third.shown) == ([], [TOAST], [])
    assert service.backend_name == "b"
    assert seen.availability == [(True, "Toasts are shown as b is up.")]
    assert service.status == (True, "Toasts are shown as b is up.")


def test_failing_backend_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    broken, spare = FakeBackend("a", fails=True), FakeBackend("b")
    service = ToastService([broken, spare])
    with caplog.at_level(logging.WARNING):
        assert run(service.show(TOAST)) == "b-1"
    assert spare.shown == [TOAST]
    assert "Toast backend a failed" in caplog.text


def test_no_backend_reports_why() -> None:
    service = ToastService([FakeBackend("a", ok=False), FakeBackend("b", ok=False)])
    seen = Recorder(service)
    assert run(service.show(TOAST)) is None
    assert seen.availability == [(False, "Toasts cannot be shown: a: a is down; b: b is down.")]
    assert service.backend_name is None


def test_availability_is_reported_on_changes_only() -> None:
    backend = FakeBackend("a")
    service = ToastService([backend])
    seen = Recorder(service)
    run(service.show(TOAST))
    run(service.show(TOAST))
    backend.ok = False
    run(service.show(TOAST))
    run(service.refresh())
    backend.ok = True
    run(service.refresh())
    assert [ok for ok, _why in seen.availability] == [True, False, True]


def test_actions_are_relayed_as_a_signal() -> None:
    backend = FakeBackend("a")
    service = ToastService([backend])
    seen = Recorder(service)
    assert backend.handler is not None
    backend.handler("n-1", "mark_read")
    backend.handler("", "open")
    assert seen.actions == [("n-1", "mark_read"), ("", "open")]


def test_show_soon_schedules_on_the_running_loop() -> None:
    backend = FakeBackend("a")
    service = ToastService([backend])

    async def main() -> None:
        task = service.show_soon(TOAST)
        assert backend.shown == []  # not yet: it is a task
        assert await asyncio.wait_for(task, 5) == "a-1"

    run(main())
    assert backend.shown == [TOAST]


def test_toast_validates_its_fields() -> None:
    with pytest.raises(ValueError):
        Toast(title="t", urgency="urgent")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Toast(title="t", buttons=(("open", "Open"),))
    with pytest.raises(ValueError):
        Toast(title="t", buttons=(("a", "A"), ("a", "B")))


# --- the fallback backend around QSystemTrayIcon.showMessage -------------------------


def test_callable_backend_escapes_and_reports_clicks() -> None:
    messages: list[tuple[str, str]] = []
    backend = CallableBackend(
        lambda title, body: messages.append((title, body)), escape_markup=True
    )
    actions: list[tuple[str, str]] = []
    backend.set_action_handler(lambda nid, key: actions.append((nid, key)))
    assert run(backend.show(TOAST)) is None
    assert messages == [(TOAST.title, "&lt;b&gt;x&lt;/b&gt; &amp; co")]
    backend.message_clicked()
    assert actions == [("n-1", "open")]


def test_callable_backend_plain_body_and_availability() -> None:
    messages: list[tuple[str, str]] = []
    supported = False
    backend = CallableBackend(
        lambda title, body: messages.append((title, body)),
        is_available=lambda: supported,
        escape_markup=False,
    )
    assert run(backend.available())[0] is False
    supported = True
    assert run(backend.available())[0] is True
    run(backend.show(TOAST))
    assert messages == [(TOAST.title, TOAST.body)]


# --- desktop-notifier, with a stand-in for the platform ------------------------------


class FakeDesktopNotifier:
    """Plays desktop-notifier's DesktopNotifier: capabilities and send_notification."""

    def __init__(
        self,
        capabilities: frozenset[Capability] = frozenset({Capability.BUTTONS}),
        delivers: bool = True,
    ) -> None:
        self.capabilities = capabilities
        self.delivers = delivers
        self.sent: list[Notification] = []
        self.hang = False

    async def get_capabilities(self) -> frozenset[Capability]:
        if self.hang:
            await asyncio.Event().wait()
        return self.capabilities

    async def send_notification(self, notification: Notification) -> str:
        self.sent.append(notification)
        # The real one swallows delivery errors; only on_dispatched tells success.
        if self.delivers and notification.on_dispatched:
            notification.on_dispatched()
        return notification.identifier


def make_backend(
    fake: FakeDesktopNotifier, markup: bool = True, timeout: float = 1.0
) -> DesktopNotifierBackend:
    async def probe() -> bool:
        return markup

    return DesktopNotifierBackend(
        "Mail Notifications",
        probe_timeout=timeout,
        notifier=fake,  # type: ignore[arg-type]
        markup_probe=probe,
    )


def test_desktop_notifier_body_escaped_for_markup_daemons() -> None:
    fake = FakeDesktopNotifier()
    backend = make_backend(fake, markup=True)
    identifier = run(backend.show(TOAST))
    (sent,) = fake.sent
    assert identifier == sent.identifier
    assert sent.title == TOAST.title  # the summary is never markup
    assert sent.message == "&lt;b&gt;x&lt;/b&gt; &amp; co"
    assert sent.urgency is Urgency.Critical
    assert sent.icon is not None and sent.icon.path == TOAST.icon_path
    assert [(b.identifier, b.title) for b in sent.buttons] == [("mark_read", "Mark as read")]


def test_desktop_notifier_body_plain_without_body_markup() -> None:
    fake = FakeDesktopNotifier()
    run(make_backend(fake, markup=False).show(TOAST))
    assert fake.sent[0].message == TOAST.body


def test_desktop_notifier_callbacks_carry_the_notification_id() -> None:
    fake = FakeDesktopNotifier()
    backend = make_backend(fake)
    actions: list[tuple[str, str]] = []
    backend.set_action_handler(lambda nid, key: actions.append((nid, key)))
    run(backend.show(TOAST))
    run(backend.show(Toast(title="3 new notifications", category="summary")))
    first, summary = fake.sent
    assert first.on_clicked is not None and summary.on_clicked is not None
    first.on_clicked()
    button = first.buttons[0]
    assert button.on_pressed is not None
    button.on_pressed()
    summary.on_clicked()
    assert actions == [("n-1", "open"), ("n-1", "mark_read"), ("", "open")]


def test_desktop_notifier_undelivered_toast_raises_and_marks_unavailable() -> None:
    fake = FakeDesktopNotifier(delivers=False)
    backend = make_backend(fake)
    with pytest.raises(RuntimeError):
        run(backend.show(TOAST))
    assert run(backend.available())[0] is False


def test_desktop_notifier_probe_is_time_boxed() -> None:
    fake = FakeDesktopNotifier()
    fake.hang = True
    ok, reason = run(make_backend(fake, timeout=0.05).available())
    assert not ok
    assert "no answer" in reason


def test_desktop_notifier_without_capabilities_is_unavailable() -> None:
    ok, reason = run(make_backend(FakeDesktopNotifier(capabilities=frozenset())).available())
    assert not ok and "not supported" in reason


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="D-Bus backend")
def test_real_desktop_notifier_without_a_bus(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No session bus (a headless login, a broken session): unavailable, and fast."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    backend = DesktopNotifierBackend("Mail Notifications", probe_timeout=2.0)
    ok, reason = run(backend.available())
    assert not ok
    assert "unavailable" in reason or "no answer" in reason
    spare = FakeBackend("tray")
    service = ToastService([backend, spare])
    assert run(service.show(TOAST)) == "tray-1"
