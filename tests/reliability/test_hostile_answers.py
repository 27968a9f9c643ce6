"""The whole app (in this process) fed answers no honest server sends: negative, absurd
and wrong-typed unread counts, pages shifted under it (duplicate ids across pages), and
rows full of markup, which every widget must show as the plain text it is."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from tray_app.api.models import Notification
from tray_app.api.parsing import MAX_COUNT
from tray_app.core.toast import Toast
from tray_app.reference_server import RunningServer
from tray_app.services.notifier import ToastService
from tray_app.services.toasts import MAX_TOAST_BODY, MAX_TOAST_TITLE, ToastCoordinator

from .harness import EMAIL, PASSWORD
from .inprocess import ObservedController, Profile
from .results import RunResult

HOSTILE = [
    ("<b>Gras</b> & <i>co</i>", "<script>alert('x')</script>"),
    ('<img src="http://127.0.0.1:9/x.png">', "<a href='http://evil.example'>clic</a>"),
    ("<table><tr><td>cellule", "&amp; &lt;déjà échappé&gt;"),
]


@pytest.fixture
def profile(aloop, tmp_path: Path) -> Iterator[Profile]:
    apps = Profile(aloop, tmp_path / "profile")
    yield apps
    apps.close()


def add(server: RunningServer, **fields: Any) -> Any:
    body = {"email": EMAIL, "type": "job_completed", **fields}
    response = httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def app_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR
        and r.name.startswith("tray_app")
        and not r.name.startswith("tray_app.reference_server")
    ]


def refresh(app: ObservedController, aloop: Any, until: Any, what: str) -> None:
    app.sync.refresh_now()
    aloop.wait_until(until, 20, what)


@pytest.mark.timeout(120)
def test_absurd_counts_shifted_pages_and_markup(
    profile: Profile, server: RunningServer, aloop, caplog, results
) -> None:
    caplog.set_level(logging.WARNING)
    server.create_user(EMAIL, PASSWORD)
    add(server, count=60)
    for title, body in HOSTILE:
        add(server, title=title, body=body, data={"note": title, "jobId": body})
    app = profile.start()
    profile.sign_in(app, server, EMAIL, PASSWORD)
    tray = app.tray

    # unreadCount: negative, absurd, a float, a text; the badge stays sane.
    for sent, shown in ((-7, "No unread notifications"), (10**15, f"{MAX_COUNT} unread")):
        app.rewrite = lambda body, n=sent: {**body, "unreadCount": n}
        refresh(app, aloop, lambda s=shown: s in tray.tooltip(), f"the tooltip {shown!r}")
    app.rewrite = lambda body: {**body, "unreadCount": 41.9}
    refresh(app, aloop, lambda: app.store.unread_count == 41, "a float count, rounded down")
    app.rewrite = lambda body: {**body, "unreadCount": "63"}
    refresh(app, aloop, lambda: "Offline" in tray.tooltip(), "a wrong-typed count refused")
    app.rewrite = None
    refresh(app, aloop, lambda: "63 unread" in tray.tooltip(), "the true count again")

    # Pages shifted by rows arriving between two pages: no row twice, none missing.
    app.open_main()
    aloop.wait_until(lambda: len(app.store) == 50, 10, "the first page")
    add(server, count=5)
    app.sync.load_more()
    aloop.wait_until(lambda: not app.store.has_more, 20, "the second page")
    ids = [n.id for n in app.store]
    assert len(ids) == len(set(ids)), "a row listed twice"
    refresh(app, aloop, lambda: len(app.store) >= 50, "a refresh")
    app.sync.load_more()
    aloop.wait_until(lambda: not app.store.has_more, 20, "every page")
    server_ids = {row[0] for row in server.sql("SELECT id FROM notifications")}
    assert {n.id for n in app.store} == server_ids

    # Every widget shows server text as the text it is.
    window = app.windows.list_window
    assert window is not None
    model = app.windows.model
    assert model is not None
    for title, body in HOSTILE:
        row = next(n for n in app.store if n.title == title)
        assert window.select_notification(row.id)
        shown = [label for label in window.findChildren(QLabel) if title in label.text()]
        assert shown, f"{title!r} not shown in the detail panel"
        labels = [label for label in window.findChildren(QLabel) if "<" in label.text()]
        assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
        tip = model.data(model.index(model.row_of(row.id) or 0), Qt.ItemDataRole.ToolTipRole)
        document = QTextDocument()
        document.setHtml(tip)
        assert f"{title}\n{body}" in document.toPlainText()

    errors = app_errors(caplog)
    result = RunResult(
        "absurd counts, shifted pages, markup in widgets (in-process)",
        group="content",
        crashes=len(errors),
        notes="counts -7, 10^15, 41.9 and '63'; 5 rows inserted between two pages",
        extra={"error_logs": errors[:10]},
    )
    results.record(result)
    assert errors == []


class Recorder:
    """A toast backend that keeps what it is asked to show."""

    name = "recorder"

    def __init__(self) -> None:
        self.shown: list[Toast] = []

    def set_action_handler(self, handler: Any) -> None:
        pass

    async def available(self) -> tuple[bool, str]:
        return True, "recorded"

    async def show(self, toast: Toast) -> str | None:
        self.shown.append(toast)
        return None


def test_toasts_cut_long_server_text(aloop) -> None:
    """A 100,000-character title or a multi-megabyte body makes a toast of sane size;
    the list window keeps the full text."""
    backend = Recorder()
    coordinator = ToastCoordinator(ToastService([backend]), None)
    row = Notification(
        id="00000000-0000-4000-8000-000000000001",
        type="job_completed",
        title="T" * 100_000,
        body="é<>&" * 800_000,
        data=None,
        is_read=False,
        created_at=datetime.now(UTC),
    )
    coordinator.on_new_notifications([row], False)
    aloop.wait_until(lambda: backend.shown, 5, "the toast")
    (toast,) = backend.shown
    assert len(toast.title) == MAX_TOAST_TITLE and toast.title.endswith("…")
    assert len(toast.body) == MAX_TOAST_BODY and toast.body.startswith("é<>&")
