"""Job rows and a runner that moves them like the real server's queue workers.

A job goes ``pending`` -> ``active`` -> progress updates -> ``completed`` or ``failed``.
A failed attempt is retried while the plan has attempts left (the real queue retries up
to 3 times), each failure notifying ``job_failed``. Every change is published on the
job's topic for ``GET /api/jobs/:id/events``; plans are kept in memory, so jobs pick up
where they were when a stopped server starts again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Final

from . import texts
from .db import Database, dump_json, job_json, load_json, new_id, now_iso
from .notifications import NotificationStore
from .stream import Broker, sse_message

logger = logging.getLogger(__name__)

LIST_LIMIT: Final = 50
_BULLMQ_STATES: Final = {"pending": "waiting", "active": "active", "completed": "completed",
                         "failed": "failed"}  # fmt: skip


def job_topic(job_id: str) -> str:
    return f"job:{job_id}"


@dataclass
class JobPlan:
    """How a job will run: one outcome per attempt (``"completed"`` or ``"failed"``)."""

    duration_s: float
    outcomes: tuple[str, ...] = ("completed",)
    total: int = 100
    #: Share of the work done when a failing attempt fails.
    fail_at: float = 0.6
    error: str = "Error: boom"
    backoff_s: float = 0.5
    attempt: int = 0

    def __post_init__(self) -> None:
        if not self.outcomes or any(o not in ("completed", "failed") for o in self.outcomes):
            raise ValueError("outcomes must be 'completed' or 'failed'")
        if self.duration_s < 0 or self.total < 1:
            raise ValueError("duration_s must be >= 0 and total >= 1")

    @property
    def steps(self) -> int:
        return max(2, min(20, round(self.duration_s / 0.25)))


class JobService:
    def __init__(
        self, db: Database, broker: Broker, notifications: NotificationStore, rng: random.Random
    ) -> None:
        self._db = db
        self._broker = broker
        self._notifications = notifications
        self._rng = rng
        self._plans: dict[str, JobPlan] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_ms = 0

    # Reading

    def list(
        self, user_id: str, status: str | None, account_id: str | None
    ) -> list[dict[str, Any]]:
        query, params = "SELECT * FROM jobs WHERE user_id = ?", [user_id]
        if status:
            query, params = query + " AND status = ?", [*params, status]
        if account_id:
            query, params = query + " AND gmail_account_id = ?", [*params, account_id]
        with self._db.connect() as conn:
            rows = conn.execute(
                f"{query} ORDER BY created_at DESC, rowid DESC LIMIT {LIST_LIMIT}", params
            ).fetchall()
        return [job_json(row) for row in rows]

    def get(self, user_id: str, job_id: str) -> dict[str, Any] | None:
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT * FROM jobs WHERE id = ? AND user_id = ?", (job_id, user_id)
            ).fetchone()
        return None if row is None else job_json(row)

    def bullmq_state(self, job: dict[str, Any]) -> str:
        """What the queue would say: ``unknown`` for rows no worker is handling."""
        plan = self._plans.get(job["id"])
        if job["status"] in ("pending", "active") and plan is None:
            return "unknown"
        if job["status"] == "failed" and plan is not None:
            return "delayed"  # waiting for its retry
        return _BULLMQ_STATES.get(job["status"], "unknown")

    # Creating and running

    def create(
        self, user_id: str, job_type: str, plan: JobPlan, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Insert a ``pending`` job and start running it (must be called on the server loop)."""
        if payload is None:
            payload = texts.job_payload(job_type, user_id, self._rng)
        job_id = new_id()
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO jobs (id, bullmq_id, type, status, progress, total, processed,"
                " gmail_account_id, user_id, payload, created_at)"
                " VALUES (?, ?, ?, 'pending', 0, ?, 0, ?, ?, ?, ?)",
                (job_id, self._next_bullmq_id(job_type), job_type, plan.total,
                 payload.get("accountId"), user_id, dump_json(payload), now_iso()),
            )  # fmt: skip
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        self._plans[job_id] = plan
        self._spawn(job_id)
        return job_json(row)

    def resume(self) -> None:
        """Restart the workers of unfinished plans (after the server started again)."""
        for job_id in list(self._plans):
            self._spawn(job_id)

    async def shutdown(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _next_bullmq_id(self, job_type: str) -> str:
        self._last_ms = max(int(time.time() * 1000), self._last_ms + 1)
        return texts.bullmq_id(job_type, self._last_ms)

    def _spawn(self, job_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: str) -> None:
        plan = self._plans[job_id]
        try:
            await asyncio.sleep(min(0.1, plan.duration_s / 10))
            while plan.attempt < len(plan.outcomes):
                if not await self._attempt(job_id, plan, plan.outcomes[plan.attempt]):
                    break  # the row is gone
                plan.attempt += 1
                if plan.outcomes[plan.attempt - 1] == "completed":
                    break
                if plan.attempt < len(plan.outcomes):
                    await asyncio.sleep(plan.backoff_s)
            self._plans.pop(job_id, None)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("job %s crashed", job_id)
            self._plans.pop(job_id, None)

    async def _attempt(self, job_id: str, plan: JobPlan, outcome: str) -> bool:
        """Run one attempt from wherever the row's ``processed`` is; False if it vanished."""
        row = self._update(job_id, status="active", error=None, completed_at=None)
        if row is None:
            return False
        steps, step_s = plan.steps, plan.duration_s / plan.steps
        done = 0
        if row["status_before"] == "active":  # resumed after a restart: carry on
            done = round((row["processed"] or 0) * steps / plan.total)
        elif row["processed"]:  # a new attempt starts from scratch
            row = self._update(job_id, progress=0, processed=0)
            if row is None:
                return False
        last = steps if outcome == "completed" else max(1, int(steps * plan.fail_at))
        self._emit(row, "progress")
        for step in range(min(done, last) + 1, last + 1):
            await asyncio.sleep(step_s)
            row = self._update(
                job_id, progress=100 * step // steps, processed=plan.total * step // steps
            )
            if row is None:
                return False
            self._emit(row, "progress")
        if outcome == "failed":
            await asyncio.sleep(step_s)
        return self._finish(job_id, plan, outcome)

    def _finish(self, job_id: str, plan: JobPlan, outcome: str) -> bool:
        if outcome == "completed":
            row = self._update(job_id, status="completed", progress=100, processed=plan.total,
                               completed_at=now_iso())  # fmt: skip
        else:
            row = self._update(job_id, status="failed", error=plan.error, completed_at=now_iso())
        if row is None:
            return False
        self._emit(row, outcome)
        payload = load_json(row["payload"])
        payload = payload if isinstance(payload, dict) else {}
        if outcome == "completed":
            message = texts.job_completed(
                row["type"], row["bullmq_id"], plan.total, payload, self._rng
            )
        else:
            message = texts.job_failed(row["type"], row["bullmq_id"], plan.error, payload)
        if message is not None:
            self._notifications.notify(
                row["user_id"], message.category, message.title, message.body, message.data
            )
        return True

    def _update(self, job_id: str, **columns: Any) -> dict[str, Any] | None:
        """Set ``columns`` on the row and return it (raw values), or None if it was deleted."""
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._db.connect() as conn:
            # Read first: the status before this update decides where a resumed attempt starts.
            before = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if before is None:
                return None
            conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*columns.values(), job_id))
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        result = dict(row)
        result["status_before"] = before["status"]
        return result

    def _emit(self, row: dict[str, Any], event: str) -> None:
        message: dict[str, Any] = {
            "bullmqId": row["bullmq_id"],
            "event": event,
            "status": row["status"],
            "progress": row["progress"],
            "processed": row["processed"],
            "total": row["total"],
        }
        if event == "failed":
            message["error"] = row["error"]
        self._broker.publish(job_topic(row["id"]), sse_message(message))
