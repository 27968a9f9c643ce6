#!/usr/bin/env bash
# Build the Linux desktop packages: the PyInstaller bundle, then a .deb made from it.
#
#   packaging/build-linux.sh [--dist DIR] [--work DIR] [--python PYTHON]
#
#   --dist DIR       where the bundle (DIR/tray-app/) and the .deb go (default: dist)
#   --work DIR       PyInstaller's work folder and the .deb staging tree (default: build)
#   --python PYTHON  a Python with the project and its `package` extra installed
#                    (default: .venv/bin/python; `pip install -e '.[package]'`)
#
# The .deb installs the bundle to /opt/tray-app with /usr/bin/tray-app pointing at it, the
# desktop entry, the AppStream metadata and the hicolor icons under /usr/share. Its Depends
# are the system libraries the bundle links to (packaging/linux/deb_depends.py). Needs
# binutils (objdump, strip), dpkg-deb, and desktop-file-validate and appstreamcli to check
# the metadata first. Environment: DEB_MAINTAINER="Name <address>" for the control file,
# DEB_COMPRESSION=xz for a smaller (slower to build) .deb.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DIST=dist
WORK=build
PY=.venv/bin/python
while (($#)); do
    case $1 in
    --dist) DIST=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --python) PY=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-linux.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
mkdir -p "$DIST" "$WORK"
DIST=$(cd "$DIST" && pwd)
WORK=$(cd "$WORK" && pwd)

APP=tray-app
APP_ID=io.github.trayapp.TrayApp
METAINFO=resources/$APP_ID.metainfo.xml
DESKTOP=resources/$APP.desktop
MAINTAINER=${DEB_MAINTAINER:-Tray App developers <packagers@tray-app.invalid>}

fail() { printf 'build-linux.sh: %s\n' "$*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

for tool in objdump strip dpkg-deb dpkg-query desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null ||
        fail "$tool is missing (Debian: apt-get install binutils dpkg desktop-file-utils appstream)"
done
"$PY" -c 'import PyInstaller' 2>/dev/null ||
    fail "PyInstaller is not installed for $PY: $PY -m pip install -e '.[package]'"
VERSION=$("$PY" -c 'from importlib.metadata import version; print(version("tray-app"))') ||
    fail "the project is not installed for $PY: $PY -m pip install -e '.[package]'"
ARCH=$(dpkg --print-architecture)

step "checking the desktop entry and the AppStream metadata"
desktop-file-validate "$DESKTOP"
appstreamcli validate --no-net "$METAINFO"

step "building the bundle with PyInstaller (version $VERSION)"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/tray-app.spec
BUNDLE=$DIST/$APP
got=$("$BUNDLE/$APP" --version)
[[ $got == "$APP $VERSION" ]] || fail "the bundle says '$got' to --version, expected '$APP $VERSION'"

step "staging the .deb"
STAGE=$WORK/deb/${APP}_${VERSION}_$ARCH
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/metainfo" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/$APP"
ln -s "/opt/$APP/$APP" "$STAGE/usr/bin/$APP"
install -m 0644 "$DESKTOP" "$STAGE/usr/share/applications/"
install -m 0644 "$METAINFO" "$STAGE/usr/share/metainfo/"
install -m 0644 "resources/icons/$APP.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/"
icons=0
for png in resources/icons/hicolor/*/apps/"$APP".png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    install -D -m 0644 "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/$APP.png"
    icons=$((icons + 1))
done
((icons > 0)) || fail "no PNG icons in resources/icons/hicolor (render them first)"
# Permissions as installed, whatever the umask of the build was.
chmod -R u=rwX,go=rX "$STAGE"

DEPENDS=$("$PY" packaging/linux/deb_depends.py "$BUNDLE")
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<EOF
Package: $APP
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Suggests: gnome-keyring
Section: mail
Priority: optional
Description: unread notifications of your mail-management server in the system tray
 A tray icon with the number of unread notifications of a self-hosted
 mail-management server, a window to read, mark and delete them, native desktop
 notifications for the chosen categories, and the server's notification
 preferences. Needs a StatusNotifierItem tray (KDE, GNOME with the AppIndicator
 extension, XFCE...) and, to remember the sign-in, a Secret Service keyring.
EOF

step "building the .deb"
DEB=$DIST/${APP}_${VERSION}_$ARCH.deb
# gzip by default: the .deb builds in seconds, where xz takes a minute on two cores for
# a file about a quarter smaller (DEB_COMPRESSION=xz for a release).
dpkg-deb --build "-Z${DEB_COMPRESSION:-gzip}" --root-owner-group "$STAGE" "$DEB" >/dev/null

step "done"
printf 'bundle  %s  %s\n' "$(du -sh "$BUNDLE" | cut -f1)" "$BUNDLE"
printf '.deb    %s  %s\n' "$(du -h "$DEB" | cut -f1)" "$DEB"
printf 'Depends: %s\n' "$DEPENDS"
