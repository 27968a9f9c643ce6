"""``python -m tray_app.reference_server``: same as ``tray-app-server``."""

import sys

from .cli import main

sys.exit(main())
