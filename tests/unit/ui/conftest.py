"""Widget tests run Qt without a display; screenshots go to artifacts/screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


@pytest.fixture
def screenshot_dir() -> Path:
    """Where tests save pictures for a person to look at (git-ignored)."""
    _SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return _SCREENSHOTS
