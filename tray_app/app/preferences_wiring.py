"""Connects the preferences dialog to the preferences service and the local settings."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from tray_app import autostart
from tray_app.ui.preferences_dialog import PreferencesDialog

if TYPE_CHECKING:
    from tray_app.app.controller import AppController

log = logging.getLogger(__name__)


def wire_preferences(controller: AppController, dialog: PreferencesDialog) -> None:
    """Fill ``dialog`` from the current state and route its intents."""
    prefs = controller.prefs
    dialog.preference_changed.connect(prefs.set_preference)
    dialog.reset_requested.connect(lambda: _reset(controller, dialog))
    dialog.refresh_requested.connect(prefs.load)
    dialog.test_toast_requested.connect(controller.toasts.test_toast)
    dialog.sign_out_requested.connect(controller.sign_out)
    dialog.switch_server_requested.connect(controller.switch_server)
    dialog.resume_toasts_requested.connect(lambda: controller.pause_toasts("resume"))
    dialog.open_log_folder_requested.connect(controller.open_log_folder)
    dialog.app_setting_changed.connect(lambda key, value: _on_app_setting(controller, key, value))

    prefs.preferences_changed.connect(dialog.set_server_preferences)
    prefs.saved.connect(dialog.preference_saved)
    prefs.save_failed.connect(dialog.preference_failed)
    controller.toast_service.availability_changed.connect(
        lambda ok, reason: dialog.set_toast_backend(
            controller.toast_service.backend_name or "", ok, reason
        )
    )
    controller.server_state_changed.connect(dialog.set_server_state)
    controller.account_changed.connect(dialog.set_account)
    controller.pause_changed.connect(dialog.set_pause_state)

    settings = controller.settings.load()
    dialog.load_app_settings(settings)
    controller.announce_state()
    available, reason = controller.toast_service.status
    dialog.set_toast_backend(controller.toast_service.backend_name or "", available, reason)
    dialog.set_server_preferences(prefs.preferences)


def _reset(controller: AppController, dialog: PreferencesDialog) -> None:
    task = controller.prefs.reset_to_defaults()

    def done(finished: asyncio.Task[bool]) -> None:
        if finished.cancelled() or not finished.result():
            dialog.reset_failed(
                QCoreApplication.translate(
                    "Preferences", "The defaults were not saved: the server could not be reached."
                )
            )

    task.add_done_callback(done)


def _on_app_setting(controller: AppController, key: str, value: Any) -> None:
    if key == "start_at_login":
        try:
            if value:
                autostart.enable()
            else:
                autostart.disable()
        except OSError as exc:
            log.warning("cannot change start at login: %s", exc)
            return
    settings = controller.settings.update(**{key: value})
    controller.apply_settings(settings)
