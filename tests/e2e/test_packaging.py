"""The desktop packages: the PyInstaller bundle and the .deb, built once per test session.

packaging/build-linux.sh builds both into a temporary folder (not the checkout's dist/);
the tests then check the metadata files, what the bundle and the .deb contain, and that
the bundle really runs: its --version, and the demo registering a tray item and showing a
toast on the test desktop.
"""

from __future__ import annotations

import configparser
import ctypes
import logging
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import pytest
from jeepney import message_bus

from tray_app import platform_integration
from tray_app.autostart import WindowsAutostart
from tray_app.platform_integration import (
    APP_ID,
    WINDOWS_APP_USER_MODEL_ID,
    set_app_user_model_id,
)

from .desktop_bus import SessionBus, split_item, wait_for
from .dunst import Dunst

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
DESKTOP_FILE = RESOURCES / "tray-app.desktop"
ISS = ROOT / "packaging" / "windows" / "tray-app.iss"
BUILD_TIMEOUT = 600  # seconds; PyInstaller takes about a minute on two busy cores
APP_TIMEOUT = 60  # for the bundled app to show its tray item, then a toast

# The first test that uses the build waits for it inside its own time limit.
pytestmark = pytest.mark.timeout(BUILD_TIMEOUT + 2 * APP_TIMEOUT + 60)

# Packages of libraries that the bundled Qt (xcb platform plugin, QtGui, QtDBus) links to.
# Without libxcb-icccm4 or libxcb-keysyms1 the plugin fails to load with a misleading
# message about libxcb-cursor0, so a missing entry would show only on the user's desktop.
XCB_PLUGIN_PACKAGES = {
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
}
# Qt parts the app does not use; finding one means the spec's exclusions broke.
UNWANTED_QT = re.compile(
    r"Qt6(Quick|Qml|WebEngine|Pdf|Multimedia|3D|Charts|Sql|Bluetooth|Positioning|Designer"
    r"|OpenGL|WaylandClient|EglFS)|libqwayland|libqgtk3|libqeglfs|libqoffscreen|libqsql"
)


@dataclass(frozen=True)
class Build:
    bundle: Path
    deb: Path
    version: str


def desktop_entry_name() -> str:
    """The app's name as the desktop entry gives it to menus."""
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DESKTOP_FILE, encoding="utf-8")
    return entry["Desktop Entry"]["Name"]


def run(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """The bundle and the .deb, built with this test run's Python; removed afterwards
    (pytest would otherwise keep a few hundred megabytes per run in its temporary folder)."""
    if run(sys.executable, "-c", "import PyInstaller").returncode != 0:
        pytest.fail(
            f"PyInstaller is missing: {sys.executable} -m pip install -e '.[package]'",
            pytrace=False,
        )
    out = tmp_path_factory.mktemp("packaging")
    done = run(
        ROOT / "packaging" / "build-linux.sh",
        "--dist",
        out / "dist",
        "--work",
        out / "build",
        "--python",
        sys.executable,
        timeout=BUILD_TIMEOUT,
    )
    if done.returncode != 0:
        pytest.fail(f"build-linux.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    version = metadata.version("tray-app")
    debs = list((out / "dist").glob(f"tray-app_{version}_*.deb"))
    assert len(debs) == 1, debs
    yield Build(bundle=out / "dist" / "tray-app", deb=debs[0], version=version)
    shutil.rmtree(out, ignore_errors=True)


# --- metadata files -------------------------------------------------------------------


def test_the_desktop_entry_is_valid() -> None:
    done = run("desktop-file-validate", DESKTOP_FILE)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_appstream_metadata_is_valid() -> None:
    done = run("appstreamcli", "validate", "--no-net", METAINFO)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_appstream_metadata_describes_this_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name
    assert root.findtext("provides/binary") == "tray-app"
    # The newest release comes first; it is the version being packaged.
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == metadata.version("tray-app")
    assert root.findtext("name") == desktop_entry_name()


def test_the_windows_installer_matches_the_app() -> None:
    """The shortcut's AppUserModelID and the autostart value are the app's own."""
    text = ISS.read_text(encoding="utf-8-sig")
    defines = dict(re.findall(r'^\s*#define (\w+) "([^"]*)"', text, flags=re.MULTILINE))
    assert defines["AppUserModelID"] == WINDOWS_APP_USER_MODEL_ID
    assert defines["RunValueName"] == WindowsAutostart.value_name
    assert 'AppUserModelID: "{#AppUserModelID}"' in text
    assert defines["AppVersion"] == metadata.version("tray-app")


class FakeShell32:
    """Stands for ``ctypes.windll.shell32``: records the id, answers ``hresult``."""

    def __init__(self, hresult: int) -> None:
        self.hresult = hresult
        self.ids: list[str | None] = []

    def SetCurrentProcessExplicitAppUserModelID(self, app_id: ctypes.c_wchar_p) -> int:
        self.ids.append(app_id.value)
        return self.hresult


def test_the_app_user_model_id_is_set_on_windows_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set_app_user_model_id() is False  # not Windows: nothing to do
    shell32 = FakeShell32(hresult=0)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", type("WinDLL", (), {"shell32": shell32}), raising=False)
    assert set_app_user_model_id() is True
    assert shell32.ids == [WINDOWS_APP_USER_MODEL_ID]


def test_a_refused_app_user_model_id_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shell32 = FakeShell32(hresult=-2147024809)  # E_INVALIDARG
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", type("WinDLL", (), {"shell32": shell32}), raising=False)
    with caplog.at_level(logging.WARNING, logger=platform_integration.__name__):
        assert set_app_user_model_id("Some.Id") is False
    assert shell32.ids == ["Some.Id"]
    assert "0x80070057" in caplog.text


# --- the bundle -----------------------------------------------------------------------


def test_the_bundle_reports_its_version(build: Build) -> None:
    done = run(build.bundle / "tray-app", "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"tray-app {build.version}")


def test_the_bundle_carries_the_resources_where_the_app_looks(build: Build) -> None:
    # tray_app/resources.py looks in <sys._MEIPASS>/resources; _MEIPASS is _internal.
    resources = build.bundle / "_internal" / "resources"
    for name in ["icons/tray-app.svg", "icons/categories/generic.svg", "tray-app.desktop"]:
        assert (resources / name).is_file(), name
    shipped = {p.name for p in (RESOURCES / "translations").glob("*.qm")}
    assert shipped and shipped == {p.name for p in (resources / "translations").glob("*.qm")}
    assert not list(resources.rglob("*.ts")), "translation sources are not needed at run time"


def test_the_bundle_has_only_the_qt_parts_it_needs(build: Build) -> None:
    files = [p.relative_to(build.bundle).as_posix() for p in build.bundle.rglob("*")]
    assert not [f for f in files if UNWANTED_QT.search(f)]
    plugins = {
        f.split("/plugins/", 1)[1] for f in files if "/Qt/plugins/" in f and f.endswith(".so")
    }
    for wanted in ["platforms/libqxcb.so", "imageformats/libqsvg.so", "iconengines/libqsvgicon.so"]:
        assert wanted in plugins
    for lib in ["QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtDBus", "QtSvg"]:
        assert f"_internal/PySide6/{lib}.abi3.so" in files
    # Symbolic links must all lead somewhere (the spec drops the links of dropped libraries).
    dangling = [p for p in build.bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling


# --- the .deb -------------------------------------------------------------------------


def deb_field(deb: Path, name: str) -> str:
    done = run("dpkg-deb", "--field", deb, name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_deb_describes_the_package(build: Build) -> None:
    info = run("dpkg-deb", "--info", build.deb)
    assert info.returncode == 0, info.stderr
    assert deb_field(build.deb, "Package") == "tray-app"
    assert deb_field(build.deb, "Version") == build.version
    arch = run("dpkg", "--print-architecture").stdout.strip()
    assert deb_field(build.deb, "Architecture") == arch
    assert deb_field(build.deb, "Description")


def test_the_deb_depends_on_the_libraries_the_bundle_needs(build: Build) -> None:
    depends = {
        entry.split()[0] for entry in deb_field(build.deb, "Depends").split(",") if entry.strip()
    }
    assert not XCB_PLUGIN_PACKAGES - depends, "the xcb plugin needs these"
    assert "libc6" in depends
    # Every one of them is installed here, so the package would install on this system.
    listed = run("dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", *sorted(depends))
    installed = {
        line.split()[0] for line in listed.stdout.splitlines() if line.endswith(" installed")
    }
    assert installed == depends


def deb_contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """Path -> (mode, owner/group, link target or "") of every entry of the .deb."""
    done = run("dpkg-deb", "--contents", deb)
    assert done.returncode == 0, done.stderr
    entries = {}
    for line in done.stdout.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(maxsplit=5)
        path, _, target = rest.partition(" -> ")
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner, target)
    return entries


def test_the_deb_installs_the_app_and_its_desktop_files(build: Build) -> None:
    entries = deb_contents(build.deb)
    assert entries["/opt/tray-app/tray-app"][0] == "-rwxr-xr-x"
    assert entries["/usr/bin/tray-app"][0].startswith("l")
    assert entries["/usr/bin/tray-app"][2] == "/opt/tray-app/tray-app"
    expected = [
        "/usr/share/applications/tray-app.desktop",
        f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/tray-app.svg",
        "/opt/tray-app/_internal/resources/icons/tray-app.svg",
    ]
    sizes = [p.parent.parent.name for p in RESOURCES.glob("icons/hicolor/*/apps/tray-app.png")]
    assert sizes
    expected += [f"/usr/share/icons/hicolor/{size}/apps/tray-app.png" for size in sizes]
    for path in expected:
        assert entries[path][0] == "-rw-r--r--", path
    assert {owner for _mode, owner, _target in entries.values()} == {"root/root"}


def test_the_installed_layout_runs(build: Build, tmp_path: Path) -> None:
    assert run("dpkg-deb", "--extract", build.deb, tmp_path).returncode == 0
    done = run(tmp_path / "opt" / "tray-app" / "tray-app", "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"tray-app {build.version}")


# --- the bundle on the desktop --------------------------------------------------------


@pytest.fixture
def demo_app(build: Build, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The bundle running ``--demo`` on the test desktop; stopped at the end."""
    log = (tmp_path / "app.log").open("wb")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.Popen(
        [str(build.bundle / "tray-app"), "--demo"], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        log.close()


def items_of_process(bus: SessionBus, pid: int) -> list[str]:
    """The registered tray items that the process ``pid`` owns."""
    mine = []
    for item in bus.registered_items():
        name, _path = split_item(item)
        try:
            (owner,) = bus.call(message_bus.GetConnectionUnixProcessID(name))
        except Exception:  # the item went away between the two calls
            continue
        if owner == pid:
            mine.append(item)
    return mine


def while_running(
    proc: subprocess.Popen[bytes], log: Path, read: Callable[[], T]
) -> Callable[[], T]:
    """``read``, failing at once with the app's log if the app has exited."""

    def checked() -> T:
        if proc.poll() is not None:
            text = log.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"the app exited with {proc.returncode}:\n{text[-3000:]}")
        return read()

    return checked


def test_the_bundled_demo_shows_a_tray_item_and_a_toast(
    demo_app: subprocess.Popen[bytes],
    session_bus: SessionBus,
    dunst: Dunst,
    screenshot: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    items = wait_for(
        while_running(demo_app, log, lambda: items_of_process(session_bus, demo_app.pid)),
        bool,
        timeout=APP_TIMEOUT,
        interval=0.2,
    )
    assert len(items) == 1
    assert session_bus.icon_pixmaps(items[0]), "the tray item has no icon"
    # The demo's simulator produces notifications, and the app toasts them.
    wait_for(
        while_running(demo_app, log, lambda: dunst.count("displayed")),
        lambda n: n >= 1,
        timeout=APP_TIMEOUT,
        interval=0.2,
    )
    screenshot("packaged-demo")
    toast = dunst.take_displayed()[0]
    assert toast.app_name == desktop_entry_name()
    assert toast.summary
