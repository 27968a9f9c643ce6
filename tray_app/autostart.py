"""Start the app when the user logs in, the way each desktop expects it.

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/tray-app.desktop``, a copy
  of the app's desktop entry (``resources/tray-app.desktop``; a test keeps
  :data:`DESKTOP_ENTRY` in step with it) whose ``Exec`` is the current launcher.
- Windows: a value in the current user's ``Run`` registry key.
- macOS: a LaunchAgent property list in ``~/Library/LaunchAgents``.

The command is the ``tray-app`` script when the app was started through it, the bundle
executable when frozen (PyInstaller), else ``<python> -m tray_app``.
"""

from __future__ import annotations

import os
import plistlib
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from tray_app.paths import APP_NAME, atomic_write_bytes, atomic_write_text

__all__ = [
    "DESKTOP_ENTRY",
    "LAUNCH_AGENT_LABEL",
    "Autostart",
    "LinuxAutostart",
    "MacAutostart",
    "WindowsAutostart",
    "autostart_for_platform",
    "desktop_exec",
    "disable",
    "enable",
    "is_enabled",
    "launcher_command",
    "linux_autostart_entry",
    "macos_launch_agent",
    "windows_run_value",
]

DESKTOP_ENTRY: dict[str, str] = {
    "Name": "Mail Notifications",
    "Name[fr]": "Notifications de messagerie",
    "Comment": "Unread notifications of your mail server in the system tray",
    "Comment[fr]": (
        "Les notifications non lues de votre serveur de messagerie dans la zone de notification"
    ),
    "Icon": APP_NAME,
}
"""The keys the autostart entry shares with ``resources/tray-app.desktop``."""

LAUNCH_AGENT_LABEL = APP_NAME
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
_SCRIPT_NAMES = {APP_NAME, f"{APP_NAME}.exe", f"{APP_NAME}-script.pyw"}
# Characters that force quoting of an Exec argument (Desktop Entry Specification).
_EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def launcher_command(argv0: str | None = None) -> list[str]:
    """The command that starts this app the way it was started now."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name in _SCRIPT_NAMES and script.exists():
        return [str(script.resolve())]
    return [_gui_python(), "-m", "tray_app"]


def _gui_python() -> str:
    """pythonw.exe on Windows (no console window at login), else this interpreter."""
    python = Path(sys.executable)
    if sys.platform == "win32" and python.name.lower() == "python.exe":
        pythonw = python.with_name("pythonw.exe")
        if pythonw.exists():
            return str(pythonw)
    return str(python)


def desktop_exec(command: Sequence[str]) -> str:
    """``command`` as the value of a desktop entry's ``Exec`` key.

    Arguments with reserved characters are double-quoted with ``" ` $ \\`` escaped;
    then, as for every string value, backslashes are doubled; ``%`` becomes ``%%``.
    """
    quoted = []
    for arg in command:
        arg = arg.replace("%", "%%")
        if not arg or _EXEC_RESERVED.search(arg):
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        quoted.append(arg.replace("\\", "\\\\"))
    return " ".join(quoted)


def linux_autostart_entry(command: Sequence[str]) -> str:
    """The text of the XDG autostart desktop entry that runs ``command``."""
    lines = ["[Desktop Entry]", "Type=Application"]
    lines += [f"{key}={value}" for key, value in DESKTOP_ENTRY.items()]
    lines += [
        f"Exec={desktop_exec(command)}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    return "\n".join(lines) + "\n"


def macos_launch_agent(command: Sequence[str]) -> bytes:
    """The LaunchAgent property list (XML) that runs ``command`` at login."""
    agent = {
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML)


def windows_run_value(command: Sequence[str]) -> str:
    """``command`` as a Windows ``Run`` registry value (MS C runtime quoting)."""
    return subprocess.list2cmdline(list(command))


class Autostart(Protocol):
    """Start-at-login for one platform."""

    def enable(self, command: Sequence[str] | None = None) -> None: ...
    def disable(self) -> None: ...
    def is_enabled(self) -> bool: ...


class LinuxAutostart:
    """XDG autostart; ``config_home`` defaults to ``$XDG_CONFIG_HOME`` or ``~/.config``."""

    def __init__(self, config_home: Path | None = None) -> None:
        self._config_home = config_home

    @property
    def path(self) -> Path:
        """The autostart desktop entry (read from the environment at each use)."""
        home = self._config_home
        if home is None:
            env = os.environ.get("XDG_CONFIG_HOME", "")
            # The spec says to ignore a relative XDG_CONFIG_HOME.
            home = Path(env) if os.path.isabs(env) else Path.home() / ".config"
        return home / "autostart" / f"{APP_NAME}.desktop"

    def enable(self, command: Sequence[str] | None = None) -> None:
        entry = linux_autostart_entry(command or launcher_command())
        atomic_write_text(self.path, entry, private_dir=False)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        """True if our entry exists and is not switched off (Hidden, GNOME's flag)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        return (
            keys.get("Hidden", "false").strip() != "true"
            and keys.get("X-GNOME-Autostart-enabled", "true").strip() != "false"
        )


class MacAutostart:
    """A LaunchAgent; ``agents_dir`` defaults to ``~/Library/LaunchAgents``."""

    def __init__(self, agents_dir: Path | None = None) -> None:
        self._agents_dir = agents_dir

    @property
    def path(self) -> Path:
        agents_dir = self._agents_dir or Path.home() / "Library" / "LaunchAgents"
        return agents_dir / f"{LAUNCH_AGENT_LABEL}.plist"

    def enable(self, command: Sequence[str] | None = None) -> None:
        agent = macos_launch_agent(command or launcher_command())
        atomic_write_bytes(self.path, agent, private_dir=False)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return isinstance(agent, dict) and agent.get("RunAtLoad") is True


class WindowsAutostart:
    """The ``tray-app`` value of ``HKCU\\...\\CurrentVersion\\Run``."""

    value_name = APP_NAME

    def enable(self, command: Sequence[str] | None = None) -> None:
        value = windows_run_value(command or launcher_command())
        if sys.platform == "win32":
            import winreg  # Windows only

            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
                winreg.SetValueEx(key, self.value_name, 0, winreg.REG_SZ, value)
        else:
            raise OSError("the Windows registry exists only on Windows")

    def disable(self) -> None:
        if sys.platform == "win32":
            import winreg

            try:
                with winreg.OpenKey(
                    winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, winreg.KEY_SET_VALUE
                ) as key:
                    winreg.DeleteValue(key, self.value_name)
            except FileNotFoundError:
                pass  # not enabled
        else:
            raise OSError("the Windows registry exists only on Windows")

    def is_enabled(self) -> bool:
        if sys.platform == "win32":
            import winreg

            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
                    winreg.QueryValueEx(key, self.value_name)
            except FileNotFoundError:
                return False
            return True
        return False


def autostart_for_platform(platform: str | None = None) -> Autostart:
    """The start-at-login implementation for ``platform`` (default: this one)."""
    platform = platform or sys.platform
    if platform == "win32":
        return WindowsAutostart()
    if platform == "darwin":
        return MacAutostart()
    return LinuxAutostart()


def enable(command: Sequence[str] | None = None) -> None:
    """Start the app at login with ``command`` (default: :func:`launcher_command`)."""
    autostart_for_platform().enable(command)


def disable() -> None:
    """Stop starting the app at login; nothing happens if it was not enabled."""
    autostart_for_platform().disable()


def is_enabled() -> bool:
    """Whether the app starts at login."""
    return autostart_for_platform().is_enabled()
