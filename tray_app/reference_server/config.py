"""Configuration of the reference server.

``ServerConfig`` is fixed for the life of a :class:`~.runner.RunningServer`; its
``faults`` are copied into the server's state at start and can then be changed at run
time through ``PUT /api/_test/faults`` or :meth:`RunningServer.set_faults`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

DEMO_EMAIL: Final = "demo@example.com"
DEMO_PASSWORD: Final = "demo-password"

FLAVORS: Final = ("observed", "documented")


@dataclass
class FaultConfig:
    """Faults injected into API answers (the test-control routes are never affected).

    The rates are shares of requests in ``[0, 1]``, drawn from a generator seeded by
    ``ServerConfig.seed`` so that a run can be replayed.
    """

    #: Added to every answer before it is computed.
    latency_s: float = 0.0
    #: Share of requests answered ``500 {"error":"Internal server error"}``.
    error_rate: float = 0.0
    #: The next N requests get ``429`` with ``retry-after: burst_retry_after_s``.
    burst_429: int = 0
    burst_retry_after_s: int = 1
    #: Share of answers cut off after the headers and part of the body.
    drop_rate: float = 0.0
    #: Share of JSON answers whose body is replaced by a truncated, invalid document.
    malformed_rate: float = 0.0
    #: Path prefixes the faults apply to; empty means every path.
    paths: tuple[str, ...] = ()

    def updated(self, changes: Mapping[str, Any]) -> FaultConfig:
        """A copy with ``changes`` applied; ``ValueError`` on an unknown key or bad value."""
        current = dataclasses.asdict(self)
        for key, value in changes.items():
            if key not in current:
                raise ValueError(f"unknown fault setting {key!r}")
            current[key] = _coerce(key, value)
        return FaultConfig(**current)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["paths"] = list(self.paths)
        return data

    def applies_to(self, path: str) -> bool:
        return not self.paths or any(path.startswith(prefix) for prefix in self.paths)

    @property
    def active(self) -> bool:
        return bool(
            self.latency_s
            or self.error_rate
            or self.burst_429
            or self.drop_rate
            or self.malformed_rate
        )


def _coerce(key: str, value: Any) -> Any:
    """Check the type of one fault setting coming from JSON or the command line."""
    if key == "paths":
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple) and all(isinstance(p, str) for p in value):
            return tuple(value)
        raise ValueError("paths must be a list of path prefixes")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number")
    if key in ("burst_429", "burst_retry_after_s"):
        if value < 0 or int(value) != value:
            raise ValueError(f"{key} must be a non-negative integer")
        return int(value)
    if value < 0 or (key.endswith("_rate") and value > 1):
        raise ValueError(f"{key} is out of range")
    return float(value)


@dataclass
class ServerConfig:
    """Everything that shapes one reference server.

    ``flavor`` chooses between the behaviour observed on a deployed server
    (``"observed"``) and the one its documentation describes (``"documented"``).
    """

    host: str = "127.0.0.1"
    port: int = 0
    #: SQLite file; None means a private temporary file removed by ``close()``.
    db_path: str | None = None
    flavor: str = "observed"
    token_ttl_s: int = 900
    rate_limit: bool = True
    rate_per_min: int = 100
    login_per_min: int = 5
    register_per_min: int = 3
    #: Length of a rate-limit window; a minute on the real server.
    rate_window_s: float = 60.0
    heartbeat_s: float = 15.0
    seed_demo: bool = False
    #: Simulated events per minute; 0 disables the simulator.
    simulate_rate: float = 0.0
    seed: int = 0
    test_control: bool = False
    allow_remote: bool = False
    faults: FaultConfig = field(default_factory=FaultConfig)
    #: Serve ``/api/notifications/stream``; False answers 404 like the deployed server.
    notification_stream: bool = True
    allow_registration: bool = True
    #: PBKDF2 rounds for new password hashes (stored in the hash, so old ones still verify).
    password_iterations: int = 100_000
    #: Serve HTTPS with this PEM certificate (chain) and private key; both or neither.
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    def validate(self) -> None:
        """Refuse unsafe or meaningless combinations before anything starts."""
        if self.flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}, not {self.flavor!r}")
        if self.token_ttl_s < 1:
            raise ValueError("token_ttl_s must be at least 1 second")
        if self.heartbeat_s <= 0 or self.rate_window_s <= 0:
            raise ValueError("heartbeat_s and rate_window_s must be positive")
        if self.simulate_rate < 0:
            raise ValueError("simulate_rate must not be negative")
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("ssl_certfile and ssl_keyfile go together")
        loopback = is_loopback(self.host)
        if self.test_control and not loopback:
            raise ValueError("the test-control API is only served on a loopback address")
        if not loopback and not self.allow_remote:
            raise ValueError(f"refusing to listen on {self.host} without allow_remote")

    @property
    def documented(self) -> bool:
        return self.flavor == "documented"

    @property
    def tls(self) -> bool:
        return self.ssl_certfile is not None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
