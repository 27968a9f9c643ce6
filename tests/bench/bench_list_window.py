"""The list window with many notifications, in one process on the desktop.

The real pieces, wired as the app wires them: ``NotificationStore``,
``NotificationListModel``, ``NotificationWindow``, and a ``SyncService`` that loads
pages from a reference server through the real ``ApiClient`` (the model's
``fetch_more_requested`` -> ``SyncService.load_more``), all on the qasync loop.

``--mode timing``, under a 5 ms heartbeat timer whose gaps are the event loop's stalls:
1. scroll down page by page (a page step every 16 ms) while the view loads pages as it
   reaches the end, until every row is loaded or ``--load-limit-s``; each loaded page
   makes the view lay out every row again, so this slows down as rows pile up;
2. load the remaining pages with the window hidden;
3. show it (first show, laying out every row), then hide and show it again and again,
   timing show -> first paint of the list done;
4. scroll through the whole loaded list from the top, page by page.
RSS is read at every 1,000 loaded rows.
``--mode memory``: every page loaded with the window hidden under tracemalloc (too slow
for timing), traced Python memory read at every 1,000 loaded rows, then shown.

    python -m tests.bench.bench_list_window --rows 10000 --mode timing --out FILE.json
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from tray_app.api.client import ApiClient
from tray_app.core.store import NotificationStore
from tray_app.models.notification_list_model import NotificationListModel
from tray_app.services import sync_support
from tray_app.services.sync import SyncOptions, SyncService
from tray_app.ui.list_window import NotificationWindow

from .bench_procs import memory_kb
from .bench_servers import EMAIL, PASSWORD, BenchServer
from .bench_stats import percentile, slope, summarize

HEARTBEAT_MS = 5
SCROLL_STEP_MS = 16


class Intervals:
    """Adds up the time spent in wrapped callables (only sums: ``sizeHint`` runs millions
    of times), since the last heartbeat and in all."""

    def __init__(self) -> None:
        self.since_tick: dict[str, float] = {}
        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.enabled = False

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.enabled:
                return original(*args, **kwargs)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - start)

        setattr(owner, name, timed)

    def add(self, label: str, seconds: float) -> None:
        self.since_tick[label] = self.since_tick.get(label, 0.0) + seconds
        self.totals[label] = self.totals.get(label, 0.0) + seconds
        self.calls[label] = self.calls.get(label, 0) + 1

    def take_since_tick(self) -> dict[str, float]:
        """Milliseconds per label since the previous call, and start again."""
        taken = {k: round(v * 1000, 1) for k, v in self.since_tick.items()}
        self.since_tick.clear()
        return taken

    def reset(self) -> None:
        self.since_tick.clear()
        self.totals.clear()
        self.calls.clear()


class Heartbeat(QObject):
    """A 5 ms precise timer; the gaps between its ticks are the event loop's stalls.

    What ran during each gap over 50 ms is noted: Python's garbage collector (through
    ``gc.callbacks``) and the wrapped suspects (:class:`Intervals`).
    """

    def __init__(self, intervals: Intervals) -> None:
        super().__init__()
        self.intervals = intervals
        self.gaps: list[float] = []
        self.long: list[dict[str, float]] = []
        self.gen2_ms: list[float] = []
        self._last = 0.0
        self._gc_started = 0.0
        self._timer = QTimer(self, interval=HEARTBEAT_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.intervals.reset()
        self.intervals.enabled = True
        gc.callbacks.append(self._on_gc)
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.callbacks.remove(self._on_gc)
        self.intervals.enabled = False

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self._last = now
        self.gaps.append(gap)
        inside = self.intervals.take_since_tick()
        if gap > 50:
            self.long.append({"gap_ms": round(gap, 1), **inside})

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_started
        self.intervals.add("gc_ms", took)
        if info["generation"] == 2:
            self.gen2_ms.append(took * 1000)

    def report(self) -> dict[str, Any]:
        gaps, rec = self.gaps, self.intervals
        return {
            "heartbeats": len(gaps),
            "max_gap_ms": max(gaps, default=0.0),
            "p99_gap_ms": percentile(gaps, 99),
            "gaps_over_50ms": len(self.long),
            "long_gaps": self.long[:40],
            "time_in_ms": {k: round(v * 1000) for k, v in rec.totals.items()},
            "calls": dict(rec.calls),
            "gc_gen2_collections": len(self.gen2_ms),
            "gc_gen2_max_ms": max(self.gen2_ms, default=0.0),
        }


class PaintProbe(QObject):
    """Notes when a paint of the watched widget has been completely processed."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.painted_at: float | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            # The filter runs before the paint; a zero timer fires once it is done.
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()


async def wait_until(pred: Any, timeout: float, step: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class Bench:
    def __init__(self, url: str, args: argparse.Namespace, work: Path) -> None:
        self.rows, self.mode = args.rows, args.mode
        self.client = ApiClient(url)
        self.store = NotificationStore()
        self.model = NotificationListModel(self.store)
        self.window = NotificationWindow(self.model)
        options = SyncOptions(use_stream=False, watch_network=False)
        self.sync = SyncService(self.store, seen_path=work / "seen.json", options=options)
        self.model.fetch_more_requested.connect(self.sync.load_more)
        self.checkpoints: list[dict[str, Any]] = []
        self.started = time.perf_counter()
        self.phase = "start"
        self.intervals = Intervals()
        if self.mode == "timing":
            self._instrument()

    def _instrument(self) -> None:
        """Time the suspects of long stalls: painting, layout, page merges, state writes."""
        rec = self.intervals
        rec.wrap(self.window.delegate, "paint", "paint_ms")
        rec.wrap(self.window.delegate, "sizeHint", "size_hint_ms")
        rec.wrap(self.store, "apply_next_page", "page_merge_ms")
        rec.wrap(sync_support, "write_json_atomic", "state_write_ms")

    async def start(self) -> None:
        await self.client.login(EMAIL, PASSWORD)
        self.sync.set_client(self.client)
        self.window.show()
        if not await wait_until(lambda: len(self.store) > 0, 30):
            raise RuntimeError("the first page never arrived")
        await asyncio.sleep(0.3)
        self._checkpoint(force=True)  # the first page: where the growth starts

    def _checkpoint(self, force: bool = False) -> None:
        loaded = len(self.store)
        if not force and loaded < 1000 * len(self.checkpoints):
            return
        rss = memory_kb(os.getpid())["rss"] / 1024
        entry: dict[str, Any] = {"rows": float(loaded), "rss_mib": rss, "phase": self.phase}
        entry["at_s"] = time.perf_counter() - self.started
        print(f"{entry['at_s']:6.1f} s: {loaded} rows loaded", file=sys.stderr, flush=True)
        if self.mode == "memory":
            gc.collect()
            entry["traced_mib"] = tracemalloc.get_traced_memory()[0] / 2**20
        self.checkpoints.append(entry)

    async def _page_down_until(self, done: Any, limit_s: float) -> dict[str, Any]:
        """Page down every 16 ms, under a 5 ms heartbeat, until ``done()`` or ``limit_s``."""
        bar = self.window.view.verticalScrollBar()
        heartbeat = Heartbeat(self.intervals)
        heartbeat.start()
        started = time.perf_counter()
        while not done() and time.perf_counter() - started < limit_s:
            bar.setValue(bar.value() + bar.pageStep())
            self._checkpoint()
            await asyncio.sleep(SCROLL_STEP_MS / 1000)
        heartbeat.stop()
        return {
            "seconds": time.perf_counter() - started,
            "finished": bool(done()),
            "loaded": len(self.store),
            **heartbeat.report(),
        }

    async def scroll_loading(self, limit_s: float) -> dict[str, Any]:
        """Scroll down page by page, the view loading pages as it reaches the end."""
        bar = self.window.view.verticalScrollBar()

        def done() -> bool:
            at_end = bar.value() >= bar.maximum()
            return not self.store.has_more and at_end and len(self.store) >= self.rows

        return await self._page_down_until(done, limit_s)

    async def load_rest_hidden(self) -> float:
        """Load the remaining pages with the window hidden (no layout); seconds taken."""
        self.window.hide()
        started = time.perf_counter()
        while self.store.has_more:
            before = len(self.store)
            self.sync.load_more()
            grown = functools.partial(self._grown, before)
            if not await wait_until(grown, 30):
                raise RuntimeError("a page did not load")
            self._checkpoint()
        return time.perf_counter() - started

    def _grown(self, before: int) -> bool:
        return len(self.store) > before or not self.store.has_more

    async def show_timed(self) -> float:
        """Show the window; milliseconds until the list's first paint is done."""
        probe = PaintProbe(self.window.view.viewport())
        t0 = time.perf_counter()
        self.window.show()
        if not await wait_until(lambda: probe.painted_at is not None, 30, 0.001):
            raise RuntimeError("the list was not painted after show()")
        assert probe.painted_at is not None
        self.window.view.viewport().removeEventFilter(probe)
        return (probe.painted_at - t0) * 1000

    async def reopen(self, times: int) -> dict[str, Any]:
        """Hide, then time show -> first paint of the list done, ``times`` times."""
        durations = []
        for _ in range(times):
            self.window.hide()
            await asyncio.sleep(0.25)
            durations.append(await self.show_timed())
        return {"ms": durations, **summarize(durations)}

    async def scroll_through(self, limit_s: float) -> dict[str, Any]:
        """From the top, page down to the end of the (fully loaded) list."""
        bar = self.window.view.verticalScrollBar()
        bar.setValue(0)
        await self._layout_settled()
        result = await self._page_down_until(lambda: bar.value() >= bar.maximum() > 0, limit_s)
        result["rows"] = len(self.store)
        return result

    async def _layout_settled(self, quiet_s: float = 0.5, limit_s: float = 120.0) -> None:
        """Wait until the scroll range stops growing (the batched layout is done)."""
        bar = self.window.view.verticalScrollBar()
        last, since, started = -1, time.perf_counter(), time.perf_counter()
        while time.perf_counter() - since < quiet_s and time.perf_counter() - started < limit_s:
            if bar.maximum() != last:
                last, since = bar.maximum(), time.perf_counter()
            await asyncio.sleep(0.02)

    def memory_growth(self) -> dict[str, Any]:
        points = self.checkpoints
        rows = [p["rows"] / 1000 for p in points]
        result: dict[str, Any] = {"checkpoints": points}
        result["rss_mib_per_1000"] = slope(rows, [p["rss_mib"] for p in points])
        if self.mode == "memory":
            result["traced_mib_per_1000"] = slope(rows, [p["traced_mib"] for p in points])
        return result

    async def close(self) -> None:
        self.window.hide()
        await self.sync.stop()
        await self.client.aclose()


async def run(url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Timing: scroll while loading (capped), load the rest hidden, reopen, scroll through.

    Memory: load every page with the window hidden under tracemalloc, then show it.
    """
    bench = Bench(url, args, work)
    result: dict[str, Any] = {"rows": args.rows, "mode": args.mode}
    try:
        await bench.start()
        if args.mode == "memory":
            tracemalloc.start()
            bench.phase = "load_hidden"
            result["load_hidden_s"] = await bench.load_rest_hidden()
            result["first_show_ms"] = await bench.show_timed()
            bench._checkpoint(force=True)
        else:
            bench.phase = "scroll_loading"
            result["scroll_loading"] = await bench.scroll_loading(args.load_limit_s)
            bench.phase = "load_hidden"
            result["load_hidden_s"] = await bench.load_rest_hidden()
            result["first_show_ms"] = await bench.show_timed()
            result["reopen"] = await bench.reopen(args.reopens)
            result["scroll_through"] = await bench.scroll_through(args.load_limit_s)
        result["loaded"] = len(bench.store)
        result["memory"] = bench.memory_growth()
        return result
    finally:
        await bench.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--mode", choices=("timing", "memory"), default="timing")
    parser.add_argument("--reopens", type=int, default=15)
    parser.add_argument(
        "--load-limit-s", type=float, default=240.0, help="cap of each scrolling phase"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    server = BenchServer("list", stream=False, rate_limit=False)
    server.add_mixed_notifications(args.rows)
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="bench-list-") as work, loop:
        result = loop.run_until_complete(run(server.url, args, Path(work)))
    server.close()
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
