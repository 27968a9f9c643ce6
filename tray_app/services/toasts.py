"""Decides which desktop toasts to raise, builds them, and relays the user's clicks.

New notification rows (from the sync service) and job transitions (from the job
watcher) go through the :class:`~tray_app.core.toast_policy.ToastPolicy`, which applies
the ``*_toast`` preferences, pairs a job's row with its transition, coalesces bursts and
remembers (in a persisted log) what was already toasted. The resulting toasts are shown
by the :class:`~tray_app.services.notifier.ToastService`.

Every toast is plain text: a notification's own title and body, or a translated title
for a job seen finishing ("Archiving completed", "Mbox import failed" and its error),
or a summary ("5 new notifications"). Clicking a toast, or its "Open" button, asks to
open the window (on that notification when there is one); "Mark as read" asks to mark it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from tray_app.api.models import DEFAULT_PREFERENCES, Notification
from tray_app.core.silence import Silence
from tray_app.core.toast import ACTION_MARK_READ, ACTION_OPEN, Toast
from tray_app.core.toast_policy import (
    BURST_WINDOW,
    MAX_BURST,
    JobTransition,
    Single,
    Summary,
    ToastDecision,
    ToastPolicy,
    Urgency,
    urgency_of,
)
from tray_app.core.toasted_log import ToastedLog
from tray_app.resources import category_icon_svg
from tray_app.services.notifier import ToastService

__all__ = ["ACTION_OPEN_BUTTON", "ToastCoordinator"]

logger = logging.getLogger(__name__)

#: Key of the "Open" button. ACTION_OPEN is reserved for a click on the toast itself.
ACTION_OPEN_BUTTON: Final = "open_window"
_SUMMARY_CATEGORY: Final = "summary"
#: Server text longer than this is cut in toasts (the window shows it in full): a toast
#: has room for a few lines, and a multi-megabyte body would go over D-Bus whole.
MAX_TOAST_TITLE: Final = 200
MAX_TOAST_BODY: Final = 1000


def _local_now() -> datetime:
    """Aware local time: quiet hours are local."""
    return datetime.now().astimezone()


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _icon(category: str) -> Path | None:
    """The category's icon (generic for unknown ones); None if resources are missing."""
    try:
        path = category_icon_svg(category)
    except FileNotFoundError:
        logger.warning("No icons found for toasts")
        return None
    return path if path.exists() else None


class ToastCoordinator(QObject):
    """Turns new rows and job transitions into toasts; see the module doc.

    ``log_path`` is the toasted log in the state directory (None: memory only).
    ``clock`` returns aware local times. ``max_burst`` and ``burst_window`` tune the
    coalescing of bursts.

    Signals:
        open_requested(str): open the window, on this notification id ("" for none).
        mark_read_requested(str): mark this notification read.
    """

    open_requested = Signal(str)
    mark_read_requested = Signal(str)

    def __init__(
        self,
        toasts: ToastService,
        log_path: Path | None,
        *,
        preferences: Mapping[str, bool] | None = None,
        silence: Silence | None = None,
        clock: Callable[[], datetime] = _local_now,
        max_burst: int = MAX_BURST,
        burst_window: timedelta = BURST_WINDOW,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._toasts = toasts
        self._policy = ToastPolicy(ToastedLog(log_path), max_burst=max_burst, window=burst_window)
        self._prefs: dict[str, bool] = dict(DEFAULT_PREFERENCES)
        self._silence = silence if silence is not None else Silence()
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer may fire a little early, before the burst window has room.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        toasts.action_invoked.connect(self._on_toasts_action_invoked)
        if preferences is not None:
            self.set_preferences(preferences)

    # --- inputs ------------------------------------------------------------------------

    def set_preferences(self, preferences: Mapping[str, bool]) -> None:
        """The server's preferences (unknown keys and non-booleans are ignored)."""
        for key, value in preferences.items():
            if key in DEFAULT_PREFERENCES and isinstance(value, bool):
                self._prefs[key] = value

    def set_silence(self, silence: Silence) -> None:
        """The pause and quiet hours in force (toasts arriving meanwhile are dropped)."""
        self._silence = silence

    def on_new_notifications(self, rows: list[Notification], catch_up: bool) -> None:
        """Rows the sync service has just seen for the first time."""
        rows = [row for row in rows if isinstance(row, Notification)]
        if rows:
            self._decide(rows=rows, catch_up=bool(catch_up))

    def on_job_transitions(self, transitions: list[JobTransition]) -> None:
        """Status changes seen by the job watcher."""
        jobs = [item for item in transitions if isinstance(item, JobTransition)]
        if jobs:
            self._decide(jobs=jobs)

    def test_toast(self, category: str) -> asyncio.Task[str | None]:
        """Show a sample toast of ``category`` ("" for a generic one), ignoring silence.

        The task's result is the backend's toast id (None when no backend could show
        it: :attr:`ToastService.status` says why).
        """
        title, body = self._sample(category)
        urgency: Urgency = urgency_of(category)
        toast = Toast(
            title=title,
            body=body,
            urgency=urgency,
            icon_path=_icon(category),
            category=category or "test",
            buttons=self._buttons(mark_read=True),
        )
        return self._toasts.show_soon(toast)

    # --- deciding ----------------------------------------------------------------------

    def _decide(
        self,
        *,
        rows: Iterable[Notification] = (),
        jobs: Iterable[JobTransition] = (),
        catch_up: bool = False,
    ) -> None:
        decisions = self._policy.decide(
            self._clock(),
            prefs=self._prefs,
            rows=list(rows),
            jobs=list(jobs),
            silence=self._silence,
            catch_up=catch_up,
        )
        self._show(decisions)
        self._arm_timer()

    def _on_timer_timeout(self) -> None:
        self._show(self._policy.flush(self._clock(), silence=self._silence))
        self._arm_timer()

    def _arm_timer(self) -> None:
        at = self._policy.flush_at()
        if at is None:
            self._timer.stop()
            return
        seconds = (at - self._clock()).total_seconds()
        self._timer.start(max(0, math.ceil(seconds * 1000)))

    def _show(self, decisions: Iterable[ToastDecision]) -> None:
        for decision in decisions:
            self._toasts.show_soon(self._build(decision))

    # --- building toasts ---------------------------------------------------------------

    def _build(self, decision: ToastDecision) -> Toast:
        if isinstance(decision, Summary):
            return Toast(
                title=self.tr("%n new notification(s)", "", decision.count),
                urgency=decision.urgency,
                icon_path=_icon(_SUMMARY_CATEGORY),
                category=_SUMMARY_CATEGORY,
                buttons=self._buttons(mark_read=False),
            )
        item = decision.item
        if isinstance(item, Notification):
            return self._row_toast(item, decision)
        return self._job_toast(item, decision)

    def _row_toast(self, row: Notification, decision: Single) -> Toast:
        return Toast(
            title=_clip(row.title, MAX_TOAST_TITLE) or self._category_name(row.type),
            body=_clip(row.body or "", MAX_TOAST_BODY),
            urgency=decision.urgency,
            icon_path=_icon(row.type),
            category=row.type,
            notification_id=row.id,
            buttons=self._buttons(mark_read=True),
        )

    def _job_toast(self, job: JobTransition, decision: Single) -> Toast:
        failed = job.new_status == "failed"
        category = "job_failed" if failed else "job_completed"
        return Toast(
            title=self._job_title(job.job_type, failed),
            body=_clip(job.error or "", MAX_TOAST_BODY) if failed else "",
            urgency=decision.urgency,
            icon_path=_icon(category),
            category=category,
            buttons=self._buttons(mark_read=False),
        )

    def _buttons(self, *, mark_read: bool) -> tuple[tuple[str, str], ...]:
        open_button = (ACTION_OPEN_BUTTON, self.tr("Open"))
        if not mark_read:
            return (open_button,)
        return ((ACTION_MARK_READ, self.tr("Mark as read")), open_button)

    def _job_title(self, job_type: str, failed: bool) -> str:
        if failed:
            failures = {
                "archive_mails": self.tr("Archiving failed"),
                "import_mbox": self.tr("Mbox import failed"),
                "import_imap": self.tr("IMAP import failed"),
                "bulk_operation": self.tr("Bulk operation failed"),
                "run_rule": self.tr("Rule failed"),
                "sync_dashboard": self.tr("Sync failed"),
            }
            return failures.get(job_type) or self.tr("Job failed")
        successes = {
            "archive_mails": self.tr("Archiving completed"),
            "import_mbox": self.tr("Mbox import completed"),
            "import_imap": self.tr("IMAP import completed"),
            "bulk_operation": self.tr("Bulk operation completed"),
            "run_rule": self.tr("Rule completed"),
            "sync_dashboard": self.tr("Sync completed"),
        }
        return successes.get(job_type) or self.tr("Job completed")

    def _category_name(self, category: str) -> str:
        names = {
            "weekly_report": self.tr("Weekly report"),
            "job_completed": self.tr("Job completed"),
            "job_failed": self.tr("Job failed"),
            "rule_executed": self.tr("Rule executed"),
            "quota_warning": self.tr("Storage quota"),
            "integrity_alert": self.tr("Archive integrity"),
        }
        return names.get(category) or self.tr("Notification")

    def _sample(self, category: str) -> tuple[str, str]:
        """A typical (title, body) of ``category``, for the "Send a test toast" button."""
        samples = {
            "weekly_report": (
                self.tr("Weekly report"),
                self.tr("3 jobs completed · 120 mails archived (45.2 MB)"),
            ),
            "job_completed": (self.tr("Archiving completed"), self.tr("42 mails archived.")),
            "job_failed": (self.tr("Mbox import failed"), self.tr("Error: the file is unreadable")),
            "rule_executed": (self.tr('Rule "Newsletters" executed'), self.tr("17 mails handled.")),
            "quota_warning": (
                self.tr("Storage quota almost reached"),
                self.tr("90% of your storage is used."),
            ),
            "integrity_alert": (self.tr("Archive integrity"), self.tr("2 EML files are missing.")),
        }
        default = (self.tr("Test notification"), self.tr("Notifications will look like this."))
        return samples.get(category, default)

    # --- the user's clicks -------------------------------------------------------------

    def _on_toasts_action_invoked(self, notification_id: str, action_key: str) -> None:
        if action_key == ACTION_MARK_READ:
            if notification_id:
                self.mark_read_requested.emit(notification_id)
        elif action_key in (ACTION_OPEN, ACTION_OPEN_BUTTON):
            self.open_requested.emit(notification_id)
        else:
            logger.debug("Ignored toast action %r", action_key[:40])
