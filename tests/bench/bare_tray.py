"""The baseline of footprint and start-up: a bare PySide6 process showing a tray icon.

It shows the app's own icon file (so both load the same image plugin) and nothing
else: no asyncio, no network, no D-Bus client of its own. SIGTERM ends it (the default
action: there is no Python handler to wake).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "tray-app.svg"


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    tray = QSystemTrayIcon(QIcon(str(ICON)))
    tray.setToolTip("bare tray")
    tray.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
