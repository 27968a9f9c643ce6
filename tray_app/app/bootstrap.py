"""Start-up: QApplication, asyncio on the Qt loop, logging, translations, one instance."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from tray_app import __version__
from tray_app.app.controller import AppController, AppOptions
from tray_app.credentials import KeyringCredentialStore, MemoryCredentialStore
from tray_app.i18n import install_translators
from tray_app.logging_setup import install_excepthook, setup_logging
from tray_app.paths import AppPaths
from tray_app.platform_integration import set_app_user_model_id
from tray_app.resources import app_icon_svg
from tray_app.settings import SettingsStore
from tray_app.single_instance import SingleInstance, default_socket_name

if TYPE_CHECKING:
    from tray_app.app.demo import DemoServer

log = logging.getLogger(__name__)

APP_NAME = "tray-app"


def run_app(args: argparse.Namespace) -> int:
    """Run the tray app until the user quits; returns the process exit code."""
    set_app_user_model_id()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(app_icon_svg())))

    demo = _start_demo() if args.demo else None
    paths = AppPaths(root=demo.root / "app") if demo else AppPaths()
    settings = SettingsStore(paths.config_file("settings.json"))
    current = settings.load()
    setup_logging(paths.log_dir, args.log_level or current.log_level)
    # At DEBUG httpcore logs raw headers (Set-Cookie: token=...) and qasync the results
    # of worker-thread calls (a password read from the keyring): keep them quieter.
    for noisy in ("httpcore", "httpx", "hpack", "qasync", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    install_translators(app, current.language)
    app.setApplicationDisplayName(QCoreApplication.translate("App", "Mail Notifications"))
    log.info("tray-app %s starting%s", __version__, " in demo mode" if demo else "")

    instance = SingleInstance(default_socket_name("demo" if demo else ""))
    if not instance.claim():
        log.info("already running: asked the running instance to open its window")
        print("tray-app is already running; its window was opened.")
        if demo:
            demo.close()
        return 0

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    options = AppOptions(
        paths=paths,
        demo=demo,
        server_prefill=args.server,
        ca_bundle=args.ca_bundle,
    )
    credentials = MemoryCredentialStore() if demo else KeyringCredentialStore()
    controller = AppController(app, settings, credentials, options)
    install_excepthook(controller.show_unexpected_error)
    _quit_on_signals(loop, controller.quit)
    instance.message_received.connect(controller.on_instance_message)
    try:
        with loop:
            loop.run_until_complete(controller.run())
    finally:
        instance.release()
        if demo:
            demo.close()
    log.info("tray-app stopped")
    return 0


def _quit_on_signals(loop: asyncio.AbstractEventLoop, quit_app: Callable[[], None]) -> None:
    """Quit on SIGINT and SIGTERM (Ctrl+C, the session ending), even while idle.

    Through the loop, whose self-pipe wakes the Qt event loop at once. A plain
    ``signal.signal`` handler runs only when Python code next runs, which an idle app
    (signed out, nothing polling) may not do at all: it would ignore the session's
    SIGTERM until killed. Where the loop cannot (Windows), fall back to that handler.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, quit_app)
        except (NotImplementedError, RuntimeError):
            signal.signal(signum, lambda *_: quit_app())


def _start_demo() -> DemoServer:
    from tray_app.app.demo import start_demo_server  # the server's modules load only here

    return start_demo_server()
