"""The composition root: the only place that wires services to models and widgets."""

from tray_app.app.bootstrap import run_app

__all__ = ["run_app"]
