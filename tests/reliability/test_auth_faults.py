"""The session under attack and decay: the token revoked elsewhere, or expired meanwhile.

With a remembered password the app signs in again on its own and shows the new rows;
without one it says it is signed out and stops asking. It never crashes, and neither
the password nor any token shows up in its files, output or URLs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import keyring
import pytest
from e2e.desktop_bus import wait_for

from tray_app.api.auth import token_expiry
from tray_app.credentials import service_name

from .harness import EMAIL, Rows, sign_in
from .runs import Run, assert_clean

pytestmark = [pytest.mark.desktop]


def stored_token(run: Run) -> str:
    token = keyring.get_password(service_name(run.server.url), EMAIL)
    assert token
    run.secrets.append(token)
    return token


def revoke(run: Run, token: str) -> None:
    """Sign out elsewhere with the app's own token (as another client of it would)."""
    run.own_requests.append(time.time())
    response = httpx.post(
        f"{run.server.url}/api/auth/logout",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 204


def logins(run: Run, since: float) -> int:
    return sum(1 for r in run.requests() if r.path == "/api/auth/login" and r.start >= since)


def new_run(server, make_app, bus, dunst, *login_args: str) -> Run:
    app = make_app()
    secrets = sign_in(app.env, server, *login_args)
    run = Run(app, server, bus, dunst, Rows(server))
    run.secrets.extend(secrets)
    return run


@pytest.mark.timeout(180)
def test_token_revoked_elsewhere_then_expired_while_offline(
    server_factory, make_app, session_bus, dunst, results
) -> None:
    server = server_factory(test_control=True, notification_stream=False, token_ttl_s=20)
    server.create_user(EMAIL, "Reliability-Pass-7319")
    run = new_run(server, make_app, session_bus, dunst)
    run.start_app()

    def revoked() -> None:
        since = time.time()
        revoke(run, stored_token(run))
        run.wait_requests(since, lambda rs: any(r.status == 401 for r in rs), timeout=60)

    phase = run.phase("revoked", lambda: None, revoked, lambda: None)
    assert logins(run, phase.started) >= 1  # signed in again with the remembered password
    results.record(
        run.result("token revoked elsewhere (password remembered)", phase, group="session")
    )

    def expired_while_down() -> None:
        """The server is away until the app's token has expired."""
        exp = token_expiry(stored_token(run))
        assert exp is not None
        run.server.stop()
        run.app.wait_tooltip(run.bus, "Offline", 60)
        wait_for(lambda: datetime.now(UTC), lambda now: now > exp, timeout=40)

    phase = run.phase("expired", expired_while_down, lambda: None, run.server.start)
    assert "Signed out" not in run.app.tooltip(run.bus).title
    run.wait_toasts(2)  # the row of each phase, once
    run.quit()
    result = results.record(
        run.result("token expired while the server was away", phase, group="session")
    )
    assert_clean(result)


@pytest.mark.timeout(120)
def test_token_revoked_without_a_remembered_password(
    reliable_server, make_app, session_bus, dunst, results
) -> None:
    run = new_run(reliable_server, make_app, session_bus, dunst, "--no-remember")
    run.start_app()
    since = time.time()
    revoke(run, stored_token(run))
    run.rows.add(1)
    tip = run.app.wait_tooltip(run.bus, "Signed out", 60)
    signed_out_after = round(time.time() - since, 2)
    assert "unread" not in tip.title + tip.description
    before = len(run.requests())
    # Signed out means silent: a manual sign-in is needed, nothing is retried meanwhile.
    wait_for(lambda: time.time(), lambda now: now > since + 20, timeout=30)
    after = len(run.requests()) - before
    run.quit()
    result = run.result(
        "token revoked, no remembered password", group="session", signed_out_s=signed_out_after
    )
    result.extra["requests_after_sign_out"] = after
    results.record(result)
    assert_clean(result)
    assert logins(run, since) == 0
    assert result.extra["requests_after_sign_out"] <= 1
