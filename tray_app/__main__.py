"""``python -m tray_app`` runs the same command line as ``tray-app``."""

import sys

from tray_app.cli import main

sys.exit(main())
