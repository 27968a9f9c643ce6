"""Start at login: the real XDG file on Linux, generated content for Windows/macOS."""

from __future__ import annotations

import configparser
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tray_app import autostart
from tray_app.autostart import (
    DESKTOP_ENTRY,
    LinuxAutostart,
    MacAutostart,
    WindowsAutostart,
    autostart_for_platform,
    desktop_exec,
    launcher_command,
    linux_autostart_entry,
    macos_launch_agent,
    windows_run_value,
)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
COMMAND = ["/opt/Tray App/bin/python", "-m", "tray_app"]


def read_entry(text: str) -> dict[str, str]:
    parser = configparser.RawConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


@pytest.fixture
def xdg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(sys, "platform", "linux")
    return tmp_path / "config"


def test_linux_enable_disable_for_real(xdg_config: Path) -> None:
    assert not autostart.is_enabled()
    autostart.enable(COMMAND)
    path = xdg_config / "autostart" / "tray-app.desktop"
    assert path.is_file()
    assert autostart.is_enabled()
    entry = read_entry(path.read_text(encoding="utf-8"))
    assert entry["Exec"] == '"/opt/Tray App/bin/python" -m tray_app'
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    autostart.enable(COMMAND)  # idempotent
    autostart.disable()
    assert not path.exists()
    assert not autostart.is_enabled()
    autostart.disable()  # disabling twice is fine


def test_linux_entry_switched_off_by_the_desktop(xdg_config: Path) -> None:
    autostart.enable(COMMAND)
    path = LinuxAutostart().path
    path.write_text(path.read_text(encoding="utf-8") + "Hidden=true\n", encoding="utf-8")
    assert not autostart.is_enabled()


def test_linux_relative_xdg_config_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    assert LinuxAutostart().path == Path.home() / ".config" / "autostart" / "tray-app.desktop"


def test_autostart_entry_shares_the_app_desktop_entry() -> None:
    app_entry = read_entry((RESOURCES / "tray-app.desktop").read_text(encoding="utf-8"))
    auto_entry = read_entry(linux_autostart_entry(COMMAND))
    for key in DESKTOP_ENTRY:
        assert auto_entry[key] == app_entry[key], key
    assert app_entry["Categories"] == "Network;Email;"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no validator")
@pytest.mark.parametrize(
    "desktop_file",
    [RESOURCES / "tray-app.desktop", None],
    ids=["app entry", "autostart entry"],
)
def test_desktop_files_validate(desktop_file: Path | None, tmp_path: Path) -> None:
    if desktop_file is None:
        desktop_file = tmp_path / "tray-app.desktop"
        desktop_file.write_text(linux_autostart_entry(COMMAND), encoding="utf-8")
    result = subprocess.run(
        ["desktop-file-validate", str(desktop_file)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_exec_quoting() -> None:
    assert desktop_exec(["/usr/bin/tray-app"]) == "/usr/bin/tray-app"
    assert desktop_exec(["a b", "100%"]) == '"a b" 100%%'
    assert desktop_exec(['say "$x"']) == r'"say \\"\\$x\\""'
    assert desktop_exec(["C:\\dir"]) == r'"C:\\\\dir"'
    assert desktop_exec([""]) == '""'


@pytest.mark.skipif(shutil.which("gio") is None, reason="needs GLib's gio to parse Exec")
def test_exec_round_trips_through_glib(tmp_path: Path) -> None:
    """GLib's own parser gives back exactly the arguments we wrote."""
    script = tmp_path / "print args.sh"
    script.write_text(
        '#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n', encoding="utf-8"
    )
    script.chmod(0o755)
    args = ["two words", 'q"u`o$te\\s', "50%", "", "it's"]
    entry = tmp_path / "t.desktop"
    entry.write_text(linux_autostart_entry([str(script), *args]), encoding="utf-8")
    # The launched script inherits gio's stdout, so run() returns once it has printed.
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    result = subprocess.run(
        ["gio", "launch", str(entry)], env=env, timeout=20, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"[{a}]" for a in args]


def test_launcher_prefers_the_tray_app_script(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "tray-app"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert launcher_command(str(script)) == [str(script.resolve())]


def test_launcher_falls_back_to_python_module() -> None:
    command = launcher_command("/usr/lib/python3/site-packages/pytest/__main__.py")
    assert command[1:] == ["-m", "tray_app"]
    assert Path(command[0]).name.startswith("python")


def test_launcher_of_a_frozen_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/tray-app/tray-app")
    assert launcher_command("whatever") == ["/opt/tray-app/tray-app"]


def test_macos_plist_content() -> None:
    agent = plistlib.loads(macos_launch_agent(COMMAND))
    assert agent == {
        "Label": "tray-app",
        "ProgramArguments": COMMAND,
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert macos_launch_agent(COMMAND).startswith(b"<?xml")


def test_macos_agent_file(tmp_path: Path) -> None:
    mac = MacAutostart(agents_dir=tmp_path / "LaunchAgents")
    assert not mac.is_enabled()
    mac.enable(COMMAND)
    assert mac.path == tmp_path / "LaunchAgents" / "tray-app.plist"
    assert plistlib.loads(mac.path.read_bytes())["ProgramArguments"] == COMMAND
    assert mac.is_enabled()
    mac.disable()
    assert not mac.is_enabled()


def test_windows_run_value_quoting() -> None:
    command = [r"C:\Program Files\Python311\pythonw.exe", "-m", "tray_app"]
    assert windows_run_value(command) == r'"C:\Program Files\Python311\pythonw.exe" -m tray_app'


@pytest.mark.skipif(sys.platform == "win32", reason="checks the guard off Windows")
def test_windows_registry_is_guarded_elsewhere() -> None:
    windows = WindowsAutostart()
    assert not windows.is_enabled()
    with pytest.raises(OSError):
        windows.enable(COMMAND)
    with pytest.raises(OSError):
        windows.disable()


def test_platform_dispatch() -> None:
    assert isinstance(autostart_for_platform("linux"), LinuxAutostart)
    assert isinstance(autostart_for_platform("freebsd14"), LinuxAutostart)
    assert isinstance(autostart_for_platform("darwin"), MacAutostart)
    assert isinstance(autostart_for_platform("win32"), WindowsAutostart)
