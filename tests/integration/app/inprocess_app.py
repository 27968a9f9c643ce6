"""Helpers of the in-process app tests: start and quit controllers, read the server.

:class:`AppFactory` runs real :class:`~tray_app.app.controller.AppController` objects
on the test's qasync loop; the ``seed``/``server_rows`` helpers go behind the app's back
to the reference server (test-control API, SQL) to check what really reached it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tray_app.app.controller import AppController, AppOptions
from tray_app.credentials import MemoryCredentialStore
from tray_app.paths import AppPaths
from tray_app.reference_server import RunningServer
from tray_app.settings import SettingsStore

EMAIL = "user@example.com"
PASSWORD = "password-123"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"

LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)


@dataclass
class RunningApp:
    """One started controller and the task of its ``run()``."""

    controller: AppController
    task: asyncio.Task[None]

    @property
    def running(self) -> bool:
        return not self.task.done()


class AppFactory:
    """Starts controllers that share one profile (paths, settings file, keyring).

    Starting a second controller after :meth:`quit` is a restart of the app: it finds
    the settings, the stored token and the outbox file the first one left.
    """

    def __init__(self, aloop: LoopRunner, root: Path) -> None:
        self._aloop = aloop
        self.paths = AppPaths(root=root)
        self.credentials = MemoryCredentialStore()
        self.started: list[RunningApp] = []

    def start(self) -> AppController:
        """A new controller whose ``run()`` is running (signed in if a session is stored)."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        settings = SettingsStore(self.paths.config_file("settings.json"))
        controller = AppController(app, settings, self.credentials, AppOptions(self.paths))
        task = asyncio.ensure_future(controller.run(), loop=self._aloop.loop)
        self.started.append(RunningApp(controller, task))
        return controller

    def sign_in(self, controller: AppController, server: RunningServer) -> None:
        """Sign in as the test user, remembering the password, and wait for the first sync."""
        self._aloop.run(
            controller.session.sign_in(server.url, EMAIL, PASSWORD, remember=True, totp=None)
        )
        self._aloop.wait_until(
            lambda: controller.sync.last_synced is not None, message="the first sync"
        )

    def quit(self, controller: AppController) -> None:
        """Quit like the tray's Quit entry, and wait until ``run()`` has returned."""
        running = next(r for r in self.started if r.controller is controller)
        controller.quit()
        self._aloop.run(asyncio.shield(running.task), timeout=15.0)
        _dispose(controller)

    def close_all(self) -> None:
        """Quit the controllers still running; re-raise the first that crashed."""
        crashed: list[BaseException] = []
        for running in self.started:
            task = running.task
            if not task.done():
                self.quit(running.controller)
            elif not task.cancelled() and (error := task.exception()) is not None:
                crashed.append(error)
        if crashed:
            raise crashed[0]


class ErrorLog(logging.Handler):
    """Collects the ERROR records logged while it is installed on the root logger.

    The app logs the failures of its background tasks instead of raising them: a test
    must fail on them all the same.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger().removeHandler(self)

    def messages(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records]


def _dispose(controller: AppController) -> None:
    """Delete the windows a controller built (they have no Qt parent) and stray notices."""
    windows = controller.windows
    for widget in (windows.list_window, windows.preferences, windows.login_dialog):
        if widget is not None:
            widget.deleteLater()
    for top in QApplication.topLevelWidgets():
        # The "no system tray" notice of an offscreen run deletes itself on close.
        if isinstance(top, QMessageBox) and top.isVisible():
            top.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


# --- the server's side ------------------------------------------------------------------


def seed(server: RunningServer, **fields: Any) -> Any:
    """Create rows for the test user through the test-control API (published on the stream).

    With ``count`` a list of rows comes back, else one row.
    """
    body = {"email": EMAIL, "type": "job_completed", **fields}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=5.0)
    assert response.status_code == 201, response.text
    return response.json()


def server_rows(server: RunningServer) -> dict[str, bool]:
    """The test user's notifications on the server: id -> is_read."""
    rows = server.sql(
        "SELECT n.id, n.is_read FROM notifications n JOIN users u ON u.id = n.user_id"
        " WHERE u.email = ?",
        (EMAIL,),
    )
    return {row[0]: bool(row[1]) for row in rows}


def server_unread(server: RunningServer) -> int:
    return sum(not is_read for is_read in server_rows(server).values())


def user_client(server: RunningServer) -> httpx.Client:
    """A plain HTTP client logged in as the test user (as the web app would be)."""
    client = httpx.Client(base_url=server.url, timeout=5.0)
    response = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = client.cookies.get("token") or response.json().get("token")
    client.headers["Authorization"] = f"Bearer {token}"
    return client
