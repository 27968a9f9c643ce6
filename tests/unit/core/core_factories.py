"""Builders shared by the tests of tray_app.core's schedule, sync, toast and outbox logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tray_app.api.models import Notification
from tray_app.core.toast_policy import JobTransition

T0 = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def note_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def row(
    n: int,
    *,
    type_: str = "job_completed",
    read: bool = False,
    at: datetime | None = None,
    job_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Notification:
    """Notification number ``n`` (higher is newer unless ``at`` says otherwise)."""
    payload = dict(data or {})
    if job_id is not None:
        payload["jobId"] = job_id
    return Notification(
        id=note_id(n),
        type=type_,
        title=f"Titre {n}",
        body=None,
        data=payload or None,
        is_read=read,
        created_at=at if at is not None else T0 + timedelta(seconds=n),
    )


def job(
    n: int, old: str | None, new: str, *, bullmq_id: str | None = None, type_: str = "import_mbox"
) -> JobTransition:
    return JobTransition(
        job_id=f"10000000-0000-4000-8000-{n:012d}",
        bullmq_id=bullmq_id if bullmq_id is not None else f"{type_}-{n}",
        job_type=type_,
        old_status=old,
        new_status=new,
    )
