"""Demo mode: the reference server in-process, seeded, with its simulator on.

Everything lives in a temporary folder (the database, the settings, the app's state)
that is deleted on quit, and the credentials stay in memory: a demo run leaves nothing
behind and never touches the user's keyring or real settings.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tray_app.reference_server import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    RunningServer,
    ServerConfig,
    start_in_thread,
)

log = logging.getLogger(__name__)

#: Simulated events per minute: enough that a new user sees the badge move within seconds.
DEMO_EVENTS_PER_MINUTE = 6.0


@dataclass
class DemoServer:
    server: RunningServer
    root: Path
    email: str = DEMO_EMAIL
    password: str = DEMO_PASSWORD

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        try:
            self.server.close()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_demo_server(rate: float = DEMO_EVENTS_PER_MINUTE) -> DemoServer:
    root = Path(tempfile.mkdtemp(prefix="tray-app-demo-"))
    config = ServerConfig(
        db_path=str(root / "demo.sqlite3"),
        seed_demo=True,
        simulate_rate=rate,
        seed=0,
        heartbeat_s=15.0,
        rate_limit=False,
    )
    server = start_in_thread(config)
    log.info("demo server at %s (data in %s)", server.url, root)
    return DemoServer(server, root)
