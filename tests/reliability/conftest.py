"""Fixtures of the reliability and security suite.

Tests that drive the app as a subprocess are marked ``desktop`` in their module and are
skipped without the headless desktop (tests/run, or tests/lib/desktop.sh). The desktop
fixtures are those of tests/e2e; the in-process tests use ``aloop`` (tests/conftest.py).
The runs' figures go to artifacts/reliability/results.{md,json} at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from e2e.conftest import (
    SKIP_REASON,
    desktop,
    desktop_enabled,
    dunst,
    screenshot,
    session_bus,
)

from .harness import EMAIL, PASSWORD, TrayApp, app_env
from .results import Results

__all__ = ["desktop", "dunst", "screenshot", "session_bus"]

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's ``desktop`` tests when the desktop is not running."""
    if desktop_enabled():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.path.resolve().is_relative_to(HERE) and item.get_closest_marker("desktop"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def results(request: pytest.FixtureRequest) -> Iterator[Results]:
    collected = Results(request.config.rootpath / "artifacts" / "reliability")
    yield collected
    collected.write()


@pytest.fixture
def app_root() -> Iterator[Path]:
    """A folder for one app's XDG directories that other users may traverse (0755),
    like a home directory, so that only the app's own modes protect its files."""
    root = Path(tempfile.mkdtemp(prefix="tray-app-reliability-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def reliable_server(server_factory):
    """The deployed server's behaviour: rate limit on, no notification stream."""
    server = server_factory(test_control=True, notification_stream=False)
    server.create_user(EMAIL, PASSWORD)
    return server


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item, for fixtures that act on failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def apps(request: pytest.FixtureRequest) -> Iterator[list[TrayApp]]:
    """Apps started by a test; stopped at teardown whatever happened. When the test
    failed, their output and logs are kept in artifacts/reliability/failed/<test>/."""
    started: list[TrayApp] = []
    yield started
    for app in started:
        app.stop()
    report = getattr(request.node, "report_call", None)
    if started and report is not None and report.failed:
        folder = request.config.rootpath / "artifacts" / "reliability" / "failed"
        folder = folder / request.node.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for index, app in enumerate(started):
            (folder / f"app-{index}-output.txt").write_text(app.output())
            (folder / f"app-{index}-log.txt").write_text(app.log_text())


@pytest.fixture
def make_app(app_root: Path, apps: list[TrayApp]):
    def factory(*args: str, **env: str) -> TrayApp:
        app = TrayApp(app_env(app_root, **env), app_root, args)
        apps.append(app)
        return app

    return factory
