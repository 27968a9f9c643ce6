"""Wires the services to the tray icon, the windows and each other.

Widgets emit intents (``mark_read_requested(id)``...); this controller turns them into
service calls, and service signals into widget updates. It is the only module that
knows both sides.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time as time_module
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, TotpRequired
from tray_app.core.outbox import Outbox
from tray_app.core.schedule import RequestBudget, UpdateSpeed
from tray_app.core.silence import QuietHours, Silence, pause_for, pause_until_tomorrow
from tray_app.core.store import NotificationStore, StoreListener
from tray_app.credentials import CredentialStore
from tray_app.paths import AppPaths
from tray_app.resources import app_icon_svg
from tray_app.services.account import AccountManager
from tray_app.services.actions import ActionService
from tray_app.services.jobs import JobWatcher
from tray_app.services.notifier import (
    CallableBackend,
    DesktopNotifierBackend,
    Notifier,
    ToastService,
)
from tray_app.services.preferences import PreferencesService
from tray_app.services.session import SessionService
from tray_app.services.sync import SyncService
from tray_app.services.toasts import ToastCoordinator
from tray_app.settings import Settings, SettingsStore
from tray_app.ui.messages import login_error_text
from tray_app.ui.tray_icon import TrayIcon

if TYPE_CHECKING:
    from tray_app.api.models import Notification
    from tray_app.app.demo import DemoServer
    from tray_app.app.windows import Windows
    from tray_app.core.toast_policy import JobTransition

log = logging.getLogger(__name__)

#: Toast preferences older than this are reloaded before the next toast is decided.
_PREFS_MAX_AGE_S = 60.0
#: How long a toast may wait for that reload (then the cached preferences decide).
_PREFS_WAIT_S = 3.0


@dataclass(frozen=True)
class AppOptions:
    paths: AppPaths
    demo: DemoServer | None = None
    server_prefill: str | None = None
    ca_bundle: str | None = None


class _UnreadListener(StoreListener):
    def __init__(self, controller: AppController) -> None:
        self._controller = controller

    def unread_changed(self, count: int) -> None:
        self._controller.update_tray()


class AppController(QObject):
    """Owns every service and window of the running app.

    Signals:
        server_state_changed(str, str): for the preferences dialog: ``ok``, ``loading``,
            ``offline`` or ``signed_out``, and a message.
        account_changed(object, object): server URL and email, or None and None.
        pause_changed(object): toasts paused until this aware datetime, or None.
    """

    server_state_changed = Signal(str, str)
    account_changed = Signal(object, object)
    pause_changed = Signal(object)

    def __init__(
        self,
        app: QApplication,
        settings: SettingsStore,
        credentials: CredentialStore,
        options: AppOptions,
    ) -> None:
        super().__init__()
        self._app = app
        self._settings = settings
        self._options = options
        self._quit = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connection = "connecting"
        self._toast_gate = asyncio.Lock()
        self._prefs_loaded_at = -math.inf
        self._last_sync: datetime | None = None
        paths = options.paths
        self.store = NotificationStore()
        self.store.add_listener(_UnreadListener(self))
        self.tray = TrayIcon()
        self.toast_service = self._build_toast_service()
        accounts = AccountManager(settings, credentials, self._client_factory)
        self.session = SessionService(accounts, parent=self)
        budget = RequestBudget()
        rng = random.Random()
        outbox = Outbox(paths.state_file("outbox.json"), rng=rng)
        self.actions = ActionService(self.store, outbox, budget=budget, parent=self)
        self.sync = SyncService(
            self.store,
            actions=self.actions,
            seen_path=paths.state_file("seen.json"),
            budget=budget,
            rng=rng,
            parent=self,
        )
        self.jobs = JobWatcher(budget=budget, rng=rng, parent=self)
        self.prefs = PreferencesService(paths.state_file("preferences.json"), parent=self)
        self.toasts = ToastCoordinator(
            self.toast_service,
            paths.state_file("toasted.json"),
            preferences=self.prefs.preferences,
            parent=self,
        )
        self._windows: Windows | None = None
        self._apply_settings(settings.load())
        self._wire()

    # -- life cycle -------------------------------------------------------------------

    async def run(self) -> None:
        """Start everything, then wait until the user quits."""
        self.tray.show()
        self.update_tray()
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self._no_tray()
        self._spawn(self.toast_service.refresh())
        self.jobs.start()
        demo = self._options.demo
        if demo is not None:
            await self.session.sign_in(
                demo.url, demo.email, demo.password, remember=True, totp=None
            )
        elif not await self.session.start():
            self.open_login()
        await self._quit.wait()
        await self._shutdown()

    def quit(self) -> None:
        self._quit.set()

    async def _shutdown(self) -> None:
        if self._windows is not None:
            self._windows.close_all()
        self.tray.hide()
        for service in (self.sync, self.actions, self.jobs):
            await service.stop()
        await self.session.aclose()
        await self.toast_service.aclose()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def on_instance_message(self, message: str) -> None:
        if message == "open":
            self.open_main()

    def show_unexpected_error(self, message: str) -> None:
        QMessageBox.warning(
            None,
            self.tr("Unexpected error"),
            self.tr("Something went wrong: %s\nDetails are in the log file.") % message,
        )

    # -- wiring -----------------------------------------------------------------------

    def _wire(self) -> None:
        tray = self.tray
        tray.open_requested.connect(self.open_main)
        tray.mark_all_read_requested.connect(self.actions.mark_all_read)
        tray.pause_requested.connect(self.pause_toasts)
        tray.preferences_requested.connect(self._open_preferences)
        tray.refresh_requested.connect(self.sync.refresh_now)
        tray.sign_in_requested.connect(self.open_login)
        tray.sign_out_requested.connect(self.sign_out)
        tray.quit_requested.connect(self.quit)

        self.session.client_changed.connect(self._on_session_client_changed)
        self.session.state_changed.connect(lambda _state: self.update_tray())
        self.session.signed_out.connect(self._on_session_signed_out)

        self.sync.connection_changed.connect(self._on_sync_connection_changed)
        self.sync.synced.connect(self._on_sync_synced)
        self.sync.new_notifications.connect(self._on_new_notifications)
        self.sync.auth_failed.connect(self.session.auth_failed)
        self.actions.auth_failed.connect(self.session.auth_failed)
        self.sync.action_failed.connect(self._on_action_failed)

        self.jobs.transitions.connect(self._on_job_transitions)
        self.jobs.active_jobs_changed.connect(tray.set_jobs)
        self.jobs.busy_changed.connect(lambda busy: self.sync.set_active("job", busy))

        self.prefs.preferences_changed.connect(self.toasts.set_preferences)
        self.toasts.open_requested.connect(self.open_main)
        self.toasts.mark_read_requested.connect(self.actions.mark_read)
        self.toast_service.availability_changed.connect(self._on_toast_availability_changed)

    @property
    def windows(self) -> Windows:
        """The windows; built, and their modules imported, the first time one is needed.

        The list window, the dialogs and the item model cost an idle tray app start-up
        time (about 0.1 s of imports) that it does not need until the user opens one.
        """
        if self._windows is None:
            from tray_app.app.windows import Windows

            windows = self._windows = Windows(self.store, self._settings, self)
            windows.list_window_created.connect(self._wire_list_window)
            windows.login_dialog_created.connect(self._wire_login_dialog)
            windows.preferences_created.connect(self._wire_preferences)
            windows.list_visible_changed.connect(
                lambda visible: self.sync.set_active("window", visible)
            )
        return self._windows

    def _wire_list_window(self, window: Any) -> None:
        window.mark_read_requested.connect(self.actions.mark_read)
        window.delete_requested.connect(self.actions.delete)
        window.mark_all_read_requested.connect(self.actions.mark_all_read)
        window.delete_read_requested.connect(self.actions.delete_read)
        window.refresh_requested.connect(self.sync.refresh_now)
        window.retry_requested.connect(self.sync.refresh_now)
        window.unread_only_changed.connect(self.sync.set_unread_only)
        model = self.windows.model
        assert model is not None
        model.fetch_more_requested.connect(self.sync.load_more)
        self._update_window_state()

    def _wire_login_dialog(self, dialog: Any) -> None:
        dialog.login_requested.connect(self._on_login_requested)

    def _wire_preferences(self, dialog: Any) -> None:
        from tray_app.app.preferences_wiring import wire_preferences

        wire_preferences(self, dialog)

    # -- intents ----------------------------------------------------------------------

    def open_main(self, select_id: str = "") -> None:
        if self.session.state_name in ("signed_out", "expired"):
            self.open_login()
        else:
            self.windows.open_list(select_id)

    def _open_preferences(self) -> None:
        self.windows.open_preferences()

    def open_login(self) -> None:
        account = self.session.accounts.account
        server = self._options.server_prefill or (account.server_url if account else "")
        self.windows.open_login(server, account.email if account else "")

    def _on_login_requested(
        self, server_url: str, email: str, password: str, remember: bool, totp: str
    ) -> None:
        self._spawn(self._sign_in(server_url, email, password, remember, totp))

    async def _sign_in(
        self, server_url: str, email: str, password: str, remember: bool, totp: str
    ) -> None:
        dialog = self.windows.login_dialog
        assert dialog is not None
        dialog.set_busy(True)
        try:
            await self.session.sign_in(
                server_url, email, password, remember=remember, totp=totp or None
            )
        except TotpRequired:
            dialog.set_busy(False)
            dialog.show_totp_required()
            return
        except ApiError as exc:
            dialog.set_busy(False)
            dialog.show_error(login_error_text(exc, totp_sent=bool(totp)))
            return
        dialog.set_busy(False)
        dialog.accept()
        self.update_tray()  # the keyring may have failed while storing the secrets

    @property
    def settings(self) -> SettingsStore:
        return self._settings

    def sign_out(self) -> None:
        self._spawn(self.session.sign_out())

    def switch_server(self) -> None:
        self._spawn(self._switch_server())

    async def _switch_server(self) -> None:
        await self.session.sign_out()
        self.open_login()

    def announce_state(self) -> None:
        """Send the current account, server and pause state to whoever just connected."""
        account = self.session.accounts.account
        signed_in = self.session.state_name not in ("signed_out", "expired", "signing_in")
        self.account_changed.emit(
            account.server_url if account and signed_in else None,
            account.email if account and signed_in else None,
        )
        if not signed_in:
            self.server_state_changed.emit("signed_out", "")
        elif self._connection == "online":
            self.server_state_changed.emit("ok", "")
        else:
            self.server_state_changed.emit("offline", "")
        self.pause_changed.emit(_parse_time(self._settings.load().toasts_paused_until))

    def pause_toasts(self, what: str) -> None:
        now = datetime.now().astimezone()
        until = {"1h": lambda: pause_for(now), "tomorrow": lambda: pause_until_tomorrow(now)}
        chosen = until[what]() if what in until else None
        settings = self._settings.update(toasts_paused_until=chosen.isoformat() if chosen else "")
        self._apply_settings(settings)

    def apply_settings(self, settings: Settings) -> None:
        self._apply_settings(settings)

    def _apply_settings(self, settings: Settings) -> None:
        paused = _parse_time(settings.toasts_paused_until)
        quiet = None
        if settings.quiet_hours_enabled:
            quiet = QuietHours(
                time.fromisoformat(settings.quiet_start), time.fromisoformat(settings.quiet_end)
            )
        self.toasts.set_silence(Silence(paused_until=paused, quiet_hours=quiet))
        self.tray.set_paused_until(paused)
        self.pause_changed.emit(paused)
        speed = UpdateSpeed(settings.update_speed)
        self.sync.set_speed(speed)
        self.jobs.set_speed(speed)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._options.paths.log_dir)))

    # -- service events ---------------------------------------------------------------

    def _on_session_client_changed(self, client: ApiClient | None) -> None:
        self.sync.set_client(client)
        self.actions.set_client(client)
        self.jobs.set_client(client)
        self.prefs.set_client(client)
        if client is not None:
            self._prefs_loaded_at = time_module.monotonic()
            self.prefs.load()
        self.update_tray()
        self.announce_state()

    def _on_new_notifications(self, rows: list[Notification], catch_up: bool) -> None:
        self._spawn(
            self._toast_with_fresh_preferences(self.toasts.on_new_notifications, rows, catch_up)
        )

    def _on_job_transitions(self, transitions: list[JobTransition]) -> None:
        self._spawn(self._toast_with_fresh_preferences(self.toasts.on_job_transitions, transitions))

    async def _toast_with_fresh_preferences(self, deliver: Callable[..., None], *args: Any) -> None:
        """Decide toasts with preferences at most a minute old.

        The user can change the ``*_toast`` switches in the web front end at any time;
        reloading them only when there is something to toast costs no request while
        idle. Deliveries are serialised so toasts keep the order of events.
        """
        async with self._toast_gate:
            now = time_module.monotonic()
            if self.session.client is not None and now - self._prefs_loaded_at > _PREFS_MAX_AGE_S:
                self._prefs_loaded_at = now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self.prefs.load()), _PREFS_WAIT_S)
            deliver(*args)

    def _on_session_signed_out(self, reason: str) -> None:
        if reason == "logged_out":
            # Actions of the account signed out of must not reach the next account.
            self.actions.clear_pending()
        self.store.clear()
        self.update_tray()
        if reason != "logged_out":
            log.info("session ended: %s", reason)

    def _on_sync_connection_changed(self, state: str, message: str) -> None:
        self._connection = state
        self.session.connection_changed(state, self._last_sync)
        self.update_tray()
        self._update_window_state(message)
        self.announce_state()

    def _on_sync_synced(self, when: datetime) -> None:
        self._last_sync = when
        self.update_tray()

    def _on_action_failed(self, message: str) -> None:
        window = self._windows.list_window if self._windows is not None else None
        if window is not None and window.isVisible():
            window.set_state("error", message)
        else:
            self.tray.system_tray_icon.showMessage(
                self.tr("Action undone"), message, QSystemTrayIcon.MessageIcon.Warning
            )

    def _on_toast_availability_changed(self, available: bool, reason: str) -> None:
        self.tray.set_toast_status(available, reason)

    # -- display ----------------------------------------------------------------------

    def update_tray(self) -> None:
        state = self.session.state_name
        signed_in = state not in ("signed_out", "expired", "signing_in")
        connection = self._connection if signed_in else "offline"
        if connection not in ("online", "connecting", "offline"):
            connection = "offline"
        account = self.session.accounts.account
        host = urlsplit(account.server_url).hostname or "" if account else ""
        if self._options.demo is not None:
            host = urlsplit(self._options.demo.url).netloc
        unread = self.store.unread_count if signed_in else 0
        self.tray.set_state(unread, connection, host, self._last_sync, signed_in)
        self.tray.set_keyring_problem(bool(self.session.accounts.keyring_problem))

    def _update_window_state(self, message: str = "") -> None:
        window = self._windows.list_window if self._windows is not None else None
        if window is None:
            return
        if self._connection == "online":
            window.set_state("ready")
        elif self._connection == "connecting":
            window.set_state("loading")
        elif self._connection == "offline":
            window.set_state("offline", message, self._last_sync)
        else:
            window.set_state("error", message)

    def _no_tray(self) -> None:
        log.warning("no system tray: the app is used from its window")
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("No system tray"),
            self.tr(
                "Your desktop has no system tray, so the notification icon cannot be shown. "
                "The app stays available from its window; closing it keeps the app running."
            ),
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.windows.open_list()

    # -- helpers ----------------------------------------------------------------------

    def _client_factory(self, url: str) -> ApiClient:
        verify: bool | str = self._options.ca_bundle or self._settings.load().ca_bundle or True
        return ApiClient(url, verify=verify)

    def _build_toast_service(self) -> ToastService:
        icon = app_icon_svg()
        app_name = self.tr("Mail Notifications")
        tray_icon = self.tray.system_tray_icon
        fallback = CallableBackend(
            lambda title, body: tray_icon.showMessage(title, body),
            # Without a tray host, showMessage draws nothing anyone would see.
            is_available=lambda: (
                QSystemTrayIcon.isSystemTrayAvailable() and tray_icon.supportsMessages()
            ),
        )
        tray_icon.messageClicked.connect(fallback.message_clicked)
        backends: list[Notifier] = [DesktopNotifierBackend(app_name, icon), fallback]
        return ToastService(backends, parent=self)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task failed", exc_info=task.exception())


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
