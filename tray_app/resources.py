"""Where the app's data files (icons, translations) live, whatever way it was installed.

The files sit in the ``resources/`` directory at the top of the source tree. Depending on
how the app runs, that directory is found at a different place:

* a frozen PyInstaller bundle unpacks it under ``sys._MEIPASS`` (the spec file must add
  ``("resources", "resources")`` to its ``datas``);
* a wheel may carry it inside the package as ``tray_app/_resources`` (a setuptools
  ``package-dir`` mapping of ``tray_app._resources`` to ``resources``);
* a data-files install puts it under ``<prefix>/share/tray-app``;
* a source checkout or an editable install finds it next to the ``tray_app`` package.

This module is free of Qt so that any layer may ask for a path.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tray_app.api.models import KNOWN_TYPES

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidate_roots() -> Iterator[Path]:
    """The places ``resources/`` may be, most specific first."""
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle_dir, str):
        yield Path(bundle_dir) / "resources"
    yield _PACKAGE_DIR / "_resources"
    yield _PACKAGE_DIR.parent / "resources"
    yield Path(sys.prefix) / "share" / "tray-app"


@cache
def resources_root() -> Path:
    """The directory that holds ``icons/`` and ``translations/``.

    Raises ``FileNotFoundError`` naming every place that was tried, so that a broken
    package says clearly what is missing instead of showing blank icons.
    """
    tried = list(_candidate_roots())
    for root in tried:
        if (root / "icons").is_dir():
            return root
    places = ", ".join(str(root) for root in tried)
    raise FileNotFoundError(f"no resources directory found (looked in: {places})")


def resource_path(*parts: str) -> Path:
    """The path of a resource file, e.g. ``resource_path("icons", "tray-app.svg")``.

    The file itself may be missing (optional resources such as a translation); callers
    that need it check ``exists()``.
    """
    return resources_root().joinpath(*parts)


def app_icon_svg() -> Path:
    """The scalable app icon that the tray badge is painted over."""
    return resource_path("icons", "tray-app.svg")


def category_icon_svg(notification_type: str) -> Path:
    """The SVG icon of a notification category; unknown types get the generic icon."""
    name = notification_type if notification_type in KNOWN_TYPES else "generic"
    return resource_path("icons", "categories", f"{name}.svg")


def translation_file(language: str) -> Path:
    """The compiled Qt translation (``.qm``) of the app's own texts for ``language``."""
    return resource_path("translations", f"tray_app_{language}.qm")
