"""The real app controller in this process, its API clients observable and rewritable.

:class:`ObservedController` is the app's :class:`AppController` whose API clients report
every exchange to ``on_request`` and may go through a ``rewrite`` of the answers (a
server sending absurd counts). :class:`Profile` starts such controllers on the test's
qasync loop, sharing one set of folders and one in-memory keyring, so that starting a
second one after :meth:`Profile.quit` is a restart of the app.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tray_app.api.client import ApiClient
from tray_app.app.controller import AppController, AppOptions
from tray_app.credentials import MemoryCredentialStore
from tray_app.paths import AppPaths
from tray_app.reference_server import RunningServer
from tray_app.settings import SettingsStore

Rewrite = Callable[[dict[str, Any]], dict[str, Any]]
RequestHook = Callable[[str, str, int | None], None]


class RewritingTransport(httpx.AsyncBaseTransport):
    """The network, with the JSON of ``GET /api/notifications`` passed through ``rewrite``."""

    def __init__(self, rewrite: Callable[[], Rewrite | None]) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        rewrite = self._rewrite()
        if rewrite is None or request.url.path != "/api/notifications" or request.method != "GET":
            return response
        body = json.loads(await response.aread())
        await response.aclose()
        return httpx.Response(response.status_code, json=rewrite(body), request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class ObservedController(AppController):
    """The app's controller; its clients report to ``on_request`` and obey ``rewrite``."""

    on_request: RequestHook | None = None
    rewrite: Rewrite | None = None

    def _client_factory(self, url: str) -> ApiClient:
        client = ApiClient(url, transport=RewritingTransport(lambda: self.rewrite))
        client.on_request = self.on_request
        return client


class Profile:
    """One user's folders and keyring; controllers started on it share them."""

    def __init__(self, aloop: Any, root: Path, on_request: RequestHook | None = None) -> None:
        self.aloop = aloop
        self.paths = AppPaths(root=root)
        self.credentials = MemoryCredentialStore()
        self.on_request = on_request
        self.running: list[tuple[ObservedController, asyncio.Task[None]]] = []

    def start(self) -> ObservedController:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        settings = SettingsStore(self.paths.config_file("settings.json"))
        controller = ObservedController(app, settings, self.credentials, AppOptions(self.paths))
        controller.on_request = self.on_request
        task = asyncio.ensure_future(controller.run(), loop=self.aloop.loop)
        self.running.append((controller, task))
        return controller

    def sign_in(
        self, controller: AppController, server: RunningServer, email: str, pw: str
    ) -> None:
        self.aloop.run(controller.session.sign_in(server.url, email, pw, remember=True, totp=None))
        self.wait_synced(controller)

    def wait_synced(self, controller: AppController, timeout: float = 60.0) -> None:
        self.aloop.wait_until(
            lambda: controller.sync.last_synced is not None, timeout, "the first sync"
        )

    def quit(self, controller: AppController) -> None:
        """Quit as the tray's Quit entry does; wait until ``run()`` has returned."""
        task = next(t for c, t in self.running if c is controller)
        controller.quit()
        self.aloop.run(asyncio.shield(task), timeout=20.0)
        self.running = [(c, t) for c, t in self.running if c is not controller]
        for widget in (
            controller.windows.list_window,
            controller.windows.preferences,
            controller.windows.login_dialog,
        ):
            if widget is not None:
                widget.deleteLater()
        # The controller and its children go too: a burst timer of its toast coordinator
        # would otherwise fire during a later test, with no event loop left.
        controller.deleteLater()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                widget.close()  # the "no system tray" notice of an offscreen run
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    def close(self) -> None:
        for controller, task in list(self.running):
            if not task.done():
                self.quit(controller)
