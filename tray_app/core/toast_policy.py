"""Who gets a desktop toast, and when several become one.

Two sources feed the policy:

* NEW notification rows (see :func:`tray_app.core.sync_logic.merge_page`). A row toasts
  when its ``<type>_toast`` preference is on; unknown types and read rows never toast.
* Job transitions seen by the job watcher. A job toasts when it is SEEN changing to
  ``completed`` or ``failed`` and ``job_completed_toast`` / ``job_failed_toast`` is on,
  whatever the in-app preferences say (the three channels are independent). A job first
  seen already finished has ``old_status`` None and never toasts.

A row and a job transition describe the same event when the row's ``data.jobId`` is the
job's ``bullmq_id`` and the row reports the same outcome (``job_completed`` and
``rule_executed`` rows report ``completed``, ``job_failed`` rows ``failed``). Whichever
arrives first toasts; the other is suppressed. A failed job is retried up to 3 times and
may write several ``job_failed`` rows: each row toasts once, but the job's transition
stands for (absorbs) exactly one of them, so the pair never toasts twice.

Nothing toasts twice: every admitted item is recorded in the persisted
:class:`~tray_app.core.toasted_log.ToastedLog` before it is shown.

Silence (a pause, quiet hours): items arriving while silenced are recorded as handled
and dropped. They do NOT pop up when the silence ends: a pile of stale toasts after a
meeting is noise, and the badge and the list still show every notification.

Coalescing: at most :data:`MAX_BURST` toasts are shown in any :data:`BURST_WINDOW`. When
a batch does not fit in what is left of the window it becomes ONE :class:`Summary`;
when the window is full, items are held until :meth:`ToastPolicy.flush_at`, then shown
as one summary (a single toast if only one was held). A catch-up (first sync after
start-up, wake or a long outage) always becomes one summary.

Times are aware datetimes in the user's local zone (quiet hours are local).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal, TypeAlias

from tray_app.api.models import DEFAULT_PREFERENCES, KNOWN_TYPES, Notification, toast_key
from tray_app.core.silence import Silence
from tray_app.core.toasted_log import ToastedLog

_log = logging.getLogger(__name__)

#: Values match ``tray_app.core.toast.ToastUrgency``.
Urgency: TypeAlias = Literal["normal", "critical"]

CRITICAL_TYPES: Final = frozenset({"job_failed", "integrity_alert", "quota_warning"})
MAX_BURST: Final = 3
BURST_WINDOW: Final = timedelta(seconds=10)

_JOB_TOAST_TYPES: Final = {"completed": "job_completed", "failed": "job_failed"}
# The job outcome a row reports, for pairing it with the job watcher's transition.
_ROW_OUTCOMES: Final = {
    "job_completed": "completed",
    "rule_executed": "completed",
    "job_failed": "failed",
}


@dataclass(frozen=True, slots=True)
class JobTransition:
    """A job status change seen by the job watcher (``old_status`` None: first seen)."""

    job_id: str
    bullmq_id: str | None
    job_type: str
    old_status: str | None
    new_status: str
    error: str | None = None

    @property
    def toast_type(self) -> str | None:
        """``"job_completed"`` / ``"job_failed"`` if this change may toast, else None."""
        if self.old_status is None or self.old_status == self.new_status:
            return None
        return _JOB_TOAST_TYPES.get(self.new_status)


@dataclass(frozen=True, slots=True)
class Single:
    """Show one toast for ``item``."""

    item: Notification | JobTransition
    urgency: Urgency

    @property
    def item_id(self) -> str:
        return self.item.id if isinstance(self.item, Notification) else self.item.job_id


@dataclass(frozen=True, slots=True)
class Summary:
    """Show one toast "``count`` new notifications" standing for the items ``ids``.

    ``ids`` are notification ids and job ids (both UUIDs); ``count == len(ids)``.
    """

    count: int
    ids: tuple[str, ...]
    urgency: Urgency


ToastDecision: TypeAlias = Single | Summary


@dataclass(frozen=True, slots=True)
class _Candidate:
    item: Notification | JobTransition
    item_id: str
    urgency: Urgency


def urgency_of(notification_type: str) -> Urgency:
    """``"critical"`` for failures and alerts, ``"normal"`` otherwise."""
    return "critical" if notification_type in CRITICAL_TYPES else "normal"


class ToastPolicy:
    """Turns new rows and job transitions into toast decisions; see the module doc.

    The policy is stateful (the burst window and held items) but does no I/O beyond
    saving ``log``. A service calls :meth:`decide` after each sync or job update and,
    when :meth:`flush_at` is not None, arms a timer to call :meth:`flush` then.
    """

    def __init__(
        self, log: ToastedLog, *, max_burst: int = MAX_BURST, window: timedelta = BURST_WINDOW
    ) -> None:
        if max_burst < 1:
            raise ValueError("max_burst must be positive")
        self._log = log
        self._max_burst = max_burst
        self._window = window
        self._recent: deque[datetime] = deque()
        self._held: list[_Candidate] = []
        self._summarize_held = False

    @property
    def held_count(self) -> int:
        """Items admitted but waiting for room in the burst window."""
        return len(self._held)

    def decide(
        self,
        now: datetime,
        *,
        prefs: Mapping[str, bool],
        rows: Sequence[Notification] = (),
        jobs: Sequence[JobTransition] = (),
        silence: Silence | None = None,
        catch_up: bool = False,
    ) -> list[ToastDecision]:
        """The toasts to show now for these new ``rows`` and ``jobs`` (rows first).

        ``catch_up``: this is the first sync after start-up, wake or a long outage.
        """
        fresh = [c for c in self._admit_rows(now, rows, prefs) if c is not None]
        fresh += [c for c in self._admit_jobs(now, jobs, prefs) if c is not None]
        self._log.save()
        self._held.extend(fresh)
        self._summarize_held = self._summarize_held or (catch_up and bool(self._held))
        return self.flush(now, silence=silence)

    def flush_at(self) -> datetime | None:
        """When held items can be shown (call :meth:`flush` then), or None."""
        if not self._held:
            return None
        return self._recent[0] + self._window if self._recent else None

    def flush(self, now: datetime, *, silence: Silence | None = None) -> list[ToastDecision]:
        """Show what the burst window allows of the held items."""
        if silence is not None and silence.is_silent(now) and self._held:
            _log.debug("Toasts silenced: dropping %d", len(self._held))
            self._held.clear()
            self._summarize_held = False
        self._prune(now)
        room = self._max_burst - len(self._recent)
        if not self._held:
            return []
        if room <= 0:
            # These are the toasts beyond the burst: they come out as one summary.
            self._summarize_held = True
            return []
        held, self._held = self._held, []
        summarize = self._summarize_held or len(held) > room
        self._summarize_held = False
        decisions: list[ToastDecision]
        if summarize and len(held) > 1:
            decisions = [_summary(held)]
        else:
            decisions = [Single(c.item, c.urgency) for c in held]
        self._recent.extend(now for _ in decisions)
        return decisions

    def _prune(self, now: datetime) -> None:
        # Entries in the future mean the wall clock was set back: forget them too.
        self._recent = deque(t for t in self._recent if now - self._window < t <= now)

    def _admit_rows(
        self, now: datetime, rows: Iterable[Notification], prefs: Mapping[str, bool]
    ) -> Iterable[_Candidate | None]:
        for row in rows:
            if row.is_read or row.type not in KNOWN_TYPES or not _pref(prefs, row.type):
                continue
            key = f"n:{row.id}"
            if key in self._log:
                continue
            self._log.add(key, now)
            yield (
                None
                if self._absorbed_by_job(now, row)
                else _Candidate(row, row.id, urgency_of(row.type))
            )

    def _absorbed_by_job(self, now: datetime, row: Notification) -> bool:
        """Pair bookkeeping for a row; True when a job toast already stood for it."""
        outcome = _ROW_OUTCOMES.get(row.type)
        if row.job_id is None or outcome is None:
            return False
        pair = f"pair:{row.job_id}:{outcome}"
        if f"{pair}:job" in self._log and f"{pair}:absorbed" not in self._log:
            self._log.add(f"{pair}:absorbed", now)
            return True
        self._log.add(f"{pair}:row", now)
        return False

    def _admit_jobs(
        self, now: datetime, jobs: Iterable[JobTransition], prefs: Mapping[str, bool]
    ) -> Iterable[_Candidate | None]:
        for job in jobs:
            toast_type = job.toast_type
            if toast_type is None or not _pref(prefs, toast_type):
                continue
            key = f"job:{job.job_id}:{job.new_status}"
            if key in self._log:
                continue
            self._log.add(key, now)
            yield (
                None
                if self._row_came_first(now, job)
                else _Candidate(job, job.job_id, urgency_of(toast_type))
            )

    def _row_came_first(self, now: datetime, job: JobTransition) -> bool:
        """Pair bookkeeping for a job; True when a row already toasted this outcome."""
        if job.bullmq_id is None:
            return False
        pair = f"pair:{job.bullmq_id}:{job.new_status}"
        if f"{pair}:row" in self._log or f"{pair}:job" in self._log:
            return True
        self._log.add(f"{pair}:job", now)
        return False


def _pref(prefs: Mapping[str, bool], notification_type: str) -> bool:
    key = toast_key(notification_type)
    return bool(prefs.get(key, DEFAULT_PREFERENCES.get(key, False)))


def _summary(held: Sequence[_Candidate]) -> Summary:
    critical = any(c.urgency == "critical" for c in held)
    ids = tuple(c.item_id for c in held)
    return Summary(len(ids), ids, "critical" if critical else "normal")
