"""Render the app icon SVG into the PNG sizes of the freedesktop hicolor theme.

Run from the source tree after editing ``resources/icons/tray-app.svg``::

    .venv/bin/python packaging/render_icons.py

The PNGs are committed so that packages and desktop environments that cannot read SVG
(and the Windows/macOS icon builders) have pixel-exact icons at every usual size.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = ROOT / "resources" / "icons"


def render(svg: Path, size: int, target: Path) -> None:
    """Render ``svg`` into a ``size`` x ``size`` transparent PNG at ``target``."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        raise SystemExit(f"cannot write {target}")


def main(argv: list[str] | None = None) -> int:
    """Render every hicolor size of the app icon; print each file written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=ICONS_DIR / "tray-app.svg")
    parser.add_argument("--out", type=Path, default=ICONS_DIR / "hicolor")
    parser.add_argument("--name", default="tray-app")
    args = parser.parse_args(argv)

    # Rendering needs a QGuiApplication but no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in HICOLOR_SIZES:
        target = args.out / f"{size}x{size}" / "apps" / f"{args.name}.png"
        render(args.svg, size, target)
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
