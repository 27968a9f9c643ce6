"""Driving the test desktop's notification daemon (dunst 1.9) through dunstctl.

dunst shows a toast until it is closed (see dunstrc); closed toasts go to its history,
which is the only place where dunstctl shows their text. dunst 1.9 cannot clear its
history, so compare counts against a starting value instead of expecting zero.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .desktop_bus import wait_for


@dataclass(frozen=True)
class Toast:
    """A toast read back from dunst's history (newest first)."""

    id: int
    app_name: str
    summary: str
    body: str
    raw: dict[str, Any] = field(repr=False, compare=False)


def parse_history(text: str) -> list[Toast]:
    """Parse `dunstctl history` JSON ({"data": [[{"summary": {"type", "data"}, ...}]]})."""
    toasts = []
    for entry in json.loads(text)["data"][0]:
        plain = {key: value["data"] for key, value in entry.items()}
        toasts.append(
            Toast(
                id=int(plain["id"]),
                app_name=str(plain.get("appname", "")),
                summary=str(plain.get("summary", "")),
                body=str(plain.get("body", "")),
                raw=plain,
            )
        )
    return toasts


class Dunst:
    """dunstctl calls, plus picking a toast's button through dunst's context menu.

    The context menu runs dunst-dmenu.sh, which selects the menu line containing every
    line of `choice_file` (TRAY_APP_DUNST_CHOICE_FILE in the test desktop).
    """

    def __init__(self, choice_file: Path, timeout: float = 10.0) -> None:
        self.choice_file = choice_file
        self.timeout = timeout

    def ctl(self, *args: str) -> str:
        done = subprocess.run(
            ["dunstctl", *args], capture_output=True, text=True, timeout=self.timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"dunstctl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def count(self, which: Literal["displayed", "history", "waiting"]) -> int:
        return int(self.ctl("count", which))

    def history(self) -> list[Toast]:
        return parse_history(self.ctl("history"))

    def close_all(self) -> None:
        """Close every displayed toast (they move to the history) and wait until none shows."""
        self.ctl("close-all")
        self.wait_displayed(0)

    def wait_displayed(self, count: int, timeout: float | None = None) -> int:
        """Wait until exactly `count` toasts are displayed."""
        return wait_for(
            lambda: self.count("displayed"), lambda n: n == count, timeout or self.timeout
        )

    def wait_displayed_at_least(self, count: int, timeout: float | None = None) -> int:
        return wait_for(
            lambda: self.count("displayed"), lambda n: n >= count, timeout or self.timeout
        )

    def take_displayed(self) -> list[Toast]:
        """Close the displayed toasts and return them as read from the history, newest first."""
        shown = self.count("displayed")
        before = self.count("history")
        self.close_all()
        wait_for(lambda: self.count("history"), lambda n: n >= before + shown, self.timeout)
        return self.history()[:shown]

    def action(self, position: int = 0) -> None:
        """Click the toast at `position`: its default action, or its only action, or the
        context menu when it has several (`dunstctl action`)."""
        self.ctl("action", str(position))

    def choose_button(self, label: str, notification_id: int | None = None) -> None:
        """Pick the button `label` (of toast `notification_id`, if given) from the context
        menu. dunst then emits ActionInvoked to the toast's sender; wait for that."""
        wanted = [f"#{label} ("]
        if notification_id is not None:
            wanted.append(f"[{notification_id},")
        self.choice_file.parent.mkdir(parents=True, exist_ok=True)
        self.choice_file.write_text("\n".join(wanted) + "\n", encoding="utf-8")
        self.menu_file.unlink(missing_ok=True)
        self.ctl("context")

    @property
    def menu_file(self) -> Path:
        """Where dunst-dmenu.sh writes the last context menu it was shown."""
        return self.choice_file.with_name(self.choice_file.name + ".menu")

    def reset(self) -> None:
        """Forget a previous choice and close every toast: a clean start for a test."""
        self.choice_file.unlink(missing_ok=True)
        self.close_all()
