"""The README's first command: a fresh virtualenv with only ``pip install '.[demo]'``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .app_process import AppProcess, app_environment

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(600)
def test_demo_runs_from_a_fresh_virtualenv(tmp_path, session_bus, screenshot):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"{REPO}[demo]"],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    # Not the source tree: the installed copy must carry its icons and translations.
    app = AppProcess(
        app_environment(tmp_path / "home"),
        args=("--demo",),
        command=(str(venv / "bin" / "tray-app"),),
    )
    try:
        app.start(session_bus).wait_item(session_bus, timeout=60)
        tip = app.wait_tooltip(session_bus, "unread -", timeout=60)
        assert "Signed out" not in tip.title
        assert app.process is not None
        installed = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import tray_app.resources as r; print(r.resources_root())",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        ).stdout
        assert "site-packages" in installed
        screenshot("fresh-install-demo")
    finally:
        app.stop()
