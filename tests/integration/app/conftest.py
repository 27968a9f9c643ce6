"""Fixtures of the in-process app tests: the real controller against a reference server.

No desktop is needed: Qt runs offscreen (unless the environment chose a platform, as
tests/run does), so the toast backend falls back and the "no system tray" notice
opens the list window. ``app_factory`` starts controllers on the ``aloop`` loop
(tests/conftest.py); ``app_controller`` is one signed in to ``any_server``, which runs
in both flavors (observed and documented). Helpers are in ``inprocess_app.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inprocess_app import SCREENSHOTS, AppFactory, ErrorLog

from tray_app.app.controller import AppController
from tray_app.reference_server import RunningServer

# Read when the QApplication is created (pytest-qt's qapp), not at import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
LoopRunner = Any  # the `aloop` fixture (tests/conftest.py)


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_CONFIG_HOME in the test's folder: start-at-login writes its entry there."""
    config_home = tmp_path / "xdg-config"
    config_home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    return config_home


@pytest.fixture
def app_factory(aloop: LoopRunner, tmp_path: Path, isolated_home: Path) -> Iterator[AppFactory]:
    """Controllers on ``aloop`` sharing a profile under ``tmp_path``; all quit at teardown.

    The test fails if a controller crashed or anything logged an error meanwhile.
    """
    factory = AppFactory(aloop, tmp_path / "profile")
    with ErrorLog() as errors:
        try:
            yield factory
        finally:
            factory.close_all()
    assert not errors.messages(), "the app logged errors"


@pytest.fixture(params=["observed", "documented"])
def any_server(request: pytest.FixtureRequest) -> RunningServer:
    """The reference server in each flavor, with the test user."""
    name = "server" if request.param == "observed" else "documented_server"
    running: RunningServer = request.getfixturevalue(name)
    return running


@pytest.fixture
def app_controller(app_factory: AppFactory, any_server: RunningServer) -> AppController:
    """A running controller signed in to ``any_server`` as the test user, first sync done."""
    controller = app_factory.start()
    app_factory.sign_in(controller, any_server)
    return controller


@pytest.fixture
def screenshot_dir() -> Path:
    """Where tests save pictures for a person to look at (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
