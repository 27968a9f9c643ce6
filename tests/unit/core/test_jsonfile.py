"""Atomic JSON state files: mode 0600, no leftovers, corrupt files moved aside."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from tray_app.core.jsonfile import StateFileError, quarantine, read_json, write_json_atomic


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    write_json_atomic(path, {"a": [1, "é"]})
    assert read_json(path) == {"a": [1, "é"]}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_json_atomic(path, [])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rewrite_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_json_atomic(path, 1)
    write_json_atomic(path, 2)
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert read_json(path) == 2


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_json_atomic(path, {"old": True})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert read_json(path) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_missing_file_reads_as_none(tmp_path: Path) -> None:
    assert read_json(tmp_path / "nothing.json") is None


def test_invalid_json_raises_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateFileError):
        read_json(path)


def test_quarantine_moves_the_file_aside_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.json"
    path.write_text("garbage", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        quarantine(path, "broken")
    assert not path.exists()
    assert (tmp_path / "state.json.corrupt").read_text(encoding="utf-8") == "garbage"
    assert "broken" in caplog.text


def test_quarantine_of_a_missing_file_does_not_raise(tmp_path: Path) -> None:
    quarantine(tmp_path / "gone.json", "whatever")
    assert list(tmp_path.iterdir()) == []


def test_output_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_json_atomic(path, {"k": "v"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"k": "v"}
