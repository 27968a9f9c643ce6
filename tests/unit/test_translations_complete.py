"""The shipped catalogues match the code: every text translated, every .qm compiled.

The refresh script (packaging/update_translations.sh: pyside6-lupdate over tray_app/,
then its fix-ups) runs over a temporary copy of the catalogues with the tools of this
virtualenv. A text added to the code and not translated yet, a text the code no longer
has, or a .qm compiled from an older .ts fails here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
SCRIPT = ROOT / "packaging" / "update_translations.sh"
BIN = Path(sys.executable).parent
LANGUAGES = ("fr", "en")

# (context, source text, disambiguation) -> (translation type, translated forms)
Key = tuple[str, str, str]
Entry = tuple[str, tuple[str, ...]]


def catalogue(path: Path) -> dict[Key, Entry]:
    """The entries of the .ts file ``path`` (locations left out: they follow the code)."""
    entries: dict[Key, Entry] = {}
    for context in ET.parse(path).getroot().iter("context"):
        for message in context.iter("message"):
            key = (
                context.findtext("name") or "",
                message.findtext("source") or "",
                message.findtext("comment") or "",
            )
            translation = message.find("translation")
            assert translation is not None, key
            forms = [form.text or "" for form in translation.iter("numerusform")]
            texts = tuple(forms) if message.get("numerus") == "yes" else (translation.text or "",)
            entries[key] = (translation.get("type", ""), texts)
    return entries


def shipped(lang: str, suffix: str = "ts") -> Path:
    return TRANSLATIONS / f"tray_app_{lang}.{suffix}"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the catalogues as the refresh script leaves them for the current code."""
    if shutil.which("sh") is None:
        pytest.skip("the refresh script needs a POSIX shell")
    directory = tmp_path_factory.mktemp("translations")
    for lang in LANGUAGES:
        shutil.copy2(shipped(lang), directory)
    env = {**os.environ, "PYSIDE6_BIN": str(BIN), "TRANSLATIONS_DIR": str(directory)}
    result = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=50, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return directory


@pytest.fixture
def installed(qapp: QCoreApplication) -> Iterator[list[QTranslator]]:
    """Translators installed by the test, removed again afterwards."""
    translators: list[QTranslator] = []
    yield translators
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def load(lang: str) -> QTranslator:
    translator = QTranslator()
    assert translator.load(str(shipped(lang, "qm")))
    return translator


def test_every_french_text_is_translated(refreshed: Path) -> None:
    untranslated = [
        f"{context}: {source!r}"
        for (context, source, _), (kind, texts) in catalogue(refreshed / "tray_app_fr.ts").items()
        if kind or not all(texts)
    ]
    assert not untranslated, (
        "translate these texts in resources/translations/tray_app_fr.ts "
        "(after packaging/update_translations.sh):\n" + "\n".join(untranslated)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogues_hold_exactly_the_texts_of_the_code(refreshed: Path, lang: str) -> None:
    before = catalogue(shipped(lang))
    after = catalogue(refreshed / shipped(lang).name)
    assert sorted(after.keys() - before.keys()) == [], "new texts: run the refresh script"
    assert sorted(before.keys() - after.keys()) == [], "texts gone from the code are still there"
    assert {key for key, entry in after.items() if before[key] != entry} == set()
    assert not [key for key, (kind, _) in before.items() if kind in ("vanished", "obsolete")]


def test_every_count_text_has_plural_forms() -> None:
    """lupdate reads some translate(..., n) calls as singular; the script must fix them."""
    french = catalogue(shipped("fr"))
    english = catalogue(shipped("en"))
    counted = [key for key in french if "%n" in key[1]]
    assert len(counted) >= 7  # the unread counts, times, rate limit and toast summary
    for key in counted:
        assert len(french[key][1]) == 2 and all(french[key][1]), key
        assert key in english and all(english[key][1]), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_are_up_to_date(tmp_path: Path, lang: str) -> None:
    compiled = tmp_path / f"tray_app_{lang}.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), "-silent", str(shipped(lang)), "-qm", str(compiled)],
        check=True,
        timeout=30,
    )
    assert compiled.read_bytes() == shipped(lang, "qm").read_bytes(), (
        "run packaging/update_translations.sh to compile the catalogues"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_comes_out_of_the_compiled_catalogue(lang: str) -> None:
    translator = load(lang)
    for (context, source, comment), (_, texts) in catalogue(shipped(lang)).items():
        if len(texts) == 1:
            assert translator.translate(context, source, comment or None) == texts[0]
        else:
            for count, text in zip((1, 5), texts, strict=True):
                assert translator.translate(context, source, comment or None, count) == text


def test_recent_french_texts(installed: list[QTranslator]) -> None:
    translator = load("fr")
    assert QCoreApplication.installTranslator(translator)
    installed.append(translator)
    translate = QCoreApplication.translate
    assert translate("ToastCoordinator", "%n new notification(s)", "", 5) == (
        "5 nouvelles notifications"
    )
    assert translate("ToastCoordinator", "%n new notification(s)", "", 1) == (
        "1 nouvelle notification"
    )
    assert translate("PreferencesService", "The server is busy: try again in a minute.") == (
        "Le serveur est occupé\u00a0: réessayez dans une minute."
    )
    assert translate("SyncService", "Cannot reach the server.") == (
        "Impossible de joindre le serveur."
    )


def test_english_plural_forms(installed: list[QTranslator]) -> None:
    translator = load("en")
    assert QCoreApplication.installTranslator(translator)
    installed.append(translator)
    translate = QCoreApplication.translate
    assert translate("ToastCoordinator", "%n new notification(s)", "", 1) == "1 new notification"
    assert translate("ToastCoordinator", "%n new notification(s)", "", 5) == "5 new notifications"
    assert translate("RelativeTime", "%n min ago", None, 1) == "1 min ago"
    assert translate("RelativeTime", "%n min ago", None, 5) == "5 min ago"
    rate_limit = "Too many sign-in attempts. Wait %n second(s), then try again."
    assert translate("LoginMessages", rate_limit, None, 1) == (
        "Too many sign-in attempts. Wait 1 second, then try again."
    )
    assert translate("LoginMessages", rate_limit, None, 30) == (
        "Too many sign-in attempts. Wait 30 seconds, then try again."
    )
