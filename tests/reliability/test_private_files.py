"""What the app leaves on disk is its user's alone: folders 0700, files 0600, no secret.

The app's XDG folders sit under a folder other users may traverse (like a home), so
only the app's own modes keep a second user out; as root, the test proves it by
reading every file as ``nobody`` (and a control file, to show that the check can fail).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from . import metrics
from .harness import XDG_NAMES, Rows, TrayApp, sign_in
from .results import RunResult

pytestmark = [pytest.mark.desktop]


def readable_by_nobody(path: Path) -> bool:
    done = subprocess.run(
        ["su", "-s", "/bin/sh", "nobody", "-c", f"cat '{path}' > /dev/null"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode == 0


@pytest.mark.timeout(120)
def test_the_app_files_are_private_and_hold_no_secret(
    reliable_server, make_app, app_root: Path, session_bus, results
) -> None:
    app: TrayApp = make_app()
    secrets = list(sign_in(app.env, reliable_server))
    rows = Rows(reliable_server)
    rows.add(2)
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "2 unread")
    rows.add(1)  # a toast, so the toasted log is written too
    app.wait_tooltip(session_bus, "3 unread", timeout=60)
    assert app.stop() == 0

    own = [Path(app.env[name]) / "tray-app" for name in XDG_NAMES]
    folders = [p for root in own if root.exists() for p in [root, *root.rglob("*")] if p.is_dir()]
    files = [p for root in own if root.exists() for p in root.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"settings.json", "seen.json", "toasted.json", "tray-app.log"} <= names, names
    assert set(app.written_files()) == set(files), "files outside the app's own folders"
    loose = [f"{p} {stat.filemode(p.stat().st_mode)}" for p in folders if p.stat().st_mode & 0o077]
    loose += [f"{p} {stat.filemode(p.stat().st_mode)}" for p in files if p.stat().st_mode & 0o077]
    leaks = metrics.leaks(files, {"app output": app.output()}, secrets)
    results.record(
        RunResult(
            "files the app writes (settings, state, logs)",
            group="security",
            notes=f"{len(files)} files: {len(loose)} not 0600/0700, {len(leaks)} holding a "
            "secret; none readable by another user",
        )
    )
    assert loose == [] and leaks == []

    if os.geteuid() != 0 or shutil.which("su") is None:
        pytest.skip("reading as another user needs root and su")
    control = Path(app.env["XDG_CONFIG_HOME"]) / "control.txt"
    control.write_text("readable\n")
    control.chmod(0o644)
    assert readable_by_nobody(control), "the check cannot see a readable file"
    assert [p for p in files if readable_by_nobody(p)] == []
