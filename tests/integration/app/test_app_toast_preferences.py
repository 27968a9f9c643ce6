"""Toast preferences changed elsewhere (the web front end) apply to the next toast."""

from __future__ import annotations

import pytest
from inprocess_app import seed, user_client

import tray_app.app.controller as controller_module


@pytest.fixture
def shown(app_controller, monkeypatch):
    """Titles of the toasts the app asks its toast service to show."""
    titles: list[str] = []

    async def record(toast):
        titles.append(toast.title)
        return "1"

    monkeypatch.setattr(app_controller.toast_service, "show", record)
    return titles


def test_a_switch_turned_off_in_the_web_app_stops_the_next_toast(
    app_controller, any_server, aloop, shown, monkeypatch
):
    seed(any_server, type="job_failed", title="Import mbox échoué", body="Error: boom")
    aloop.wait_until(lambda: "Import mbox échoué" in shown, timeout=20)

    web = user_client(any_server)
    try:
        web.put("/api/notifications/preferences", json={"job_failed_toast": False})
    finally:
        web.close()
    monkeypatch.setattr(controller_module, "_PREFS_MAX_AGE_S", 0.0)
    seed(any_server, type="job_failed", title="Règle échouée", body="Error: again")
    aloop.wait_until(lambda: app_controller.prefs.preferences["job_failed_toast"] is False, 20)
    aloop.wait_until(lambda: any(n.title == "Règle échouée" for n in app_controller.store), 20)
    seed(any_server, type="job_completed", title="Archivage terminé", body="42 mail(s)")
    aloop.wait_until(lambda: "Archivage terminé" in shown, timeout=20)
    assert "Règle échouée" not in shown
