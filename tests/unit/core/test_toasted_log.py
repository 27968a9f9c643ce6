"""The persisted, bounded memory of toasted keys."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from core_factories import T0

from tray_app.core.toasted_log import ToastedLog


def test_in_memory_log_records_keys() -> None:
    log = ToastedLog()
    log.add("n:1", T0)
    assert "n:1" in log and "n:2" not in log
    assert log.recorded_at("n:1") == T0
    log.save()  # no path: nothing to do, must not fail


def test_log_is_bounded_and_keeps_the_newest() -> None:
    log = ToastedLog(max_keys=3)
    for i in range(5):
        log.add(f"k{i}", T0 + timedelta(seconds=i))
    assert list(log) == ["k2", "k3", "k4"]
    log.add("k2", T0 + timedelta(seconds=9))  # re-adding refreshes it
    log.add("k5", T0 + timedelta(seconds=10))
    assert list(log) == ["k4", "k2", "k5"]


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    log = ToastedLog(path)
    log.add("n:a", T0)
    log.add("job:b:failed", T0 + timedelta(seconds=1))
    log.save()
    again = ToastedLog(path)
    assert list(again) == ["n:a", "job:b:failed"]
    assert again.recorded_at("job:b:failed") == T0 + timedelta(seconds=1)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    log = ToastedLog(path)
    log.add("n:a", T0)
    log.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reload_applies_a_smaller_bound(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    log = ToastedLog(path)
    for i in range(10):
        log.add(f"k{i}", T0)
    log.save()
    assert list(ToastedLog(path, max_keys=2)) == ["k8", "k9"]


def test_unchanged_log_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "toasted.json"
    log = ToastedLog(path)
    log.save()
    assert not path.exists()
    log.add("k", T0)
    log.save()
    path.unlink()
    log.save()
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [
        "{broken",
        "[]",
        json.dumps({"version": 99, "entries": []}),
        json.dumps({"version": 1, "entries": "x"}),
        json.dumps({"version": 1, "entries": [["k"]]}),
        json.dumps({"version": 1, "entries": [["k", "not a date"]]}),
    ],
)
def test_corrupt_file_is_logged_set_aside_and_starts_fresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    path = tmp_path / "toasted.json"
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        log = ToastedLog(path)
    assert len(log) == 0
    assert "Corrupt state file" in caplog.text
    assert (tmp_path / "toasted.json.corrupt").read_text(encoding="utf-8") == content
    log.add("k", T0)
    log.save()
    assert list(ToastedLog(path)) == ["k"]


def test_failed_write_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    log = ToastedLog(blocker / "toasted.json")  # parent is a file: cannot write
    log.add("k", T0)
    with caplog.at_level(logging.ERROR):
        log.save()
    assert "Cannot write the toasted log" in caplog.text
    assert "k" in log


def test_rejects_a_zero_bound() -> None:
    with pytest.raises(ValueError):
        ToastedLog(max_keys=0)
