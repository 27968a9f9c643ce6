"""The baseline: what the server's own web front end does, as a small Python process.

Like the web front end, it signs in with the cookie, polls ``GET /api/jobs`` every 5 s
and toasts a job only when it SEES its status change to ``completed`` or ``failed``;
its bell polls ``GET /api/notifications?limit=10`` every 60 s, and here each new row is
toasted too. The ``*_toast`` preferences are read once at start. Toasts are ``Notify``
calls through jeepney. The token is refreshed every 10 minutes (it lives 15).

    python -m tests.bench.bench_baseline_web --server URL --email E --password-stdin
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

import httpx
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection

APP_NAME = "bench-web-baseline"
_NOTIFY = DBusAddress(
    "/org/freedesktop/Notifications",
    bus_name="org.freedesktop.Notifications",
    interface="org.freedesktop.Notifications",
)
_FINISHED = ("completed", "failed")


class WebBaseline:
    def __init__(self, args: argparse.Namespace, password: str) -> None:
        self.args = args
        self.password = password
        self.http = httpx.Client(base_url=args.server, timeout=10)
        self.bus = open_dbus_connection(bus="SESSION")
        self.seen_rows: set[str] | None = None
        self.jobs: dict[str, str] | None = None
        self.prefs: dict[str, bool] = {}
        self.stopping = False

    def login(self) -> None:
        body = {"email": self.args.email, "password": self.password}
        self.http.post("/api/auth/login", json=body).raise_for_status()
        self.prefs = self.get("/api/notifications/preferences")

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        if response.status_code == 401:
            self.login()
            response = self.http.get(path)
        response.raise_for_status()
        return response.json()

    def toast(self, summary: str, body: str) -> None:
        message = new_method_call(
            _NOTIFY,
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, 0, "", summary, body, [], {}, -1),
        )
        self.bus.send_and_get_reply(message, timeout=5)

    def poll_rows(self) -> None:
        rows = self.get("/api/notifications?limit=10")["notifications"]
        seen = self.seen_rows
        fresh = [row for row in rows if seen is not None and row["id"] not in seen]
        self.seen_rows = (seen or set()) | {row["id"] for row in rows}
        for row in reversed(fresh):
            if self.prefs.get(f"{row['type']}_toast", False) and not row["is_read"]:
                self.toast(row["title"], row.get("body") or "")

    def poll_jobs(self) -> None:
        jobs = self.get("/api/jobs")
        previous, self.jobs = self.jobs, {job["id"]: job["status"] for job in jobs}
        if previous is None:
            return  # jobs first seen finished are not toasted
        for job in reversed(jobs):
            old, new = previous.get(job["id"]), job["status"]
            if old is None or old == new or new not in _FINISHED or old in _FINISHED:
                continue
            key = "job_completed_toast" if new == "completed" else "job_failed_toast"
            if self.prefs.get(key, True):
                self.toast(f"Job {job['bullmq_id']} {new}", job.get("error") or "")

    def run(self) -> None:
        self.login()
        now = time.monotonic()
        due = {"rows": now, "jobs": now, "refresh": now + self.args.refresh_s}
        actions = {"rows": self.poll_rows, "jobs": self.poll_jobs, "refresh": self.refresh}
        args = self.args
        periods = {"rows": args.rows_s, "jobs": args.jobs_s, "refresh": args.refresh_s}
        while not self.stopping:
            name = min(due, key=due.__getitem__)
            wait = due[name] - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, 0.5))
                continue
            due[name] += periods[name]
            try:
                actions[name]()
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                print(f"baseline: {name} failed: {exc}", file=sys.stderr, flush=True)

    def refresh(self) -> None:
        if self.http.post("/api/auth/refresh").status_code == 401:
            self.login()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password-stdin", action="store_true", required=True)
    parser.add_argument("--rows-s", type=float, default=60.0)
    parser.add_argument("--jobs-s", type=float, default=5.0)
    parser.add_argument("--refresh-s", type=float, default=600.0)
    args = parser.parse_args()
    baseline = WebBaseline(args, sys.stdin.readline().rstrip("\n"))

    def stop(*_: object) -> None:
        baseline.stopping = True

    signal.signal(signal.SIGTERM, stop)
    baseline.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
