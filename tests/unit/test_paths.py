"""AppPaths: platformdirs locations, private folders, atomic private files."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tray_app import paths
from tray_app.paths import AppPaths, atomic_write_bytes, atomic_write_text, ensure_private_dir

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_root_override_puts_every_dir_under_root(tmp_path: Path) -> None:
    app_paths = AppPaths(root=tmp_path)
    dirs = [
        app_paths.config_dir,
        app_paths.state_dir,
        app_paths.cache_dir,
        app_paths.log_dir,
        app_paths.data_dir,
    ]
    assert all(d.parent == tmp_path for d in dirs)
    assert len(set(dirs)) == 5


def test_building_paths_touches_nothing(tmp_path: Path) -> None:
    AppPaths(root=tmp_path / "root")
    assert not (tmp_path / "root").exists()


def test_default_dirs_follow_xdg_and_app_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("XDG layout")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    app_paths = AppPaths()
    assert app_paths.config_dir == tmp_path / "cfg" / paths.APP_NAME
    assert app_paths.state_dir == tmp_path / "state" / paths.APP_NAME
    assert app_paths.cache_dir == tmp_path / "cache" / paths.APP_NAME
    assert app_paths.log_dir.is_relative_to(tmp_path / "state")


@posix_only
@pytest.mark.parametrize("kind", ["config", "state", "cache", "log", "data"])
def test_file_accessors_create_a_0700_dir(tmp_path: Path, kind: str) -> None:
    app_paths = AppPaths(root=tmp_path)
    path = getattr(app_paths, f"{kind}_file")("x.json")
    assert path == getattr(app_paths, f"{kind}_dir") / "x.json"
    assert path.parent.is_dir()
    assert mode(path.parent) == 0o700
    assert not path.exists()


@posix_only
def test_existing_loose_dir_is_tightened(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    ensure_private_dir(loose)
    assert mode(loose) == 0o700


@posix_only
def test_atomic_write_creates_a_0600_file(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        target = tmp_path / "sub" / "f.txt"
        atomic_write_text(target, "héllo")
    finally:
        os.umask(old_umask)
    assert target.read_text(encoding="utf-8") == "héllo"
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(paths.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


@posix_only
def test_shared_parent_is_not_tightened(tmp_path: Path) -> None:
    shared = tmp_path / "autostart"
    shared.mkdir()
    shared.chmod(0o755)
    atomic_write_text(shared / "x.desktop", "x", private_dir=False)
    assert mode(shared) == 0o755
    assert mode(shared / "x.desktop") == 0o600
