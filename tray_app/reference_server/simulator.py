"""A seeded generator of server activity: jobs that run (and sometimes fail and are
retried), rule executions, weekly reports, quota warnings and integrity alerts.

The sequence of events is reproducible from the seed; their timing follows the clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Final

from . import texts
from .db import Database
from .jobs import JobPlan, JobService
from .notifications import NotificationStore
from .users import active_user_ids

logger = logging.getLogger(__name__)

#: (event kind, weight): mostly jobs, like a real mail server's week.
_EVENTS: Final = (("job", 14), ("weekly_report", 2), ("quota_warning", 2), ("integrity_alert", 2))
_JOB_WEIGHTS: Final = {
    "import_mbox": 2,
    "import_imap": 1,
    "archive_mails": 3,
    "bulk_operation": 3,
    "run_rule": 4,
    "apply_retention": 1,
    "sync_dashboard": 1,
}
MAX_ATTEMPTS: Final = 3
FAILURE_CHANCE: Final = 0.25


class Simulator:
    def __init__(
        self,
        db: Database,
        notifications: NotificationStore,
        jobs: JobService,
        *,
        rate_per_min: float,
        seed: int,
    ) -> None:
        self._db = db
        self._notifications = notifications
        self._jobs = jobs
        self._rate = rate_per_min
        self._rng = random.Random(seed)

    async def run(self) -> None:
        """Emit about ``rate_per_min`` events per minute until cancelled."""
        interval = 60.0 / self._rate
        while True:
            await asyncio.sleep(interval * self._rng.uniform(0.5, 1.5))
            try:
                self.step()
            except Exception:  # one bad event must not stop the simulation
                logger.exception("simulated event failed")

    def step(self) -> str | None:
        """Produce one event for a random active user; returns its kind (None: no users)."""
        users = active_user_ids(self._db)
        if not users:
            return None
        user_id = self._rng.choice(users)
        kind = self._rng.choices([k for k, _ in _EVENTS], [w for _, w in _EVENTS])[0]
        if kind == "job":
            job_type = self._rng.choices(list(_JOB_WEIGHTS), list(_JOB_WEIGHTS.values()))[0]
            self._jobs.create(user_id, job_type, self.job_plan())
            return f"job:{job_type}"
        message = texts.sample_message(kind, self._rng)
        self._notifications.notify(
            user_id, message.category, message.title, message.body, message.data
        )
        return kind

    def job_plan(self) -> JobPlan:
        """A few seconds of work; a quarter of the attempts fail, up to three attempts."""
        outcomes: list[str] = []
        while len(outcomes) < MAX_ATTEMPTS:
            if self._rng.random() < FAILURE_CHANCE:
                outcomes.append("failed")
            else:
                outcomes.append("completed")
                break
        return JobPlan(
            duration_s=self._rng.uniform(2.0, 8.0),
            outcomes=tuple(outcomes),
            total=self._rng.randint(10, 500),
            fail_at=self._rng.uniform(0.2, 0.9),
            error=self._rng.choice(texts.ERRORS),
            backoff_s=1.0,
        )
