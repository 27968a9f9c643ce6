"""Everything one reference server holds, kept across stop/start of the same instance."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from .config import ServerConfig
from .db import Database
from .faults import FaultState
from .jobs import JobService
from .notifications import NotificationStore
from .ratelimit import RateLimiter
from .requestlog import RequestLog
from .sessions import TokenService
from .simulator import Simulator
from .stream import Broker

logger = logging.getLogger(__name__)


class ServerState:
    """The database, the stream broker, the services and the run-time knobs."""

    def __init__(self, config: ServerConfig, db_path: str) -> None:
        self.config = config
        self.db = Database(db_path)
        self.db.initialize()
        self.broker = Broker()
        self.faults = FaultState(config.faults, config.seed)
        self.limiter = RateLimiter()
        self.request_log = RequestLog()
        self.tokens = TokenService(self.db, config.token_ttl_s)
        self.notifications = NotificationStore(self.db, self.broker)
        self.jobs = JobService(
            self.db, self.broker, self.notifications, random.Random(f"jobs-{config.seed}")
        )
        self.simulator = Simulator(
            self.db,
            self.notifications,
            self.jobs,
            rate_per_min=config.simulate_rate,
            seed=config.seed,
        )
        self._simulation: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """On the server loop: accept streams, resume interrupted jobs, start simulating."""
        self.broker.bind(asyncio.get_running_loop())
        self.jobs.resume()
        if self.config.simulate_rate > 0:
            self._simulation = asyncio.get_running_loop().create_task(self.simulator.run())

    async def shutdown(self) -> None:
        self.broker.close_all()
        if self._simulation is not None:
            self._simulation.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._simulation
            self._simulation = None
        await self.jobs.shutdown()
