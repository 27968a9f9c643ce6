"""One fault-injection run of the subprocess app: its phases and its figures.

A :class:`Run` follows the app through phases. Each phase starts a fault, waits until
the app has met it (a condition on the request log or the tooltip, never a fixed
sleep), ends it, adds a notification and measures how long the app takes to show it
again with no "Offline" line. The figures become one :class:`RunResult`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from e2e.desktop_bus import SessionBus, wait_for
from e2e.dunst import Dunst

from tray_app.reference_server import RunningServer

from . import metrics
from .harness import Rows, TrayApp
from .results import RunResult


@dataclass
class Phase:
    name: str
    started: float
    ended: float = 0.0
    first_ok_s: float | None = None
    recovery_s: float | None = None


@dataclass
class Run:
    """The app, its server and desktop, and what happened so far."""

    app: TrayApp
    server: RunningServer
    bus: SessionBus
    dunst: Dunst
    rows: Rows
    toast_start: int = 0
    started: float = field(default_factory=time.time)
    phases: list[Phase] = field(default_factory=list)
    #: Test-issued API requests (start times) to leave out of the app's figures.
    own_requests: list[float] = field(default_factory=list)
    #: The password and the tokens the app held: they must appear nowhere.
    secrets: list[str] = field(default_factory=list)
    exit_code: int | None = None
    quit_s: float | None = None

    def start_app(self, initial_rows: int = 3) -> None:
        """Add rows, start the app and wait until it shows them."""
        self.toast_start = metrics.last_toast_id(self.dunst)
        if initial_rows:
            self.rows.add(initial_rows)
        self.app.start(self.bus).wait_item(self.bus)
        self.expect_unread(timeout=60)

    def expect_unread(self, timeout: float = 90.0) -> float:
        """Wait until the tooltip shows the server's unread count, online; the seconds."""
        count = self.rows.unread()
        text = "No unread notifications" if count == 0 else f"{count} unread"
        start = time.monotonic()
        try:
            self.app.wait_tooltip(self.bus, text, timeout, absent="Offline")
        except TimeoutError as exc:
            recent = [f"{r.method} {r.path} {r.status}" for r in self.requests()[-15:]]
            log = self.app.log_text().splitlines()[-40:]
            raise AssertionError(
                f"{exc}\nlast requests: {recent}\nlog:\n" + "\n".join(log)
            ) from None
        return round(time.monotonic() - start, 2)

    def requests(self) -> list[metrics.Request]:
        """The app's requests so far (test-issued ones left out)."""
        own = self.own_requests
        return [
            r
            for r in metrics.requests_of(self.server.requests())
            if not any(abs(r.start - t) < 0.5 for t in own)
        ]

    def wait_requests(
        self, since: float, until: Callable[[list[metrics.Request]], bool], timeout: float
    ) -> list[metrics.Request]:
        """Wait until the app's requests since ``since`` satisfy ``until``."""

        def read() -> list[metrics.Request]:
            self.app.check_alive()
            return [r for r in self.requests() if r.start >= since]

        return wait_for(read, until, timeout=timeout, interval=0.2)

    def phase(
        self,
        name: str,
        begin: Callable[[], Any],
        met: Callable[[], Any],
        end: Callable[[], Any],
        *,
        recovery_timeout: float = 120.0,
    ) -> Phase:
        """Start a fault (``begin``), wait until the app met it (``met``), end it, and
        measure the recovery: a new row must show, online."""
        phase = Phase(name, time.time())
        self.phases.append(phase)
        begin()
        met()
        end()
        phase.ended = time.time()
        self.rows.add(1)
        phase.recovery_s = self.expect_unread(recovery_timeout)
        phase.first_ok_s = metrics.first_success_after(self.requests(), phase.ended)
        return phase

    def wait_toasts(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the app has shown ``count`` toasts in this run (a toast follows the
        row it stands for by a moment); more would be a duplicate."""
        toasts = wait_for(
            lambda: metrics.app_toasts(self.dunst, self.toast_start),
            lambda shown: len(shown) >= count,
            timeout,
            interval=0.5,
        )
        assert len(toasts) == count, [t.summary for t in toasts]

    def quit(self) -> None:
        """Quit the app as the session does (SIGTERM): it must exit, cleanly and quickly."""
        start = time.monotonic()
        self.exit_code = self.app.stop()
        self.quit_s = round(time.monotonic() - start, 2)

    def _exited_well(self) -> bool:
        return self.app.alive() if self.quit_s is None else self.exit_code == 0

    def result(self, run: str, phase: Phase | None = None, **figures: Any) -> RunResult:
        """The figures of the whole run, or of one phase (its fault window)."""
        if self.quit_s is None:
            self.app.check_alive()
        requests = self.requests()
        start, end = (phase.started, phase.ended) if phase else (self.started, time.time())
        toasts = metrics.app_toasts(self.dunst, self.toast_start)
        crash = metrics.crash_lines(self.app.output() + self.app.log_text())
        result = RunResult(
            run=run,
            duration_s=round(end - start, 1),
            crashes=len(crash) + (0 if self._exited_well() else 1),
            duplicate_toasts=metrics.duplicate_toasts(toasts),
            raw_markup_toasts=len(markup := metrics.raw_markup_toasts(toasts)),
            rpm_during=metrics.per_minute(requests, start, end),
            peak_rpm=metrics.peak_per_minute(requests),
            first_ok_s=phase.first_ok_s if phase else None,
            recovery_s=phase.recovery_s if phase else None,
        )
        result.extra.update(
            crash_lines=crash[:20],
            quit_s=self.quit_s,
            markup_problems=markup[:5],
            invented_toasts=metrics.invented_toasts(toasts, self.rows.titles),
            toasts=len(toasts),
            toast_texts=[[t.summary[:80], t.body[:80]] for t in toasts],
            requests=len(metrics.between(requests, start, end)),
            **self._secret_figures(requests),
        )
        for key, value in figures.items():
            if hasattr(result, key):
                setattr(result, key, value)
            else:
                result.extra[key] = value
        return result

    def _secret_figures(self, requests: list[metrics.Request]) -> dict[str, Any]:
        """Where the password or a token shows up: files, output, request URLs."""
        files = self.app.written_files()
        return {
            "secret_leaks": metrics.leaks(files, {"app output": self.app.output()}, self.secrets),
            "secrets_in_urls": sum(
                1 for r in requests for s in self.secrets if s and s in r.path + r.query
            ),
        }


def assert_clean(result: RunResult) -> None:
    """The zero counts every run must show, and the request budget."""
    assert result.crashes == 0, result.extra["crash_lines"]
    assert result.duplicate_toasts == 0
    assert result.raw_markup_toasts == 0
    assert result.extra["invented_toasts"] == 0
    assert result.extra["secret_leaks"] == [] and result.extra["secrets_in_urls"] == 0
    assert result.peak_rpm is not None and result.peak_rpm <= metrics.BUDGET_PEAK_PER_MIN
    if result.actions_lost is not None:
        assert result.actions_lost == 0
    if result.actions_twice is not None:
        assert result.actions_twice == 0
    if result.retry_after_violations is not None:
        assert result.retry_after_violations == 0
