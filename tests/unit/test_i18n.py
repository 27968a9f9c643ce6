"""Translations: French comes out in French, English keeps its plural forms."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale

from tray_app.i18n import install_translators, resolve_language
from tray_app.resources import translation_file
from tray_app.ui.login_dialog import LoginDialog
from tray_app.ui.messages import LoginErrorKind, login_error_message
from tray_app.ui.tray_icon import TrayIcon


@pytest.fixture
def language(qapp):
    """Install a language for one test; afterwards no translator and the old locale."""
    previous = QLocale()

    def install(code: str):
        return install_translators(qapp, code)

    yield install
    for translator in install_translators(qapp, "en"):
        QCoreApplication.removeTranslator(translator)
    QLocale.setDefault(previous)


def test_the_catalogues_are_shipped():
    assert translation_file("fr").is_file()
    assert translation_file("en").is_file()


def test_french_texts(qtbot, language):
    assert language("fr")
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Se connecter"
    assert login_error_message(LoginErrorKind.WRONG_CREDENTIALS) == (
        "E-mail ou mot de passe incorrect."
    )
    tray = TrayIcon()
    tray.set_state(3, "online", "mail.example.org", None, True)
    assert tray.action("status").text() == "3 non lues - mail.example.org"
    tray.set_state(1, "online", "mail.example.org", None, True)
    assert tray.action("status").text() == "1 non lue - mail.example.org"
    assert tray.action("quit").text() == "Quitter"


def test_french_plural_of_the_rate_limit(language):
    language("fr")
    text = login_error_message(LoginErrorKind.RATE_LIMITED, retry_after=30)
    assert "Patientez 30\u00a0secondes" in text


def test_english_plural_forms(language):
    language("en")
    assert "Wait 1 second," in login_error_message(LoginErrorKind.RATE_LIMITED, retry_after=1)
    assert "Wait 30 seconds," in login_error_message(LoginErrorKind.RATE_LIMITED, retry_after=30)


def test_qt_own_texts_in_french(language):
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not os.path.exists(os.path.join(qt_dir, "qtbase_fr.qm")):
        pytest.skip("this Qt build ships no qtbase_fr.qm")
    installed = language("fr")
    assert len(installed) == 2
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Annuler"


def test_switching_back_to_english_removes_french(qtbot, language):
    language("fr")
    language("en")
    dialog = LoginDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Sign in"


def test_a_chosen_language_sets_the_locale(language):
    language("fr")
    assert QLocale().language() == QLocale.Language.French


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("fr", "en_US", "fr"),
        ("en", "fr_FR", "en"),
        ("system", "fr_CA", "fr"),
        ("system", "de_DE", "en"),
        ("klingon", "fr_BE", "fr"),
    ],
)
def test_resolve_language(setting, system, expected):
    assert resolve_language(setting, QLocale(system)) == expected
