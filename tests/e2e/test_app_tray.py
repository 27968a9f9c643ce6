"""The whole app on the headless desktop against the reference server.

What a person would see: the tray item registered with the tray host, its tooltip and
its badge pixels, and what the app leaves on disk and in the keyring.
"""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from tray_app.credentials import service_name

from .app_process import AppProcess, app_environment, run_cli
from .desktop_bus import SessionBus, wait_for

EMAIL = "tray-user@example.com"
PASSWORD = "password-123"


def add_notifications(server, count: int, **fields) -> None:
    import httpx

    body = {"email": EMAIL, "type": "job_completed", "title": "Archivage terminé", **fields}
    if count > 1:
        body["count"] = count
    httpx.post(f"{server.url}/api/_test/notifications", json=body, timeout=10).raise_for_status()


def red_pixels(bus: SessionBus, item: str) -> int:
    """Pixels of the badge's red in the largest icon the item publishes."""
    pixmaps = bus.icon_pixmaps(item)
    image = max(pixmaps, key=lambda p: p.width).to_qimage()
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if (
                color.alpha() > 200
                and color.red() > 180
                and color.green() < 90
                and color.blue() < 90
            ):
                count += 1
    return count


@pytest.fixture
def tray_server(server_factory):
    server = server_factory(test_control=True, rate_limit=False)
    server.create_user(EMAIL, PASSWORD)
    return server


@pytest.fixture
def app_env(tmp_path):
    return app_environment(tmp_path)


@pytest.fixture
def running_apps():
    apps: list[AppProcess] = []
    yield apps
    for app in apps:
        app.stop()


def login(env, server) -> None:
    result = run_cli(
        env,
        "login",
        "--server",
        server.url,
        "--email",
        EMAIL,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr


def files_containing(roots: list[Path], secret: str) -> list[Path]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and secret.encode() in path.read_bytes():
                found.append(path)
    return found


def test_cli_login_then_app_starts_signed_in_with_badge(
    tray_server, app_env, running_apps, session_bus, screenshot
):
    add_notifications(tray_server, 7)
    login(app_env, tray_server)
    token = keyring.get_password(service_name(tray_server.url), EMAIL)
    assert token and token.count(".") == 2

    app = AppProcess(app_env)
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus)
    tip = app.wait_tooltip(session_bus, "7 unread")
    assert "127.0.0.1" in tip.description or "127.0.0.1" in tip.title
    assert red_pixels(session_bus, app.item) > 0
    screenshot("tray-badge-7")

    add_notifications(tray_server, 1)
    app.wait_tooltip(session_bus, "8 unread", timeout=40)

    status = run_cli(app_env, "status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    assert '"unread": 8' in status.stdout and '"connection": "online"' in status.stdout

    app.stop()
    dirs = [Path(app_env[name]) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")]
    assert files_containing(dirs, token) == []
    assert files_containing(dirs, PASSWORD) == []


def test_badge_shows_zero_and_many(tray_server, app_env, running_apps, session_bus, screenshot):
    login(app_env, tray_server)
    app = AppProcess(app_env)
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "No unread notifications")
    assert red_pixels(session_bus, app.item) == 0
    screenshot("tray-badge-0")
    add_notifications(tray_server, 120)
    app.wait_tooltip(session_bus, "120 unread", timeout=40)
    assert red_pixels(session_bus, app.item) > 0
    screenshot("tray-badge-120")


def test_server_down_shows_offline_and_reconnects(tray_server, app_env, running_apps, session_bus):
    add_notifications(tray_server, 3)
    login(app_env, tray_server)
    app = AppProcess(app_env)
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "3 unread")
    tray_server.stop()
    app.wait_tooltip(session_bus, "Offline", timeout=60)
    tray_server.start()
    add_notifications(tray_server, 1)
    tip = app.wait_tooltip(session_bus, "4 unread", timeout=90)
    assert "Offline" not in tip.description


def test_expired_token_is_refreshed_without_the_user_noticing(
    server_factory, app_env, running_apps, session_bus
):
    server = server_factory(test_control=True, rate_limit=False, token_ttl_s=12)
    server.create_user(EMAIL, PASSWORD)
    add_notifications(server, 2)
    login(app_env, server)
    app = AppProcess(app_env)
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "2 unread")

    def refreshes() -> int:
        return sum(
            1 for r in server.requests() if r["path"] == "/api/auth/refresh" and r["status"] == 200
        )

    wait_for(refreshes, lambda n: n >= 2, timeout=40)
    add_notifications(server, 1)
    tip = app.wait_tooltip(session_bus, "3 unread", timeout=40)
    assert "Signed out" not in tip.title + tip.description


def test_demo_mode_registers_and_shows_the_seeded_badge(
    app_env, running_apps, session_bus, screenshot
):
    app = AppProcess(app_env, args=("--demo",))
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus, timeout=40)
    tip = app.wait_tooltip(session_bus, "unread -", timeout=40)
    assert "Signed out" not in tip.title
    assert red_pixels(session_bus, app.item) > 0
    screenshot("tray-demo")


def test_no_account_opens_the_login_dialog(app_env, running_apps, session_bus, screenshot):
    app = AppProcess(app_env, args=("--server", "https://mail.example.org"))
    running_apps.append(app)
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "Signed out")
    screenshot("login-dialog-at-start")
