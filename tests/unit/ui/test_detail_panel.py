"""DetailPanel and TopSendersChart: what a person sees of one notification."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from tray_app.api.models import Notification
from tray_app.ui.detail_panel import DetailPanel, format_size
from tray_app.ui.top_senders_chart import TopSendersChart, parse_top_senders

NOW = datetime(2025, 3, 12, 15, 30, tzinfo=UTC)


def make(
    kind: str, data: dict[str, Any] | None, title: str = "T", body: str | None = "B"
) -> Notification:
    return Notification(
        "00000000-0000-4000-8000-000000000001",
        kind,
        title,
        body,
        data,
        False,
        NOW - timedelta(minutes=2),
    )


@pytest.fixture(autouse=True)
def english_locale(qapp: Any) -> Iterator[None]:
    """Number formats depend on the locale: pin one (the machine's may be anything)."""
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(QLocale.system())


@pytest.fixture
def panel(qtbot: Any) -> DetailPanel:
    panel = DetailPanel(clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.resize(400, 500)
    panel.show()
    return panel


def visible_texts(panel: DetailPanel) -> list[str]:
    return [label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel)]


def test_nothing_selected_shows_a_hint(panel: DetailPanel) -> None:
    panel.show_notification(None)
    assert visible_texts(panel) == ["Select a notification to see it in full."]
    assert not panel.chart.isVisibleTo(panel)


def test_job_counts_without_internal_ids(panel: DetailPanel) -> None:
    data = {"jobId": "import_mbox-1795810558309", "imported": 1200, "skipped": 3, "errors": 0}
    panel.show_notification(make("job_completed", data, "Import mbox terminé"))
    assert panel.facts() == [("Imported", "1,200"), ("Skipped", "3"), ("Errors", "0")]
    texts = visible_texts(panel)
    assert "Import mbox terminé" in texts
    assert not any("import_mbox-1795810558309" in text for text in texts)
    meta = " ".join(texts)
    assert "Job completed" in meta and "2 min ago" in meta and "Unread" in meta


def test_rule_and_count(panel: DetailPanel) -> None:
    data = {"jobId": "x", "ruleId": "y", "ruleName": "Newsletters", "count": 17}
    panel.show_notification(make("rule_executed", data))
    assert panel.facts() == [("Mails", "17"), ("Rule", "Newsletters")]


def test_weekly_report_numbers_and_chart(panel: DetailPanel) -> None:
    data = {
        "jobsCompleted": 3,
        "jobsFailed": 1,
        "mailsArchived": 120,
        "archiveSizeBytes": 47_395_635,
        "rulesExecuted": 4,
        "topSenders": [
            {"sender": "a@example.com", "count": 40},
            {"sender": "b@x.org", "count": 10},
        ],
    }
    panel.show_notification(make("weekly_report", data))
    assert panel.facts() == [
        ("Jobs completed", "3"),
        ("Jobs failed", "1"),
        ("Mails archived", "120"),
        ("Rules executed", "4"),
        ("Archive size", "45.2 MB"),
    ]
    assert panel.chart.isVisibleTo(panel)
    assert panel.chart.senders() == (("a@example.com", 40), ("b@x.org", 10))
    assert "a@example.com: 40" in panel.chart.accessibleDescription()


def test_free_form_data_of_other_types(panel: DetailPanel) -> None:
    data = {"usedBytes": 9_663_676_416, "percent": 92.5, "critical": True, "nested": {"a": 1}}
    panel.show_notification(make("quota_warning", data))
    assert panel.facts() == [("Used bytes", "9.0 GB"), ("Percent", "92.5"), ("Critical", "Yes")]
    panel.show_notification(make("something_new", None, body=None))
    assert panel.facts() == []
    assert "Other" in " ".join(visible_texts(panel))


def test_server_text_is_plain_text(panel: DetailPanel) -> None:
    title, body = "<b>markup</b>", "<script>alert(1)</script><img src=x>"
    panel.show_notification(make("job_failed", {"action": "<i>bulk</i>"}, title, body))
    labels = {label.text(): label for label in panel.findChildren(QLabel)}
    for text in (title, body, "<i>bulk</i>"):
        assert labels[text].textFormat().name == "PlainText"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1,023 B"),
        (1536, "1.5 KB"),
        (47_395_635, "45.2 MB"),
        (3 * 1024**4, "3.0 TB"),
    ],
)
def test_format_size(qapp: Any, size: int, text: str) -> None:
    assert format_size(size) == text


@pytest.fixture
def french(qapp: Any, tmp_path: Path) -> Iterator[None]:
    """French locale and a French translation of the size units, compiled here."""
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    if lrelease is None:
        pytest.skip("pyside6-lrelease is not installed")
    messages = "".join(
        f"<message><source>%1 {en}</source><translation>%1 {fr}</translation></message>"
        for en, fr in (("MB", "Mo"), ("GB", "Go"))
    )
    ts = tmp_path / "sizes_fr.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="fr">'
        f"<context><name>Sizes</name>{messages}</context></TS>",
        encoding="utf-8",
    )
    subprocess.run(
        [lrelease, str(ts), "-qm", str(tmp_path / "sizes_fr.qm")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    translator = QTranslator()
    assert translator.load(str(tmp_path / "sizes_fr.qm"))
    QCoreApplication.installTranslator(translator)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    yield
    QCoreApplication.removeTranslator(translator)


def test_sizes_in_french(french: None) -> None:
    assert format_size(47_395_635) == "45,2 Mo"
    assert format_size(5 * 1024**3) == "5,0 Go"


def test_parse_top_senders_drops_malformed_entries() -> None:
    raw = [
        {"sender": "ok@example.com", "count": 3},
        {"sender": "no-count@example.com"},
        {"sender": 5, "count": 1},
        {"sender": "bool@example.com", "count": True},
        "junk",
        {"sender": "neg@example.com", "count": -4},
    ]
    assert parse_top_senders({"topSenders": raw}) == [("ok@example.com", 3), ("neg@example.com", 0)]
    assert parse_top_senders({"topSenders": "nope"}) == []
    assert parse_top_senders(None) == []


def _bar_lengths(chart: TopSendersChart) -> list[int]:
    """Pixels of the bar colour along each row's middle line."""
    image = chart.grab().toImage()
    bar = chart.palette().color(QPalette.ColorRole.Highlight)
    rows = len(chart.senders())
    row_height = image.height() // rows
    lengths = []
    for number in range(rows):
        y = number * row_height + row_height // 2
        lengths.append(sum(1 for x in range(image.width()) if QColor(image.pixel(x, y)) == bar))
    return lengths


def test_chart_paints_bars_in_proportion(qtbot: Any) -> None:
    chart = TopSendersChart()
    qtbot.addWidget(chart)
    chart.set_senders([("news@example.com", 40), ("alerts@bank.example", 20), ("x@y.z", 10)])
    chart.resize(360, chart.sizeHint().height())
    chart.show()
    qtbot.waitExposed(chart)
    first, second, third = _bar_lengths(chart)
    assert first > second > third > 0
    assert first / second == pytest.approx(2, rel=0.1)
    assert first / third == pytest.approx(4, rel=0.15)


def test_chart_without_senders_paints_nothing(qtbot: Any) -> None:
    chart = TopSendersChart()
    qtbot.addWidget(chart)
    chart.resize(200, 40)
    image = chart.grab().toImage()
    bar = chart.palette().color(QPalette.ColorRole.Highlight)
    assert not any(
        QColor(image.pixel(x, y)) == bar
        for x in range(image.width())
        for y in range(image.height())
    )
