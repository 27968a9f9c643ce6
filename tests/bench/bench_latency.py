"""Event-to-toast latency: the events' schedule, and matching toasts to events.

A notification's latency runs from its ``created_at`` (server clock) to the ``Notify``
call that carries its unique title; a job's from its ``completed_at`` to the first
toast about it. Both clocks are this machine's wall clock: the servers run in the
benchmark process, and dbus-monitor stamps the bus messages.

A job's toast is recognised by its title: the app's own title for the job type, the
title of the row the server wrote for the job, or (the baseline) the queue id. The job
types rotate, so two jobs with the same titles are six events apart; a toast goes to
the latest unanswered job of its kind finished before it. A summary toast ("3 new
notifications") answers every event still waiting when it comes, marked as such.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .bench_bus import BusEvent
from .bench_stats import summarize

#: Job types rotated through, and the English toast title the app gives each one
#: (tray_app.services.toasts; apply_retention has no title of its own).
JOB_TITLES = {
    "import_mbox": "Mbox import completed",
    "archive_mails": "Archiving completed",
    "run_rule": "Rule completed",
    "import_imap": "IMAP import completed",
    "bulk_operation": "Bulk operation completed",
    "apply_retention": "Job completed",
}
#: The app's summary toast, e.g. "4 new notification(s)" (English, plural unresolved).
_SUMMARY = re.compile(r"^\d+ new notification")


@dataclass
class Sent:
    """One event sent to one client's server, and what became of it."""

    kind: str  # "notification" or "job"
    at: float  # created_at (notification) or completed_at (job), epoch seconds
    titles: frozenset[str]  # toast titles that answer it
    token: str = ""  # or a title containing this (the job's queue id)
    latency: float | None = None
    via_summary: bool = False

    def answers(self, summary: str) -> bool:
        return summary in self.titles or bool(self.token and self.token in summary)


@dataclass
class Outcome:
    """Latencies of one client for one kind of event."""

    sent: list[Sent]
    extra_toasts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        done = [s.latency for s in self.sent if s.latency is not None]
        return {
            "events": len(self.sent),
            "toasted": len(done),
            "missing": sum(1 for s in self.sent if s.latency is None),
            "via_summary": sum(1 for s in self.sent if s.via_summary),
            "extra_toasts": len(self.extra_toasts),
            "extra_titles": sorted(set(self.extra_toasts))[:10],
            "latency_s": summarize(done),
            "latencies_s": [None if s.latency is None else round(s.latency, 4) for s in self.sent],
        }


def notification_times(count: int, gap: tuple[float, float], rng: random.Random) -> list[float]:
    """Offsets (s) of ``count`` notifications, ``gap`` apart at random."""
    times, t = [], 0.0
    for _ in range(count):
        t += rng.uniform(*gap)
        times.append(t)
    return times


def job_plan(
    count: int, gap: tuple[float, float], duration: tuple[float, float], rng: random.Random
) -> list[tuple[float, str, float]]:
    """(start offset, type, duration) of ``count`` jobs finishing ``gap`` apart at random."""
    types = list(JOB_TITLES)
    plans, end = [], duration[1]
    for i in range(count):
        end += rng.uniform(*gap)
        length = rng.uniform(*duration)
        plans.append((end - length, types[i % len(types)], length))
    return sorted(plans)


def _is_summary(toast: BusEvent) -> bool:
    return bool(_SUMMARY.match(toast.summary))


def match(sent: list[Sent], toasts: Iterable[BusEvent]) -> Outcome:
    """Give each toast (in time order) to the event it answers; see the module doc."""
    outcome = Outcome(sent)
    for toast in sorted(toasts, key=lambda t: t.time):
        waiting = [s for s in sent if s.latency is None and s.at <= toast.time + 0.005]
        if _is_summary(toast):
            for s in waiting:
                s.latency, s.via_summary = toast.time - s.at, True
            if not waiting:
                outcome.extra_toasts.append(toast.summary)
            continue
        mine = [s for s in waiting if s.answers(toast.summary)]
        if mine:
            chosen = max(mine, key=lambda s: s.at)
            chosen.latency = toast.time - chosen.at
        else:  # unrelated, or a second toast for an event already answered
            outcome.extra_toasts.append(toast.summary)
    return outcome
