"""The subprocess app fed hostile and broken notifications, its window open.

Rows written behind the server's back (SQL) carry wrong-typed fields, unknown types and
broken dates; rows sent through the server carry markup, script tags, a remote image,
a 100,000-character title and a multi-megabyte body. The app must keep running, show
the server's unread count, toast each valid row once as plain text, fetch nothing, and
leave no secret anywhere.
"""

from __future__ import annotations

import html
import socket
import subprocess
import threading
from collections.abc import Iterator

import pytest
from e2e.desktop_bus import wait_for

from . import metrics
from .harness import EMAIL, Rows, run_cli, sign_in
from .runs import Run, assert_clean

pytestmark = [pytest.mark.desktop]


class Listener:
    """A TCP port that counts the connections made to it (a remote image's server)."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.close()


def insert_broken_rows(run: Run) -> None:
    """Rows the parser must skip or tolerate, written with plain SQL."""
    user_id = run.server.sql("SELECT id FROM users WHERE email = ?", (EMAIL,))[0][0]
    broken = [
        # (id or None for a fresh UUID, type, title, body, data, is_read, created_at)
        (None, "job_completed", 12345, "titre numérique", None, 0, None),
        (None, 42, "type numérique", None, None, 0, None),
        (None, "job_failed", "date illisible", None, None, 0, "pas une date"),
        ("pas-un-uuid", "job_failed", "id invalide", None, None, 0, None),
        (None, "job_completed", "data en liste", None, "[1, 2, 3]", 0, None),
        (None, "job_completed", "data illisible", None, "{pas du json", 0, None),
        (None, "type_inconnu_v9", "Type inconnu", "corps", '{"x": 1}', 0, None),
    ]
    for row_id, type_, title, body, data, is_read, created_at in broken:
        columns = ["user_id", "type", "title", "body", "data", "is_read"]
        values = [user_id, type_, title, body, data, is_read]
        for name, value in (("id", row_id), ("created_at", created_at)):
            if value is not None:
                columns.append(name)
                values.append(value)
        run.rows.titles.append(str(title))  # SQLite stores 12345 in a TEXT column as text
        marks = ", ".join("?" for _ in values)
        run.server.sql(
            f"INSERT INTO notifications ({', '.join(columns)}) VALUES ({marks})", tuple(values)
        )


def window_shown(run: Run) -> bool:
    assert run.app.process is not None
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(run.app.process.pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(found.stdout.strip())


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_hostile_and_broken_notifications(
    reliable_server, make_app, session_bus, dunst, listener, results, screenshot
) -> None:
    app = make_app()
    password, token = sign_in(app.env, reliable_server)
    run = Run(app, reliable_server, session_bus, dunst, Rows(reliable_server))
    run.secrets += [password, token]
    run.start_app(initial_rows=2)
    second = run_cli(app.env)  # a second start opens the running app's window
    assert second.returncode == 0, second.stdout + second.stderr
    wait_for(lambda: window_shown(run), bool, timeout=30)

    insert_broken_rows(run)
    run.expect_unread()
    image = f'<img src="http://127.0.0.1:{listener.port}/pixel.png">'
    hostile = [
        {"title": "<b>Gras</b> & <i>italique</i> </span>", "body": "<script>alert(1)</script>"},
        {"title": "Image distante " + image, "body": f"{image} <a href='http://x'>lien</a>"},
        {"title": "T" * 100_000, "body": "titre de 100 000 caractères"},
        {"title": "Corps de plusieurs mégaoctets", "body": "é<>&" * 800_000},
    ]
    for fields in hostile:
        before = dunst.count("displayed") + dunst.count("history")
        run.rows.add(**fields)
        wait_for(
            lambda: dunst.count("displayed") + dunst.count("history"),
            lambda n, b=before: n > b,
            timeout=60,
        )
        run.expect_unread()
    screenshot("reliability-hostile-content")
    run.quit()

    result = run.result("hostile and broken notifications (window open)", group="content")
    toasts = metrics.app_toasts(dunst, run.toast_start)
    result.extra["remote_fetches"] = listener.connections
    results.record(result)
    assert_clean(result)
    titles = [t.summary for t in toasts]
    for fields in hostile:  # each one toasted alone, its text cut to a toast's size
        assert any(fields["title"].startswith(t.rstrip("…")) for t in titles)
    assert all(len(t.summary) <= 200 and len(html.unescape(t.body)) <= 1000 for t in toasts)
    assert listener.connections == 0
