"""Reference servers for the benchmarks, and the server cost read from their request log.

Each client gets its own server, so a server's request log holds exactly what that
client sent. The log records every request when it starts, and the response body bytes
as they are sent (headers are not counted; an event stream's entry keeps growing).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from tray_app.reference_server import RunningServer, ServerConfig, start_in_thread

EMAIL = "bench@example.com"
PASSWORD = "bench-password-1"


def parse_time(text: str) -> float:
    """Epoch seconds of one of the server's ISO 8601 timestamps (``...Z``)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass
class LogMark:
    """The request log at one moment (monotonic and wall time)."""

    at: float
    entries: list[dict[str, Any]]


@dataclass
class Cost:
    """Requests and response body bytes over a window, and the same per hour."""

    seconds: float
    requests: int
    bytes: int
    by_route: dict[str, int]

    @property
    def requests_per_hour(self) -> float:
        return self.requests * 3600.0 / self.seconds

    @property
    def bytes_per_hour(self) -> float:
        return self.bytes * 3600.0 / self.seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "bytes": self.bytes,
            "requests_per_hour": round(self.requests_per_hour, 1),
            "bytes_per_hour": round(self.bytes_per_hour),
            "by_route": self.by_route,
        }


def _route(entry: dict[str, Any]) -> str:
    query = entry.get("query") or ""
    # The page number and the filter say little about cost; keep the limit.
    keep = [p for p in query.split("&") if p.startswith("limit=")]
    suffix = f"?{'&'.join(keep)}" if keep else ""
    return f"{entry['method']} {entry['path']}{suffix} {entry.get('status')}"


class BenchServer:
    """A reference server with one user, driven through its test-control routes."""

    def __init__(self, name: str, *, stream: bool, rate_limit: bool = True, seed: int = 0) -> None:
        self.name = name
        config = ServerConfig(
            test_control=True,
            notification_stream=stream,
            rate_limit=rate_limit,
            password_iterations=1_000,
            seed=seed,
        )
        self.running: RunningServer = start_in_thread(config)
        self.running.create_user(EMAIL, PASSWORD)
        self._http = httpx.Client(base_url=self.running.url, timeout=120)

    @property
    def url(self) -> str:
        return self.running.url

    def close(self) -> None:
        self._http.close()
        self.running.close()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self._http.post(f"/api/_test/{path}", json={"email": EMAIL, **body})
        response.raise_for_status()
        return response.json()

    def add_notification(self, title: str, type_: str = "job_failed") -> dict[str, Any]:
        row: dict[str, Any] = self._post(
            "notifications", {"type": type_, "title": title, "body": "Error: bench"}
        )
        return row

    def add_notifications(self, count: int, type_: str = "job_completed") -> None:
        self._post("notifications", {"type": type_, "count": count})

    def add_mixed_notifications(self, rows: int) -> None:
        """``rows`` notifications spread over several types (10,000 at most per call)."""
        types = ("job_completed", "job_failed", "rule_executed", "weekly_report", "quota_warning")
        per_type, left = -(-rows // len(types)), rows
        for type_ in types:
            count = min(per_type, left)
            if count > 0:
                self._post("notifications", {"type": type_, "count": count})
                left -= count

    def create_job(self, job_type: str, duration_s: float) -> dict[str, Any]:
        job: dict[str, Any] = self._post("jobs", {"type": job_type, "duration_s": duration_s})
        return job

    def job_completed_at(self, job_id: str) -> float | None:
        rows = self.running.sql("SELECT completed_at FROM jobs WHERE id = ?", (job_id,))
        return parse_time(rows[0][0]) if rows and rows[0][0] else None

    def row_title_of_job(self, bullmq_id: str) -> str | None:
        """Title of the notification the server wrote when the job finished, if any."""
        for title, data in self.running.sql("SELECT title, data FROM notifications"):
            try:
                if data and json.loads(data).get("jobId") == bullmq_id:
                    return str(title)
            except (ValueError, AttributeError):
                continue
        return None

    def requests(self) -> list[dict[str, Any]]:
        return self.running.requests()

    def mark(self, at: float) -> LogMark:
        return LogMark(at, self.running.requests())


def cost_between(a: LogMark, b: LogMark) -> Cost:
    """What the client cost the server between two marks of the same log."""
    old = len(a.entries)
    grown = sum(b.entries[i]["bytes"] - a.entries[i]["bytes"] for i in range(old))
    new = b.entries[old:]
    return Cost(
        seconds=b.at - a.at,
        requests=len(new),
        bytes=grown + sum(e["bytes"] for e in new),
        by_route=dict(Counter(_route(e) for e in new).most_common()),
    )
