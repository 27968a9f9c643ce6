"""How the desktop recognises the app: its identifiers on each platform.

One place for the names that the packages (PyInstaller spec, Inno Setup script, AppStream
metadata) and the running app must agree on:

- :data:`APP_ID`, the reverse-DNS id: the AppStream component id on Linux and the
  ``CFBundleIdentifier`` of the macOS bundle (which attributes notifications to the app).
- :data:`WINDOWS_APP_USER_MODEL_ID`: the AppUserModelID of the Windows Start menu shortcut
  that the installer creates. The process must declare the same id at start-up, or
  Windows groups its windows and toasts under the Python interpreter instead of the app.

Free of Qt so that the packaging scripts can import it.
"""

from __future__ import annotations

import ctypes
import logging
import sys

__all__ = ["APP_ID", "WINDOWS_APP_USER_MODEL_ID", "set_app_user_model_id"]

log = logging.getLogger(__name__)

APP_ID = "io.github.trayapp.TrayApp"
"""Reverse-DNS id; macOS bundle ids allow no underscore, so none is used."""

WINDOWS_APP_USER_MODEL_ID = "TrayApp.TrayApp"
"""``CompanyName.ProductName``, as Windows documents it; ``packaging/windows/tray-app.iss``
puts the same value on the Start menu shortcut."""


def set_app_user_model_id(app_id: str = WINDOWS_APP_USER_MODEL_ID) -> bool:
    """Declare the process's AppUserModelID on Windows; do nothing elsewhere.

    Call it before any window or tray icon is created: the taskbar reads the id when the
    first window appears. Returns True when the id was set; a failure is logged, not
    raised, because the app works without it (only the grouping and attribution differ).
    """
    if sys.platform != "win32":
        return False
    try:
        shell32 = ctypes.windll.shell32
        result = shell32.SetCurrentProcessExplicitAppUserModelID(ctypes.c_wchar_p(app_id))
    except (AttributeError, OSError):
        log.warning("cannot set the AppUserModelID", exc_info=True)
        return False
    if result != 0:  # an HRESULT: 0 is S_OK
        log.warning("SetCurrentProcessExplicitAppUserModelID failed: 0x%08X", result & 0xFFFFFFFF)
        return False
    return True
