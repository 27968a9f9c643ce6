"""Toasts of the whole app, as the desktop's notification daemon receives and shows them.

The app runs as a subprocess on the headless desktop against the reference server.
dunst 1.9 keeps neither the urgency, the hints nor the buttons of a toast in its
history, so the Notify calls themselves are recorded too, by a monitor connection to
the session bus (what ``dbus-monitor`` does). Latencies are printed (run with ``-s``).
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType
from jeepney.bus_messages import Monitoring
from jeepney.io.blocking import open_dbus_connection
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from tray_app.reference_server import RunningServer

from .app_process import AppProcess, app_environment, run_cli
from .desktop_bus import NOTIFICATIONS, SessionBus, wait_for
from .dunst import Dunst, Toast

EMAIL = "toast-user@example.com"
PASSWORD = "password-123"
APP_NAME = "Mail Notifications"
MARKUP = "<b>bold</b> & <i>x</i>"
# dunst's own interface: how many toasts it shows, read without spawning dunstctl.
_DUNST_CMD = DBusAddress(
    "/org/freedesktop/Notifications", bus_name=NOTIFICATIONS, interface="org.dunstproject.cmd0"
)
_URGENCIES = {0: "low", 1: "normal", 2: "critical"}
Shot = Callable[[str], Path]
# Background colours of dunst's toasts in tests/e2e/dunstrc.
_TOAST_COLOURS = {"normal": QColor("#285577"), "critical": QColor("#900000")}


@dataclass(frozen=True)
class NotifyCall:
    """One org.freedesktop.Notifications.Notify call seen on the bus."""

    at: float  # time.monotonic() when the monitor received it
    app_name: str
    icon: str
    summary: str
    body: str
    actions: tuple[tuple[str, str], ...]
    hints: dict[str, Any] = field(compare=False)

    @property
    def urgency(self) -> str:
        return _URGENCIES.get(self.hints.get("urgency", 1), "?")


class NotifyMonitor:
    """Records every Notify call on the session bus from a thread of its own."""

    def __init__(self) -> None:
        self._conn = open_dbus_connection(bus="SESSION")
        rule = MatchRule(type="method_call", interface=NOTIFICATIONS, member="Notify")
        self._conn.send_and_get_reply(Monitoring().BecomeMonitor([rule.serialise()]), timeout=5)
        self._calls: list[NotifyCall] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            header = message.header
            if header.message_type is not MessageType.method_call:
                continue
            if header.fields.get(HeaderFields.member) != "Notify":
                continue
            app, _replaces, icon, summary, body, actions, hints, _timeout = message.body
            pairs = tuple(zip(actions[0::2], actions[1::2], strict=True))
            plain = {key: value for key, (_sig, value) in hints.items()}
            call = NotifyCall(time.monotonic(), app, icon, summary, body, pairs, plain)
            with self._lock:
                self._calls.append(call)

    def calls(self) -> list[NotifyCall]:
        """The calls so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def wait_call(self, summary: str, timeout: float = 10.0) -> NotifyCall:
        """The first call with this summary, waiting for it."""
        found = wait_for(
            lambda: [c for c in self.calls() if c.summary == summary], bool, timeout, 0.01
        )
        return found[0]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._conn.close()


# --- fixtures ----------------------------------------------------------------------------


def _server(factory: Callable[..., RunningServer], *, stream: bool) -> RunningServer:
    server = factory(test_control=True, rate_limit=False, notification_stream=stream)
    server.create_user(EMAIL, PASSWORD)
    return server


@pytest.fixture
def stream_server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    return _server(server_factory, stream=True)


@pytest.fixture
def polling_server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """Answers 404 to the notification stream, like the deployed server."""
    return _server(server_factory, stream=False)


@dataclass
class Desk:
    """What a test drives: the app's environment and processes, the bus and dunst."""

    env: dict[str, str]
    bus: SessionBus
    dunst: Dunst
    calls: NotifyMonitor
    apps: list[AppProcess] = field(default_factory=list)


@pytest.fixture
def desk(tmp_path: Path, session_bus: SessionBus, dunst: Dunst) -> Iterator[Desk]:
    env = app_environment(tmp_path)
    # The single-instance socket lives in TMPDIR: a private one keeps an app started
    # elsewhere on this machine (same user) from being taken for this test's app.
    # Short, as socket paths are limited to 108 bytes.
    private_tmp = tempfile.mkdtemp(prefix="ta-")
    env["TMPDIR"] = private_tmp
    monitor = NotifyMonitor()
    state = Desk(env, session_bus, dunst, monitor)
    try:
        yield state
    finally:
        for app in state.apps:
            app.stop()
        monitor.close()
        shutil.rmtree(private_tmp, ignore_errors=True)


# --- helpers -----------------------------------------------------------------------------


def post_row(server: RunningServer, **fields: Any) -> dict[str, Any]:
    """Store a notification row for the user (test control; no preference applies)."""
    body = {"email": EMAIL, "type": "job_completed", **fields}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=10)
    response.raise_for_status()
    row: dict[str, Any] = response.json()
    return row


def user_token(server: RunningServer) -> str:
    response = httpx.post(
        f"{server.url}/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=10
    )
    response.raise_for_status()
    token = response.cookies.get("token") or response.json().get("token")
    assert token, "the login answered without a token"
    return str(token)


def put_preferences(server: RunningServer, **values: bool) -> None:
    """Change the user's preferences as another client (the web front end) would."""
    headers = {"Authorization": f"Bearer {user_token(server)}"}
    url = f"{server.url}/api/notifications/preferences"
    httpx.put(url, json=values, headers=headers, timeout=10).raise_for_status()
    saved = httpx.get(url, headers=headers, timeout=10).json()
    assert {key: saved[key] for key in values} == values


def requested(server: RunningServer, method: str, path: str) -> int:
    """How many requests the app made to ``path`` that the server answered with 200."""
    return sum(
        1
        for entry in server.requests()
        if (entry["method"], entry["path"], entry["status"]) == (method, path, 200)
    )


def start_app(
    server: RunningServer,
    desk: Desk,
    unread: str = "No unread notifications",
    *,
    login: bool = True,
) -> AppProcess:
    """Start the app and wait until it has synced (and streams, where the server can)."""
    env, bus = desk.env, desk.bus
    if login:
        done = run_cli(
            env, "login", "--server", server.url, "--email", EMAIL, "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    paths = ["/api/notifications/preferences", "/api/jobs"]
    if server.config.notification_stream:
        paths.append("/api/notifications/stream")
    before = {path: requested(server, "GET", path) for path in paths}
    app = AppProcess(env)
    desk.apps.append(app)
    app.start(bus).wait_item(bus)

    def synced(tip_text: str) -> bool:
        problems = ("Connecting", "Offline", "Signed out", "Toasts unavailable")
        return unread in tip_text and not any(word in tip_text for word in problems)

    wait_for(lambda: tooltip_text(app, bus), synced, timeout=40)
    # Preferences, the first look at the jobs and the stream come next to the first sync.
    wait_for(lambda: {p: requested(server, "GET", p) for p in paths}, _all_above(before), 20)
    return app


def _all_above(before: dict[str, int]) -> Callable[[dict[str, int]], bool]:
    return lambda now: all(now[key] > count for key, count in before.items())


def tooltip_text(app: AppProcess, bus: SessionBus) -> str:
    tip = app.wait_tooltip(bus, "", timeout=1)  # checks that the app is still running
    return f"{tip.title}\n{tip.description}"


def displayed(bus: SessionBus) -> int:
    return int(bus.get_property(_DUNST_CMD, "displayedLength"))


def wait_displayed_above(bus: SessionBus, count: int, timeout: float) -> int:
    """Wait until dunst shows more than ``count`` toasts, checking every 5 ms."""
    return wait_for(lambda: displayed(bus), lambda shown: shown > count, timeout, 0.005)


def rendered(toast: Toast) -> str:
    """What dunst draws: its format "<b>%s</b>\\n%b" as Pango renders it, tags removed."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(toast.raw["message"])))


def toast_colour(path: Path) -> QColor:
    """The background of the newest toast in a screenshot: top right, under the tray bar."""
    return QImage(str(path)).pixelColor(1280 - 22, 48)


def same_colour(a: QColor, b: QColor, tolerance: int = 8) -> bool:
    pairs = [(a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue())]
    return all(abs(x - y) <= tolerance for x, y in pairs)


def new_calls(monitor: NotifyMonitor, since: int) -> list[str]:
    return [call.summary for call in monitor.calls()[since:]]


# --- tests -------------------------------------------------------------------------------


def test_job_failed_row_toasts_once_as_critical_within_a_poll(
    polling_server: RunningServer, desk: Desk, screenshot: Shot, qapp: QApplication
) -> None:
    start_app(polling_server, desk)
    data = {"jobId": "import_mbox-1795810558309"}
    posted = time.monotonic()
    post_row(polling_server, type="job_failed", title="Import mbox échoué", body="Error: boom",
             data=data)  # fmt: skip
    wait_displayed_above(desk.bus, 0, timeout=25)
    latency = time.monotonic() - posted
    print(f"\npolling server: job_failed row -> toast shown in {latency:.2f} s")
    shot = screenshot("toast-single-job-failed")
    assert same_colour(toast_colour(shot), _TOAST_COLOURS["critical"])

    # A later toast is the barrier: a duplicate of the first would be shown before it.
    post_row(polling_server, title="Archivage terminé", body="3 mail(s) archivé(s).")
    desk.calls.wait_call("Archivage terminé", timeout=25)
    desk.dunst.wait_displayed(2)
    shown = desk.dunst.take_displayed()
    assert [t.summary for t in shown] == ["Archivage terminé", "Import mbox échoué"]
    failed = shown[1]
    assert (failed.app_name, failed.body) == (APP_NAME, "Error: boom")
    assert failed.raw["icon_path"].endswith("categories/job_failed.svg")
    calls = desk.calls.calls()
    assert [c.summary for c in calls] == ["Import mbox échoué", "Archivage terminé"]
    assert [c.urgency for c in calls] == ["critical", "normal"]


def test_streamed_row_toasts_within_half_a_second(stream_server: RunningServer, desk: Desk) -> None:
    start_app(stream_server, desk)
    latencies = []
    for number in range(3):  # three toasts fit in one burst window
        title = f"Archivage terminé n°{number}"
        posted = time.monotonic()
        post_row(stream_server, title=title, body="42 mail(s) archivé(s) sur le NAS.")
        wait_displayed_above(desk.bus, number, timeout=5)
        shown_at = time.monotonic()
        sent_at = desk.calls.wait_call(title).at
        latencies.append((shown_at - posted, sent_at - posted))
    report = ", ".join(f"{shown * 1000:.0f} ms (Notify at {sent * 1000:.0f} ms)"
                       for shown, sent in latencies)  # fmt: skip
    print(f"\nstreaming server: POST -> toast shown: {report}")
    assert max(shown for shown, _sent in latencies) < 0.5
    assert len(desk.dunst.take_displayed()) == 3


def test_job_failed_toast_off_stops_such_toasts(stream_server: RunningServer, desk: Desk) -> None:
    # The app reads the preferences when its session starts (and when the preferences
    # dialog opens): a change made elsewhere while it runs is not seen before then.
    put_preferences(stream_server, job_failed_toast=False)
    app = start_app(stream_server, desk)
    post_row(stream_server, type="job_failed", title="Opération bulk échouée", body="Error: x")
    app.wait_tooltip(desk.bus, "1 unread")
    post_row(stream_server, title="Archivage terminé", body="1 mail(s) archivé(s).")
    desk.calls.wait_call("Archivage terminé")
    assert [c.summary for c in desk.calls.calls()] == ["Archivage terminé"]
    desk.dunst.wait_displayed(1)
    assert [t.summary for t in desk.dunst.take_displayed()] == ["Archivage terminé"]


@pytest.mark.timeout(120)
def test_completed_job_toasts_with_in_app_job_completed_off(
    stream_server: RunningServer, desk: Desk
) -> None:
    put_preferences(stream_server, job_completed=False, job_completed_toast=True)
    start_app(stream_server, desk)
    job = {"email": EMAIL, "type": "archive_mails", "duration_s": 1, "outcome": "completed"}
    posted = time.monotonic()
    httpx.post(f"{stream_server.url}/api/_test/jobs", json=job, timeout=10).raise_for_status()
    # Found by the job watcher's next look at the job list (every 30 s when idle).
    call = desk.calls.wait_call("Archiving completed", timeout=50)
    print(f"\njob created -> 'Archiving completed' toast sent in {call.at - posted:.1f} s")
    assert (call.app_name, call.body, call.urgency) == (APP_NAME, "", "normal")
    rows = stream_server.sql("SELECT COUNT(*) FROM notifications")
    jobs = stream_server.sql("SELECT status FROM jobs")
    assert (rows, jobs) == ([(0,)], [("completed",)])
    post_row(stream_server, title="Barrière")  # stored directly: the barrier toast
    desk.calls.wait_call("Barrière")
    assert new_calls(desk.calls, 0) == ["Archiving completed", "Barrière"]
    desk.dunst.wait_displayed(2)
    assert [t.summary for t in desk.dunst.take_displayed()] == ["Barrière", "Archiving completed"]


def test_mark_as_read_button_marks_the_row_read_and_lowers_the_badge(
    stream_server: RunningServer, desk: Desk, screenshot: Shot
) -> None:
    older = post_row(stream_server, title="Rapport hebdomadaire", type="weekly_report")
    app = start_app(stream_server, desk, "1 unread")
    row = post_row(stream_server, title="Archivage terminé", body="42 mail(s) archivé(s).")
    call = desk.calls.wait_call("Archivage terminé")
    assert call.actions == (
        ("default", ""),
        ("mark_read", "Mark as read"),
        ("open_window", "Open"),
    )
    desk.dunst.wait_displayed(1)
    app.wait_tooltip(desk.bus, "2 unread")
    screenshot("toast-with-buttons")

    desk.dunst.choose_button("Mark as read")

    def read_flags() -> dict[str, int]:
        return dict(stream_server.sql("SELECT id, is_read FROM notifications"))

    wait_for(read_flags, lambda flags: flags[row["id"]] == 1)
    assert read_flags()[older["id"]] == 0
    # The toast's buttons as dunst offered them in its context menu.
    menu = desk.dunst.menu_file.read_text(encoding="utf-8")
    assert "#Mark as read (Archivage terminé)" in menu and "#Open (Archivage terminé)" in menu
    app.wait_tooltip(desk.bus, "1 unread")
    assert requested(stream_server, "PATCH", f"/api/notifications/{row['id']}/read") == 1


def test_restart_repeats_no_toast(stream_server: RunningServer, desk: Desk) -> None:
    app = start_app(stream_server, desk)
    post_row(stream_server, title="Avant l'arrêt")
    desk.calls.wait_call("Avant l'arrêt")
    desk.dunst.wait_displayed(1)
    desk.dunst.close_all()
    desk.apps.remove(app)  # stopped here, not at teardown
    app.stop()
    assert app.process is not None and app.process.returncode == 0

    post_row(stream_server, title="Pendant l'arrêt")  # new to the app when it restarts
    calls, history = len(desk.calls.calls()), desk.dunst.count("history")
    start_app(stream_server, desk, "2 unread", login=False)
    desk.calls.wait_call("Pendant l'arrêt")
    post_row(stream_server, title="Après le redémarrage")
    desk.calls.wait_call("Après le redémarrage")
    assert new_calls(desk.calls, calls) == ["Pendant l'arrêt", "Après le redémarrage"]
    desk.dunst.wait_displayed(2)
    desk.dunst.close_all()
    wait_for(lambda: desk.dunst.count("history"), lambda n: n >= history + 2)
    assert desk.dunst.count("history") == history + 2


def test_a_burst_of_twenty_gives_at_most_four_toasts(
    stream_server: RunningServer, desk: Desk, screenshot: Shot
) -> None:
    start_app(stream_server, desk)
    titles = [f"Règle n°{number} exécutée" for number in range(20)]
    with httpx.Client(base_url=stream_server.url, timeout=10) as client:
        for title in titles:
            body = {"email": EMAIL, "type": "job_completed", "title": title}
            client.post("/api/_test/notifications", json=body).raise_for_status()

    def summaries() -> list[NotifyCall]:
        return [c for c in desk.calls.calls() if c.summary not in titles]

    # The burst window is 10 s: the held rows come out as one summary when it ends.
    wait_for(summaries, bool, timeout=20)
    desk.dunst.wait_displayed(len(desk.calls.calls()))
    screenshot("toast-summary")
    post_row(stream_server, title="Après la rafale")
    desk.calls.wait_call("Après la rafale")
    burst = desk.calls.calls()[:-1]
    print(f"\nburst of 20 -> toasts: {[c.summary for c in burst]}")
    assert len(burst) <= 4
    (summary,) = [c for c in burst if c.summary not in titles]
    singles = [c.summary for c in burst if c is not summary]
    assert len(set(singles)) == len(singles) and set(singles) <= set(titles)
    match = re.fullmatch(r"(\d+) new notifications", summary.summary)
    assert match is not None, summary.summary
    assert len(singles) + int(match.group(1)) == len(titles)
    assert (summary.body, summary.actions) == ("", (("default", ""), ("open_window", "Open")))


def test_markup_in_title_and_body_shows_as_text(
    stream_server: RunningServer, desk: Desk, screenshot: Shot
) -> None:
    start_app(stream_server, desk)
    post_row(stream_server, title=MARKUP, body=MARKUP)
    call = desk.calls.wait_call(MARKUP)
    # The summary is plain text by the spec; the body is escaped exactly once.
    assert call.body == html.escape(MARKUP, quote=False)
    desk.dunst.wait_displayed(1)
    screenshot("toast-markup")
    (toast,) = desk.dunst.take_displayed()
    assert (toast.summary, toast.body) == (MARKUP, html.escape(MARKUP, quote=False))
    assert rendered(toast) == f"{MARKUP}\n{MARKUP}"
