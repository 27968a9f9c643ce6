"""The live benchmark: apps and baselines running side by side on the desktop.

Two groups of three clients (the app polling, the app with the notification stream,
the web front end baseline), each client with its own server:

* group N only ever receives notifications (type ``job_failed``, toast on by default),
  so its apps stay at their idle budget, as an app does between jobs;
* group J only runs jobs: first one long job (the server's cost while a job runs),
  then many jobs of 30 s or more finishing at random moments.

First every client idles (server cost while idle; CPU and memory of the apps and of
the bare tray process, started at the same time), then both groups' events run at
once, then the N group's polling app gets 1,000 notifications, its list window is
opened, scrolled through and closed, and its footprint is measured again.
"""

from __future__ import annotations

import functools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bench_bus import BusMonitor
from .bench_clients import Client, make_clients, start_clients, stop_clients
from .bench_latency import JOB_TITLES, Outcome, Sent, job_plan, match, notification_times
from .bench_procs import AppClient, BackgroundSampler, sample, start_bare_tray, stop_process
from .bench_servers import LogMark, cost_between, parse_time
from .bench_window import deepest_page, open_load_close


@dataclass(frozen=True)
class LivePlan:
    warmup_s: float
    idle_s: float
    sample_every_s: float
    job_cost_s: float
    notifications: int
    notification_gap: tuple[float, float]
    jobs: int
    job_gap: tuple[float, float]
    job_duration: tuple[float, float]
    tail_s: float
    window_rows: int
    window_idle_s: float


def run_live(plan: LivePlan, work: Path, monitor: BusMonitor, seed: int) -> dict[str, Any]:
    clients = make_clients(work, ("N", "J", "I"), seed)
    bare = start_bare_tray(work / "bare-live.log")
    result: dict[str, Any] = {"plan": plan.__dict__}
    try:
        start_clients(clients)
        result["pids"] = {c.name: c.pid for c in clients} | {"bare": bare.pid}
        time.sleep(plan.warmup_s)
        idle_group = [c for c in clients if c.group == "I"]
        long_idle = LongIdle(idle_group, bare.pid, plan.sample_every_s * 3)
        active = [c for c in clients if c.group != "I"]
        result["idle"] = idle_window(plan, active, bare.pid)
        result["activity"] = activity(plan, active, monitor, random.Random(seed))
        result["long_idle"] = long_idle.stop()
        dump_evidence(work, clients, monitor)
        poll_app = next(c for c in clients if c.name == "N-poll")
        assert isinstance(poll_app.runner, AppClient)
        result["window"] = window_footprint(plan, poll_app.runner, bare.pid)
    finally:
        result["quit_s"] = stop_clients(clients)
        stop_process(bare)
    return result


class LongIdle:
    """The idle group (I), left alone for the whole run: cost and footprint over it all.

    The short idle window misses what happens a few times an hour: the forced full
    fetch every five minutes, the token refresh before the 15-minute expiry.
    """

    def __init__(self, clients: list[Client], bare_pid: int, interval: float) -> None:
        self.clients = clients
        self.marks = {c.name: c.server.mark(time.monotonic()) for c in clients}
        pids = {c.name: c.pid for c in clients if c.mode != "baseline"} | {"bare": bare_pid}
        self.sampler = BackgroundSampler(pids, interval).start()

    def stop(self) -> dict[str, Any]:
        footprint = self.sampler.stop()
        now = time.monotonic()
        costs = {c.name: cost_between(self.marks[c.name], c.server.mark(now)) for c in self.clients}
        return {
            "seconds": footprint.seconds,
            "samples": footprint.samples,
            "footprint": footprint.per_process,
            "cost": {name: cost.to_json() for name, cost in costs.items()},
        }


def idle_window(plan: LivePlan, clients: list[Client], bare_pid: int) -> dict[str, Any]:
    """Server cost and footprint of every client over the idle window."""
    marks = {c.name: c.server.mark(time.monotonic()) for c in clients}
    pids = {c.name: c.pid for c in clients} | {"bare": bare_pid}
    footprint = sample(pids, plan.idle_s, plan.sample_every_s)
    costs = {c.name: cost_between(marks[c.name], c.server.mark(time.monotonic())) for c in clients}
    return {
        "seconds": footprint.seconds,
        "samples": footprint.samples,
        "footprint": footprint.per_process,
        "cost": {name: cost.to_json() for name, cost in costs.items()},
    }


class Activity:
    """Sends the events of both groups on one schedule and keeps what was sent."""

    def __init__(self, plan: LivePlan, clients: list[Client], rng: random.Random) -> None:
        self.plan = plan
        self.n = [c for c in clients if c.group == "N"]
        self.j = [c for c in clients if c.group == "J"]
        self.jobs: dict[str, list[dict[str, Any]]] = {c.name: [] for c in self.j}
        self.marks: dict[str, LogMark] = {}
        self.job_cost: dict[str, Any] = {}
        self.actions: list[tuple[float, Callable[[], None]]] = []
        gap = plan.notification_gap
        for i, at in enumerate(notification_times(plan.notifications, gap, rng)):
            self.actions.append((at, functools.partial(self.notify, i)))
        self.actions.append((0.0, functools.partial(self.job, "archive_mails", plan.job_cost_s)))
        self.actions.append((0.0, self.mark_job_start))
        self.actions.append((plan.job_cost_s, self.mark_job_end))
        first = plan.job_cost_s + 5.0
        for start, job_type, length in job_plan(plan.jobs, plan.job_gap, plan.job_duration, rng):
            self.actions.append((first + start, functools.partial(self.job, job_type, length)))
        self.actions.sort(key=lambda action: action[0])

    def notify(self, index: int) -> None:
        for client in self.n:
            title = f"bench {client.name} n{index:02d}"
            row = client.server.add_notification(title)
            client.sent.append(
                Sent("notification", parse_time(row["created_at"]), frozenset({title}))
            )

    def job(self, job_type: str, duration: float) -> None:
        for client in self.j:
            self.jobs[client.name].append(client.server.create_job(job_type, duration))

    def mark_job_start(self) -> None:
        self.marks = {c.name: c.server.mark(time.monotonic()) for c in self.j}

    def mark_job_end(self) -> None:
        for client in self.j:
            cost = cost_between(self.marks[client.name], client.server.mark(time.monotonic()))
            self.job_cost[client.name] = cost.to_json()

    def run(self) -> float:
        """Run the schedule; returns when the last action was sent (monotonic)."""
        start = time.monotonic()
        for offset, action in self.actions:
            wait = start + offset - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            action()
        return time.monotonic()

    def job_events(self, client: Client) -> list[Sent]:
        sent = []
        for job in self.jobs.get(client.name, []):
            done = client.server.job_completed_at(job["id"])
            titles = {JOB_TITLES[job["type"]]}
            row_title = client.server.row_title_of_job(job["bullmq_id"]) if done else None
            if row_title:
                titles.add(row_title)
            at = done if done is not None else float("inf")
            sent.append(Sent("job", at, frozenset(titles), token=job["bullmq_id"]))
        return sent

    def outcomes(self, monitor: BusMonitor) -> dict[str, Outcome]:
        result = {}
        toasts = monitor.events("Notify")
        for client in self.n + self.j:
            for s in client.sent:
                s.latency, s.via_summary = None, False
            sent = client.sent if client.group == "N" else self.job_events(client)
            mine = [t for t in toasts if t.sender_pid == client.pid]
            result[client.name] = match(sent, mine)
        return result


def activity(
    plan: LivePlan, clients: list[Client], monitor: BusMonitor, rng: random.Random
) -> dict[str, Any]:
    """Send every event, wait for the toasts (or ``tail_s``), match them."""
    act = Activity(plan, clients, rng)
    started = time.monotonic()
    ended = act.run()
    deadline = ended + plan.tail_s
    while time.monotonic() < deadline:
        outcomes = act.outcomes(monitor)
        if all(s.latency is not None for o in outcomes.values() for s in o.sent):
            break
        time.sleep(2.0)
    outcomes = act.outcomes(monitor)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "latency": {name: outcome.to_json() for name, outcome in outcomes.items()},
        "job_cost": act.job_cost,
        "job_cost_seconds": plan.job_cost_s,
    }


def dump_evidence(work: Path, clients: list[Client], monitor: BusMonitor) -> None:
    """Each client's request log, jobs and toasts as JSON in the work folder (diagnosis)."""
    for client in clients:
        jobs = client.server.running.sql(
            "SELECT id, bullmq_id, type, status, created_at, completed_at FROM jobs"
        )
        toasts = [
            {"time": t.time, "summary": t.summary, "app": t.app_name}
            for t in monitor.events("Notify")
            if t.sender_pid == client.pid
        ]
        evidence = {"requests": client.server.requests(), "jobs": jobs, "toasts": toasts}
        path = work / f"evidence-{client.name}.json"
        path.write_text(json.dumps(evidence, indent=0, default=str), encoding="utf-8")


def window_footprint(plan: LivePlan, app: AppClient, bare_pid: int) -> dict[str, Any]:
    """Load ``window_rows`` rows through the list window, close it, measure idle again."""
    before = app.server.requests()
    app.server.add_notifications(plan.window_rows)
    deadline = time.monotonic() + 60
    while len(app.server.requests()) == len(before) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3.0)
    window = open_load_close(app, plan.window_rows)
    window["deepest_page"] = deepest_page(app)
    time.sleep(2.0)
    after = sample({"app": app.pid, "bare": bare_pid}, plan.window_idle_s, plan.sample_every_s)
    return {
        "window": window,
        "seconds": after.seconds,
        "samples": after.samples,
        "footprint": after.per_process,
    }
