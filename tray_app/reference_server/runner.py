"""Run the reference server on uvicorn in a daemon thread with its own event loop.

``stop()`` returns quickly even with open event streams (they are closed first), and
``start()`` binds the same port and reuses the same database and state again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import tempfile
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from .app import build_app
from .config import ServerConfig
from .demo import DemoSummary, seed_demo
from .faults import install_log_filter
from .state import ServerState
from .users import create_user

logger = logging.getLogger(__name__)

_START_TIMEOUT_S = 10.0


class _Server(uvicorn.Server):
    """uvicorn's server, minus its 0.1 s polling when asked to stop."""

    def __init__(self, config: uvicorn.Config, on_stop: Any) -> None:
        super().__init__(config)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_stop = on_stop

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter += 10  # on_tick refreshes the Date header when counter % 10 == 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, polling every 5 ms instead of sleeping 0.1 s steps."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 1)
        state = self.server_state
        while (state.connections or state.tasks) and loop.time() < deadline:
            if self.force_exit:
                break
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel(msg="reference server stopping")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    def request_exit(self) -> None:
        """Thread-safe: close the event streams, then leave the main loop at once."""
        self._on_stop()
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(wake.set)


class RunningServer:
    """A reference server in a background thread; also a context manager."""

    def __init__(self, config: ServerConfig) -> None:
        config.validate()
        self.config = config
        self._tmpdir: str | None = None
        if config.db_path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="tray-app-server-")
            weakref.finalize(self, shutil.rmtree, self._tmpdir, True)
        self.db_path = config.db_path or str(Path(self._tmpdir or ".") / "server.sqlite3")
        self.state = ServerState(config, self.db_path)
        self.demo: DemoSummary | None = None
        if config.seed_demo:
            self.demo = seed_demo(self.state.db, config.seed, iterations=config.password_iterations)
        self.port = config.port
        self._app = build_app(self.state)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        install_log_filter()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.config.host == "localhost" else self.config.host
        host = f"[{host}]" if ":" in host else host
        scheme = "https" if self.config.tls else "http"
        return f"{scheme}://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Listen (again) on the same port; ``RuntimeError`` if the server does not come up."""
        if self.running:
            return
        sock = self._bind()
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,
            lifespan="on",
            http="h11",
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=1,
            ssl_certfile=self.config.ssl_certfile,
            ssl_keyfile=self.config.ssl_keyfile,
        )
        server = _Server(config, on_stop=self.state.broker.close_all)
        thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name=f"reference-server-{self.port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.request_exit()
                sock.close()
                raise RuntimeError(f"the reference server did not start on port {self.port}")
            time.sleep(0.002)

    def _bind(self) -> socket.socket:
        host = "127.0.0.1" if self.config.host == "localhost" else self.config.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # asyncio sets TCP_NODELAY on the connections of servers it binds itself, not on
        # those accepted from a socket handed to it; on Linux they inherit it from here.
        # Without it every answer waits ~40 ms for a delayed ACK (Nagle).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        return sock

    def stop(self) -> None:
        """Stop serving (open streams are ended); the database and the port are kept."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.request_exit()
        thread.join(timeout=5.0)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5.0)
        self._server = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop and remove a private temporary database."""
        self.stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Direct access for tests and the demo

    def create_user(
        self,
        email: str,
        password: str | None,
        *,
        totp_secret: str | None = None,
        sso: bool = False,
        role: str = "user",
    ) -> str:
        """Create an account and return its id (``sso=True`` or no password: SSO account)."""
        return create_user(
            self.state.db,
            email,
            None if sso else password,
            iterations=self.config.password_iterations,
            role=role,
            totp_secret=totp_secret,
        )

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run SQL on the database file, behind the server's back (nothing is published)."""
        return self.state.db.execute(query, params)

    def requests(self) -> list[dict[str, Any]]:
        """The request log (test-control routes excluded)."""
        return self.state.request_log.snapshot()

    def clear_requests(self) -> int:
        return self.state.request_log.clear()

    def set_faults(self, **changes: Any) -> None:
        """Change the injected faults at run time (``FaultConfig`` field names)."""
        self.state.faults.update(changes)


def start_in_thread(config: ServerConfig | None = None) -> RunningServer:
    """Create a :class:`RunningServer` and start it; it is serving when this returns."""
    server = RunningServer(config or ServerConfig())
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server
