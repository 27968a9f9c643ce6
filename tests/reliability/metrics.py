"""Counting what happened during a run: requests, crashes, secrets, toasts.

Requests come from the reference server's request log (what the app really sent),
crashes from the app's output and log files, toasts from dunst's history.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from e2e.desktop_bus import wait_for
from e2e.dunst import Dunst, Toast

#: What the app calls itself in its toasts (desktop-notifier's app name).
TOAST_APP_NAME = "Mail Notifications"
#: The client's background budget per minute plus its burst (tray_app.core.schedule).
BUDGET_PEAK_PER_MIN = 50
SERVER_LIMIT_PER_MIN = 100

_CRASH_PATTERNS = re.compile(
    r"Traceback \(most recent call last\)|Unhandled|Unexpected error|"
    r"exception was never retrieved|ended with an error|Fatal Python error|"
    r"Segmentation fault|Aborted \(core dumped\)|CRITICAL"
)
JWT_RE = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    start: float
    end: float
    method: str
    path: str
    query: str
    status: int | None
    complete: bool


def requests_of(entries: Iterable[dict[str, Any]]) -> list[Request]:
    """The request log's entries with epoch times (start and end of the answer)."""
    out = []
    for entry in entries:
        start = datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
        duration = (entry.get("duration_ms") or 0.0) / 1000.0
        out.append(
            Request(
                start,
                start + duration,
                entry["method"],
                entry["path"],
                entry.get("query") or "",
                entry.get("status"),
                bool(entry.get("complete")),
            )
        )
    return sorted(out, key=lambda r: r.start)


def between(requests: Sequence[Request], start: float, end: float) -> list[Request]:
    return [r for r in requests if start <= r.start < end]


def per_minute(requests: Sequence[Request], start: float, end: float) -> float:
    """Requests per minute over [start, end), a window shorter than a minute counting as
    one (a short fault's few requests are not extrapolated into a rate)."""
    span = max(end - start, 60.0)
    return round(len(between(requests, start, end)) * 60.0 / span, 1)


def peak_per_minute(requests: Sequence[Request]) -> int:
    """The most requests started within any 60 s."""
    times = [r.start for r in requests]
    best, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - 60.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def path_group(path: str) -> str:
    """Requests of one poller share a group: ids in paths are replaced by ``:id``."""
    return re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}", "/:id", path)


def retry_after_violations(
    requests: Sequence[Request], retry_after: float, *, same_group: bool
) -> int:
    """Requests started before a 429's ``retry-after`` ran out.

    ``same_group``: count only those of the poller that got the 429 (same path group);
    otherwise any request of the app counts.
    """
    violations = set()
    for limited in (r for r in requests if r.status == 429):
        until = limited.end + retry_after - 0.05  # log times are rounded to the millisecond
        for other in requests:
            if limited.end < other.start < until and (
                not same_group or path_group(other.path) == path_group(limited.path)
            ):
                violations.add(other)
    return len(violations)


def first_success_after(requests: Sequence[Request], moment: float) -> float | None:
    """Seconds from ``moment`` to the end of the first complete 2xx answer after it."""
    for request in requests:
        if (
            request.start >= moment
            and request.status is not None
            and 200 <= request.status < 300
            and request.complete
        ):
            return round(request.end - moment, 2)
    return None


# --- crashes and secrets ------------------------------------------------------------------


def crash_lines(text: str) -> list[str]:
    """Lines of the app's output or logs that reveal an unexpected exception, each with
    the lines that follow it (a traceback's frames), up to the next log record."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if _CRASH_PATTERNS.search(line):
            following = []
            for more in lines[index + 1 : index + 30]:
                if re.match(r"\d{4}-\d\d-\d\d ", more):
                    break
                following.append(more)
            found.append("\n".join([line, *following]))
    return found


def leaks(files: Iterable[Path], texts: dict[str, str], secrets: Iterable[str]) -> list[str]:
    """Where a secret, or any JWT, appears: file paths and the names of ``texts``."""
    found = []
    needles = [s.encode() for s in secrets if s]
    for path in files:
        data = path.read_bytes()
        if any(n in data for n in needles) or JWT_RE.search(data):
            found.append(str(path))
    for name, text in texts.items():
        data = text.encode()
        if any(n in data for n in needles) or JWT_RE.search(data):
            found.append(name)
    return found


# --- toasts -------------------------------------------------------------------------------


def close_all(dunst: Dunst) -> None:
    """Close every displayed toast, again if one arrives meanwhile: only closed toasts
    are in dunst's history."""

    def close() -> int:
        dunst.ctl("close-all")
        return dunst.count("displayed")

    wait_for(close, lambda displayed: displayed == 0, timeout=10.0, interval=0.1)


def last_toast_id(dunst: Dunst) -> int:
    """The newest toast id in dunst's history (0 if none): later toasts are this run's."""
    close_all(dunst)
    history = dunst.history()
    return max((t.id for t in history), default=0)


def app_toasts(dunst: Dunst, since_id: int) -> list[Toast]:
    """The app's toasts after ``since_id``, oldest first (closing the displayed ones)."""
    close_all(dunst)
    toasts = [t for t in dunst.history() if t.id > since_id and t.app_name == TOAST_APP_NAME]
    return sorted(toasts, key=lambda t: t.id)


def rendered(markup: str) -> str:
    """The text dunst draws for a Pango markup string: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def raw_markup_toasts(toasts: Iterable[Toast]) -> list[str]:
    """Toasts whose text, as drawn, differs from the text the app meant (markup ran).

    dunst draws ``message`` (its format ``<b>%s</b>\\n%b``: the summary escaped by
    dunst, the body taken as markup). The app's body is meant as plain text, so the
    drawn body must equal the body once the app's own escaping is undone. Returns a
    description of each bad toast.
    """
    bad = []
    for toast in toasts:
        drawn = rendered(str(toast.raw.get("message", ""))).rstrip()
        meant = f"{toast.summary}\n{html.unescape(toast.body)}".rstrip()
        if drawn != meant:
            at = next((i for i, (a, b) in enumerate(zip(drawn, meant, strict=False)) if a != b), -1)
            bad.append(
                f"drawn {len(drawn)} chars, meant {len(meant)}, first difference at {at}: "
                f"{drawn[max(0, at - 20) : at + 40]!r} / {meant[max(0, at - 20) : at + 40]!r}"
            )
    return bad


def duplicate_toasts(toasts: Iterable[Toast], summary_prefix: str = "") -> int:
    """Toasts showing the same notification again (summaries excluded)."""
    singles = Counter((t.summary, t.body) for t in toasts if not _is_summary(t, summary_prefix))
    return sum(n - 1 for n in singles.values() if n > 1)


def invented_toasts(toasts: Iterable[Toast], titles: Iterable[str]) -> int:
    """Single toasts for no notification the server had (summaries excluded).

    A long title is cut in its toast, an ellipsis marking the cut.
    """
    known = list(titles)
    return sum(1 for t in toasts if not _is_summary(t) and not _shows_one_of(t.summary, known))


def _shows_one_of(summary: str, titles: list[str]) -> bool:
    if summary.endswith("…"):
        return any(title.startswith(summary[:-1]) for title in titles)
    return summary in titles


def _is_summary(toast: Toast, prefix: str = "") -> bool:
    return bool(re.match(r"\d+ new notification", toast.summary)) or (
        bool(prefix) and toast.summary.startswith(prefix)
    )
