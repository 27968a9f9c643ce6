"""The subprocess app against a reference server that dies, fails, throttles and lies.

Every run asserts the zero counts (crashes, duplicate or invented toasts, toasts showing
markup), the request budget, and that the app shows the server's state again once the
fault ends; the figures go to artifacts/reliability/results.md.
"""

from __future__ import annotations

import time

import pytest
from e2e.desktop_bus import wait_for

from . import metrics
from .harness import Rows, sign_in
from .runs import Run, assert_clean

pytestmark = [pytest.mark.desktop]


@pytest.fixture
def run(reliable_server, make_app, session_bus, dunst):
    app = make_app()
    secrets = sign_in(app.env, reliable_server)
    run = Run(app, reliable_server, session_bus, dunst, Rows(reliable_server))
    run.secrets.extend(secrets)
    return run


def wait_offline(run: Run, timeout: float = 60.0) -> None:
    run.app.wait_tooltip(run.bus, "Offline", timeout)


@pytest.mark.slow
@pytest.mark.timeout(360)
def test_server_killed_and_restarted(run: Run, results) -> None:
    server = run.server
    run.start_app()

    def in_flight() -> None:
        """Kill the server while it is answering the app (the answer is held back)."""
        server.set_faults(latency_s=3.0)
        since = time.time()
        run.wait_requests(since, lambda rs: any(r.status is None for r in rs), timeout=60)
        server.set_faults(latency_s=0.0)

    run.phase("stopped", server.stop, lambda: wait_offline(run), server.start)
    run.phase(
        "killed mid-response",
        in_flight,
        lambda: (server.stop(), wait_offline(run)),
        server.start,
    )
    run.phase("stopped again", server.stop, lambda: wait_offline(run), server.start)

    # The app itself restarts while the server is down: nothing toasts twice.
    server.stop()
    assert run.app.stop() == 0
    run.app.start(run.bus).wait_item(run.bus)
    wait_offline(run)
    server.start()
    recovery = run.expect_unread()

    recoveries = [p.recovery_s for p in run.phases if p.recovery_s is not None]
    run.wait_toasts(len(run.phases))  # one per row added: none lost, none twice
    run.quit()
    result = run.result(
        "server killed and restarted x3, app restarted",
        recovery_s=max([*recoveries, recovery]),
        first_ok_s=max(p.first_ok_s or 0.0 for p in run.phases),
        notes="recovery: worst of the restarts",
    )
    results.record(result)
    assert_clean(result)


def answered(status: int | None, count: int, *, complete: bool | None = None):
    """A condition on the app's requests: ``count`` answers with ``status``."""

    def check(requests: list[metrics.Request]) -> bool:
        matching = [
            r
            for r in requests
            if r.status == status and (complete is None or r.complete == complete)
        ]
        return len(matching) >= count

    return check


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_storms_of_errors_throttling_timeouts_drops_and_garbage(run: Run, results) -> None:
    server = run.server
    run.start_app()
    retry_after = 5

    def met(condition, offline: bool = True):
        def wait() -> None:
            run.wait_requests(run.phases[-1].started, condition, timeout=90)
            if offline:
                wait_offline(run)

        return wait

    def burst_consumed() -> None:
        wait_for(lambda: server.state.faults.config.burst_429, lambda left: left == 0, 90)
        run.app.check_alive()

    storms = [
        ("500 storm", {"error_rate": 1.0}, met(answered(500, 4))),
        (
            f"429 storm, retry-after {retry_after} s",
            {"burst_429": 8, "burst_retry_after_s": retry_after},
            burst_consumed,
        ),
        (
            "answers slower than the 10 s timeout",
            {"latency_s": 12.0},
            met(lambda requests: len(requests) >= 2),
        ),
        ("connections dropped mid-body", {"drop_rate": 1.0}, met(answered(200, 3, complete=False))),
        ("malformed JSON", {"malformed_rate": 1.0}, met(answered(200, 3))),
    ]
    clear = {"error_rate": 0.0, "latency_s": 0.0, "drop_rate": 0.0, "malformed_rate": 0.0}
    for name, faults, wait in storms:
        phase = run.phase(
            name, lambda f=faults: server.set_faults(**f), wait, lambda: server.set_faults(**clear)
        )
        requests = metrics.between(run.requests(), phase.started, phase.ended)
        figures = {}
        if "burst_429" in faults:
            # The server limits per client address: a 429 holds every poller, not
            # only the one it answered.
            figures = {
                "retry_after_violations": metrics.retry_after_violations(
                    requests, retry_after, same_group=False
                ),
                "retry_after_violations_same_poller": metrics.retry_after_violations(
                    requests, retry_after, same_group=True
                ),
            }
        result = results.record(run.result(name, phase, **figures))
        assert_clean(result)
        assert result.extra["requests"] >= 2
    run.wait_toasts(len(storms))  # one per row added: none lost, none twice
    run.quit()
    assert run.exit_code == 0
