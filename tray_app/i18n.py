"""Loading the app's translations (English source texts, French translation).

``install_translators`` installs Qt's own translations (standard buttons, context
menus of text fields) and the app's, and may be called again to switch language: the
translators it installed before are removed first.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from tray_app.resources import translation_file

log = logging.getLogger(__name__)

#: Languages the app ships. English is the source language; its small catalogue only
#: holds the plural forms of texts such as "%n unread" (made by ``lupdate -pluralonly``).
SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", "fr")
LANGUAGE_CHOICES: Final[tuple[str, ...]] = ("system", *SUPPORTED_LANGUAGES)

_TRANSLATOR_NAME: Final = "tray_app_translator"


def resolve_language(language: str, system_locale: QLocale | None = None) -> str:
    """The language to use for the setting ``language`` ("system", "en" or "fr").

    "system" follows the desktop's language when the app ships it, else English.
    """
    if language in SUPPORTED_LANGUAGES:
        return language
    if language != "system":
        log.warning("unknown language setting %r, using the system language", language)
    locale = system_locale or QLocale.system()
    for name in locale.uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    return "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for ``language``; return them (already installed).

    A chosen language also becomes the default QLocale, so that times and numbers are
    written the way the texts around them expect.
    """
    for old in app.findChildren(QTranslator, _TRANSLATOR_NAME):
        QCoreApplication.removeTranslator(old)
        old.deleteLater()
    code = resolve_language(language)
    # "system" keeps the desktop's formats (a German desktop gets English texts but
    # German dates); a chosen language brings its own formats.
    QLocale.setDefault(QLocale.system() if language == "system" else QLocale(code))
    candidates = [(str(translation_file(code)), "")]
    if code != "en":
        # Qt's own texts (standard buttons, edit menus); missing in some minimal builds.
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        candidates.insert(0, (f"qtbase_{code}", qt_dir))
    installed = []
    for file_name, directory in candidates:
        translator = _load(app, file_name, directory)
        if translator is not None:
            installed.append(translator)
    return installed


def _load(app: QCoreApplication, file_name: str, directory: str) -> QTranslator | None:
    """Load and install one ``.qm`` file; ``None`` (logged) when it is missing."""
    translator = QTranslator(app)
    translator.setObjectName(_TRANSLATOR_NAME)
    if translator.load(file_name, directory) and QCoreApplication.installTranslator(translator):
        return translator
    log.warning("translation %s not found in %r", file_name, directory or ".")
    translator.setParent(None)
    return None
