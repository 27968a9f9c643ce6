"""The demo account: a few weeks of history, reproducible from the seed.

Seeded once per database (nothing happens if the demo account exists). Contents, for
any seed: 4 weekly reports (the last four Mondays, 08:00 UTC), 12 ``job_completed``,
6 ``rule_executed``, 5 ``job_failed`` (3 failed jobs, one of them failing all three
attempts), 3 ``quota_warning`` and 2 ``integrity_alert``: 32 notifications, 9 of them
unread (the 8 newest other than integrity alerts, and the newest integrity alert).
23 finished jobs: 20 completed (12 + 6 rules + 2 silent dashboard syncs), 3 failed.
The demo preferences turn the in-app ``rule_executed`` on (off by default), so that
rule rows are what the server would store.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from . import texts
from .config import DEMO_EMAIL, DEMO_PASSWORD
from .db import Database, dump_json, iso, new_id
from .users import create_user, find_by_email

_DAY: Final = 86_400.0
_UNREAD_NEWEST: Final = 8
#: (job type, outcomes per attempt, how many jobs)
_JOBS: Final = (
    ("import_mbox", ("completed",), 2),
    ("import_imap", ("completed",), 1),
    ("archive_mails", ("completed",), 4),
    ("bulk_operation", ("completed",), 3),
    ("apply_retention", ("completed",), 2),
    ("run_rule", ("completed",), 6),
    ("sync_dashboard", ("completed",), 2),
    ("import_mbox", ("failed", "failed", "failed"), 1),
    ("bulk_operation", ("failed",), 1),
    ("run_rule", ("failed",), 1),
)


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    notifications_by_type: dict[str, int] = field(default_factory=dict)
    unread: int = 0
    jobs_by_status: dict[str, int] = field(default_factory=dict)


def seed_demo(
    db: Database, seed: int, *, iterations: int, now: datetime | None = None
) -> DemoSummary:
    """Create the demo account and its history unless it already exists."""
    if find_by_email(db, DEMO_EMAIL) is not None:
        return DemoSummary(created=False)
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    user_id = create_user(
        db,
        DEMO_EMAIL,
        DEMO_PASSWORD,
        iterations=iterations,
        created_at=iso(now - timedelta(days=60)),
    )
    notifications: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    for job_type, outcomes, count in _JOBS:
        for _ in range(count):
            finished = now - timedelta(seconds=rng.uniform(0.01 * _DAY, 27 * _DAY))
            _job_history(rng, user_id, job_type, outcomes, finished, jobs, notifications)
    for monday in _last_mondays(now, 4):
        notifications.append(_row(texts.weekly_report(rng), monday))
    for category, count in (("quota_warning", 3), ("integrity_alert", 2)):
        for _ in range(count):
            when = now - timedelta(seconds=rng.uniform(0.05 * _DAY, 25 * _DAY))
            notifications.append(_row(texts.sample_message(category, rng), when))
    _mark_unread(notifications)
    _store(db, user_id, jobs, notifications)
    return DemoSummary(
        created=True,
        notifications_by_type=dict(Counter(n["type"] for n in notifications)),
        unread=sum(1 for n in notifications if not n["is_read"]),
        jobs_by_status=dict(Counter(j["status"] for j in jobs)),
    )


def _job_history(
    rng: random.Random,
    user_id: str,
    job_type: str,
    outcomes: tuple[str, ...],
    finished: datetime,
    jobs: list[dict[str, Any]],
    notifications: list[dict[str, Any]],
) -> None:
    """One finished job and the notifications its attempts produced."""
    total = rng.randint(5, 800)
    duration = timedelta(seconds=rng.uniform(20, 900))
    created = finished - duration * len(outcomes)
    payload = texts.job_payload(job_type, user_id, rng)
    bullmq = texts.bullmq_id(job_type, int(created.timestamp() * 1000))
    error = rng.choice(texts.ERRORS)
    for attempt, outcome in enumerate(outcomes, start=1):
        when = created + duration * attempt
        if outcome == "completed":
            message = texts.job_completed(job_type, bullmq, total, payload, rng)
        else:
            message = texts.job_failed(job_type, bullmq, error, payload)
        if message is not None:
            notifications.append(_row(message, when))
    failed = outcomes[-1] == "failed"
    processed = int(total * rng.uniform(0.1, 0.9)) if failed else total
    jobs.append({
        "id": new_id(), "bullmq_id": bullmq, "type": job_type,
        "status": "failed" if failed else "completed",
        "progress": 100 * processed // total, "total": total, "processed": processed,
        "gmail_account_id": payload.get("accountId"), "user_id": user_id,
        "payload": dump_json(payload), "error": error if failed else None,
        "created_at": iso(created), "completed_at": iso(finished),
    })  # fmt: skip


def _row(message: texts.Message, when: datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": message.category,
        "title": message.title,
        "body": message.body,
        "data": dump_json(message.data),
        "is_read": True,
        "created_at": iso(when),
    }


def _last_mondays(now: datetime, count: int) -> list[datetime]:
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    if monday > now:
        monday -= timedelta(days=7)
    return [monday - timedelta(weeks=week) for week in range(count)]


def _mark_unread(notifications: list[dict[str, Any]]) -> None:
    """The 8 newest (integrity alerts aside) are unread, and so is the newest integrity alert."""
    notifications.sort(key=lambda n: n["created_at"], reverse=True)
    others = [n for n in notifications if n["type"] != "integrity_alert"]
    alert = next(n for n in notifications if n["type"] == "integrity_alert")
    for row in [*others[:_UNREAD_NEWEST], alert]:
        row["is_read"] = False


def _store(
    db: Database, user_id: str, jobs: list[dict[str, Any]], notifications: list[dict[str, Any]]
) -> None:
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO notification_preferences (id, user_id, rule_executed) VALUES (?, ?, 1)",
            (new_id(), user_id),
        )
        for job in sorted(jobs, key=lambda j: j["created_at"]):
            columns = ", ".join(job)
            marks = ", ".join("?" for _ in job)
            conn.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks})", tuple(job.values()))
        for row in reversed(notifications):  # oldest first, like the server wrote them
            conn.execute(
                "INSERT INTO notifications (id, user_id, type, title, body, data, is_read,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row["id"], user_id, row["type"], row["title"], row["body"], row["data"],
                 int(row["is_read"]), row["created_at"]),
            )  # fmt: skip
