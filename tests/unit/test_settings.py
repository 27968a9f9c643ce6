"""Settings: one declaration, strict writes, forgiving reads, private atomic file."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from tray_app.settings import Settings, SettingsStore, choices_of, settings_table


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config" / "settings.json")


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings()
    assert settings.server_url == ""
    assert settings.remember_me is False
    assert settings.update_speed == "balanced"
    assert (settings.quiet_start, settings.quiet_end) == ("22:00", "07:00")
    assert settings.language == "system"
    assert settings.log_level == "INFO"


def test_no_setting_can_hold_a_secret() -> None:
    for field in dataclasses.fields(Settings):
        name = field.name.lower()
        assert not any(word in name for word in ("token", "password", "secret")), name


def test_settings_table_lists_every_field_once_with_a_description() -> None:
    table = settings_table()
    assert [row.key for row in table] == [f.name for f in dataclasses.fields(Settings)]
    for key, type_label, default, description in table:
        assert getattr(Settings(), key) == default
        assert description.strip(), key
        assert type_label
    assert dict((row.key, row.type) for row in table)["update_speed"] == "battery | balanced | fast"
    assert dict((row.key, row.type) for row in table)["remember_me"] == "bool"


def test_choices_come_from_the_type() -> None:
    assert choices_of("language") == ("system", "en", "fr")
    assert choices_of("email") == ()


def test_missing_file_gives_defaults(store: SettingsStore) -> None:
    assert store.load() == Settings()


def test_round_trip(store: SettingsStore) -> None:
    saved = Settings(server_url="https://mail.example.org", email="a@b.c", update_speed="fast")
    store.save(saved)
    assert SettingsStore(store.path).load() == saved


def test_file_is_private_json(store: SettingsStore) -> None:
    store.save(Settings(email="a@b.c"))
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["email"] == "a@b.c"
    assert set(data) == {f.name for f in dataclasses.fields(Settings)}
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_update_saves_and_returns(store: SettingsStore) -> None:
    updated = store.update(language="fr", quiet_hours_enabled=True)
    assert (updated.language, updated.quiet_hours_enabled) == ("fr", True)
    assert SettingsStore(store.path).load() == updated


@pytest.mark.parametrize(
    "changes",
    [
        {"update_speed": "turbo"},
        {"remember_me": "yes"},
        {"remember_me": 1},
        {"quiet_start": "25:00"},
        {"quiet_end": "7:00"},
        {"toasts_paused_until": "tomorrow"},
        {"window_geometry": "not base64!"},
        {"server_url": "ftp://x"},
        {"log_level": "TRACE"},
        {"email": None},
        {"no_such_setting": 1},
    ],
)
def test_update_rejects_bad_values_without_writing(
    store: SettingsStore, changes: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        store.update(**changes)
    assert not store.path.exists()


def test_accepts_valid_formats(store: SettingsStore) -> None:
    updated = store.update(
        toasts_paused_until="2026-11-20T08:30:00+01:00",
        window_geometry="AdnQywADAAA=",
        quiet_start="23:59",
    )
    assert updated.toasts_paused_until.startswith("2026-11-20")


def test_unknown_keys_ignored_and_wrong_types_defaulted(
    store: SettingsStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        json.dumps(
            {
                "email": "a@b.c",
                "remember_me": "true",
                "update_speed": "warp",
                "from_the_future": 42,
            }
        ),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="tray_app.settings"):
        settings = store.load()
    assert settings == Settings(email="a@b.c")
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "remember_me" in warned and "update_speed" in warned
    assert "from_the_future" not in warned


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"', ""])
def test_corrupt_file_is_moved_aside(
    store: SettingsStore, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tray_app.settings"):
        assert store.load() == Settings()
    bad = store.path.with_name("settings.json.bad")
    assert bad.read_text(encoding="utf-8") == content
    assert not store.path.exists()
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    store.update(email="x@y.z")  # and the app can save again
    assert SettingsStore(store.path).load().email == "x@y.z"


def test_save_is_atomic(store: SettingsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Settings(email="old@x.y"))

    def interrupted(*args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr("tray_app.paths.os.replace", interrupted)
    with pytest.raises(OSError):
        store.save(Settings(email="new@x.y"))
    monkeypatch.undo()
    assert SettingsStore(store.path).load().email == "old@x.y"
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["settings.json"]


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().email = "x"  # type: ignore[misc]
