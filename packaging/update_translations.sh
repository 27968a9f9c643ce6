#!/bin/sh
# Refresh the translation catalogues from the source texts, then compile them.
#
#   packaging/update_translations.sh
#
# Extracts every tr()/translate() text of tray_app/ (the reference server is a test
# fixture and is not translated) into resources/translations/tray_app_fr.ts, keeping the
# existing translations, then compiles tray_app_fr.qm. English is the source language:
# tray_app_en.ts only holds the English plural forms of "%n ..." texts. Translate new
# entries with pyside6-linguist (or any .ts editor) and run the script again.
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
BIN=${PYSIDE6_BIN:-.venv/bin}
DIR=resources/translations

LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
find tray_app -name '*.py' -not -path 'tray_app/reference_server/*' | LC_ALL=C sort >"$LIST"

"$BIN/pyside6-lupdate" -locations relative -no-obsolete -source-language en \
    -target-language fr "@$LIST" -ts "$DIR/tray_app_fr.ts"
"$BIN/pyside6-lupdate" -locations relative -no-obsolete -pluralonly -source-language en \
    -target-language en "@$LIST" -ts "$DIR/tray_app_en.ts"
# English plurals follow the source text: "%n second(s)" -> "%n second" / "%n seconds".
# Only empty forms are filled, so a hand-written English form is kept.
"$BIN/python" - "$DIR/tray_app_en.ts" <<'PY'
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
tree = ET.parse(path)
for message in tree.iter("message"):
    source = message.findtext("source") or ""
    translation = message.find("translation")
    forms = translation.findall("numerusform") if translation is not None else []
    if not forms or any((form.text or "").strip() for form in forms):
        continue
    forms[0].text = source.replace("(s)", "")
    for form in forms[1:]:
        form.text = source.replace("(s)", "s")
    translation.attrib.pop("type", None)
with open(path, "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
    out.write(ET.tostring(tree.getroot(), encoding="unicode") + "\n")
PY
for lang in fr en; do
    "$BIN/pyside6-lrelease" "$DIR/tray_app_$lang.ts" -qm "$DIR/tray_app_$lang.qm"
done
