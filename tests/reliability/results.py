"""The figures of the fault-injection runs: artifacts/reliability/results.{json,md}.

Each run records one row, in a group (:data:`GROUPS` gives the table's order; within a
group, the order the runs were recorded in). Rows of runs not repeated this session are
kept from the previous file, so running one test updates its row and leaves the others.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GROUPS = ("server", "content", "session", "actions", "security")

COLUMNS = (
    ("run", "Run"),
    ("duration_s", "Fault (s)"),
    ("crashes", "Crashes"),
    ("actions_lost", "Actions lost"),
    ("actions_twice", "Actions applied twice"),
    ("duplicate_toasts", "Duplicate toasts"),
    ("raw_markup_toasts", "Toasts with raw markup"),
    ("rpm_during", "Requests/min during fault"),
    ("peak_rpm", "Peak requests in any 60 s"),
    ("retry_after_violations", "Requests before retry-after"),
    ("first_ok_s", "First success after fault (s)"),
    ("recovery_s", "Recovered (s)"),
)


@dataclass
class RunResult:
    """One run's figures; None means "not applicable to this run"."""

    run: str
    group: str = "server"
    duration_s: float | None = None
    crashes: int = 0
    actions_lost: int | None = None
    actions_twice: int | None = None
    duplicate_toasts: int | None = None
    raw_markup_toasts: int | None = None
    rpm_during: float | None = None
    peak_rpm: int | None = None
    retry_after_violations: int | None = None
    first_ok_s: float | None = None
    recovery_s: float | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Results:
    """Collects :class:`RunResult` rows and writes them at the end of the session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: dict[str, RunResult] = {}

    def record(self, result: RunResult) -> RunResult:
        if result.group not in GROUPS:
            raise ValueError(f"unknown group {result.group!r}")
        self.rows[result.run] = result
        return result

    def write(self) -> None:
        if not self.rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        json_path = self.folder / "results.json"
        previous: dict[str, Any] = {}
        if json_path.exists():
            try:
                previous = {r["run"]: r for r in json.loads(json_path.read_text())["runs"]}
            except (ValueError, KeyError, TypeError):
                previous = {}
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        for seq, (name, row) in enumerate(self.rows.items()):
            previous[name] = {**asdict(row), "seq": seq, "measured_at": stamp}
        runs = sorted(previous.values(), key=_position)
        json_path.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n")
        (self.folder / "results.md").write_text(markdown_table(runs), encoding="utf-8")


def _position(run: dict[str, Any]) -> tuple[int, int]:
    group = run.get("group", "")
    return (GROUPS.index(group) if group in GROUPS else len(GROUPS), run.get("seq", 0))


def markdown_table(runs: list[dict[str, Any]]) -> str:
    """The README's "Reliability" table: one row per run, "-" where not applicable."""
    header = "| " + " | ".join(title for _, title in COLUMNS) + " | Notes |"
    rule = "|" + "---|" * (len(COLUMNS) + 1)
    lines = [header, rule]
    for run in runs:
        cells = [_cell(run.get(key)) for key, _ in COLUMNS]
        lines.append("| " + " | ".join([*cells, run.get("notes") or ""]) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
