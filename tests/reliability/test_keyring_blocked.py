"""A keyring that never answers (locked, its prompt hidden) must not hang the app.

The app starts, registers its tray item within a bound, and says that the keyring is
unavailable; ``tray-app login`` finishes too and warns that nothing was saved.
"""

from __future__ import annotations

import time

import pytest

from .harness import EMAIL, PASSWORD, RELIABILITY_DIR, app_env, run_cli, sign_in
from .results import RunResult

pytestmark = [pytest.mark.desktop]

#: The app's keyring calls give up after 5 s (tray_app.credentials).
START_BOUND_S = 15.0
BLOCKING = {
    "PYTHONPATH": str(RELIABILITY_DIR),
    "PYTHON_KEYRING_BACKEND": "blocking_keyring.BlockingKeyring",
}


@pytest.mark.timeout(120)
def test_a_blocked_keyring_at_start_does_not_hang_the_app(
    reliable_server, make_app, app_root, session_bus, results
) -> None:
    sign_in(app_env(app_root), reliable_server)  # a stored account, with the real keyring
    app = make_app(**BLOCKING)
    start = time.monotonic()
    app.start(session_bus).wait_item(session_bus, timeout=START_BOUND_S)
    registered = round(time.monotonic() - start, 2)
    tip = app.wait_tooltip(session_bus, "Keyring unavailable", timeout=START_BOUND_S)
    told = round(time.monotonic() - start, 2)
    assert "Signed out" in tip.title + tip.description  # no secret could be read

    cli_start = time.monotonic()
    login = run_cli(
        app.env,
        "login",
        "--server",
        reliable_server.url,
        "--email",
        EMAIL,
        "--password-stdin",
        stdin=PASSWORD + "\n",
        timeout=START_BOUND_S + 10,
    )
    cli_s = round(time.monotonic() - cli_start, 2)
    assert login.returncode != 0 and "keyring" in login.stderr
    app.check_alive()
    code = app.stop()
    result = RunResult(
        "keyring blocked at start",
        group="session",
        crashes=0 if code == 0 else 1,
        notes=f"tray item after {registered} s, keyring message after {told} s, "
        f"CLI login gave up after {cli_s} s",
    )
    result.extra.update(registered_s=registered, told_s=told, cli_login_s=cli_s, exit_code=code)
    results.record(result)
    assert registered < START_BOUND_S and cli_s < START_BOUND_S and code == 0
