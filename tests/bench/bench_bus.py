"""What reaches the session bus, with the bus's own timestamps: toasts and tray items.

One ``dbus-monitor`` process watches every ``Notify`` call to the notification daemon
and every ``StatusNotifierItemRegistered`` signal of the tray host. Its ``time=`` is
taken when the message reaches it, in another process, so a busy benchmark process
does not skew it. Each sender's PID is asked from the bus as soon as it is first seen
(while it is still connected).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from jeepney import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import unwrap_msg

NOTIFY_RULE = "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"
REGISTERED_RULE = (
    "type='signal',interface='org.kde.StatusNotifierWatcher',member='StatusNotifierItemRegistered'"
)
_HEADER = re.compile(
    r"^(?P<kind>method call|signal) time=(?P<time>\d+\.\d+) sender=(?P<sender>\S+) -> "
    r"destination=.*? serial=\d+ path=\S+; interface=\S+; member=(?P<member>\S+)$"
)
#: Top-level arguments of each watched message: it is complete once all are read.
_ARG_COUNTS = {"Notify": 8, "StatusNotifierItemRegistered": 1}
_ARG = re.compile(r"^   (?P<type>string|uint32|int32|array|byte|boolean|variant) ?(?P<value>.*)$")


@dataclass(frozen=True)
class BusEvent:
    """A Notify call (args: app_name, replaces_id, icon, summary, body) or a registration."""

    member: str
    time: float
    sender: str
    sender_pid: int | None
    args: tuple[str, ...]

    @property
    def summary(self) -> str:
        return self.args[3] if self.member == "Notify" and len(self.args) > 3 else ""

    @property
    def app_name(self) -> str:
        return self.args[0] if self.args else ""


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


class BusMonitor:
    """Runs dbus-monitor in the background and keeps the events it printed."""

    def __init__(self) -> None:
        cmd = ["dbus-monitor", "--session", NOTIFY_RULE, REGISTERED_RULE]
        if shutil.which("stdbuf"):
            cmd = ["stdbuf", "-oL", *cmd]  # line-buffered, so events are read at once
        self._process = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace"
        )
        self._events: list[BusEvent] = []
        self._lock = threading.Lock()
        self._pids: dict[str, int | None] = {}
        self._bus: DBusConnection = open_dbus_connection(bus="SESSION")
        self._thread = threading.Thread(target=self._read, name="dbus-monitor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=5)
        self._thread.join(timeout=5)
        self._bus.close()

    def events(self, member: str | None = None, since: float = 0.0) -> list[BusEvent]:
        with self._lock:
            found = [e for e in self._events if e.time >= since]
        return [e for e in found if member is None or e.member == member]

    def wait_for(
        self, pred: Callable[[BusEvent], bool], timeout: float, since: float = 0.0
    ) -> BusEvent | None:
        """The first event (seen since ``since``) matching ``pred``, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events(since=since) if pred(e)]
            if found:
                return found[0]
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def _pid_of(self, sender: str) -> int | None:
        if sender not in self._pids:
            try:
                reply = self._bus.send_and_get_reply(
                    message_bus.GetConnectionUnixProcessID(sender), timeout=2
                )
                self._pids[sender] = int(unwrap_msg(reply)[0])
            except Exception:  # the sender left the bus already
                self._pids[sender] = None
        return self._pids[sender]

    def _read(self) -> None:
        assert self._process.stdout is not None
        header: re.Match[str] | None = None
        args: list[str] = []
        for line in self._process.stdout:
            line = line.rstrip("\n")
            match = _HEADER.match(line)
            if match:
                self._emit(header, args)
                header, args = match, []
            elif header is not None:
                arg = _ARG.match(line)
                if arg:
                    args.append(arg.group("value"))
                elif args and not line.startswith("   "):
                    args[-1] += "\n" + line  # a string argument spanning lines
                if len(args) >= _ARG_COUNTS.get(header.group("member"), 1_000):
                    self._emit(header, args)  # complete: do not wait for the next message
                    header, args = None, []
        self._emit(header, args)

    def _emit(self, header: re.Match[str] | None, args: list[str]) -> None:
        if header is None:
            return
        member = header.group("member")
        if member not in ("Notify", "StatusNotifierItemRegistered"):
            return
        sender = header.group("sender")
        pid = self._pid_of(sender) if member == "Notify" else None
        values = tuple(_unquote(a) for a in args)
        event = BusEvent(member, float(header.group("time")), sender, pid, values)
        with self._lock:
            self._events.append(event)
