#!/bin/sh
# Refresh the translation catalogues from the source texts, then compile them.
#
#   packaging/update_translations.sh
#
# Extracts every tr()/translate() text of tray_app/ (the reference server is a test
# fixture and is not translated) into resources/translations/tray_app_fr.ts, keeping the
# existing translations, then compiles the .qm files. English is the source language:
# tray_app_en.ts only holds the English plural forms of "%n ..." texts. Translate new
# entries with pyside6-linguist (or any .ts editor) and run the script again.
#
# PYSIDE6_BIN names the directory of pyside6-lupdate, pyside6-lrelease and python
# (default .venv/bin); TRANSLATIONS_DIR the directory of the catalogues (default
# resources/translations; the tests refresh a copy elsewhere).
set -eu

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
BIN=${PYSIDE6_BIN:-.venv/bin}
DIR=${TRANSLATIONS_DIR:-resources/translations}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
find tray_app -name '*.py' -not -path 'tray_app/reference_server/*' | LC_ALL=C sort \
    >"$WORK/sources"
# The catalogues as they were: the fix-up below takes translations back from them.
for lang in fr en; do
    if [ -f "$DIR/tray_app_$lang.ts" ]; then
        cp "$DIR/tray_app_$lang.ts" "$WORK/"
    fi
done

# Absolute locations here; the fix-up inserts messages, then writes relative ones.
"$BIN/pyside6-lupdate" -locations absolute -no-obsolete -source-language en \
    -target-language fr "@$WORK/sources" -ts "$DIR/tray_app_fr.ts"
"$BIN/pyside6-lupdate" -locations absolute -no-obsolete -pluralonly -source-language en \
    -target-language en "@$WORK/sources" -ts "$DIR/tray_app_en.ts"

# Fix-up of what lupdate's Python reader gets wrong in this code base:
# * QCoreApplication.translate(context, text, disambiguation, n) is read as the old
#   (context, text, comment, encoding) call when n is a name: the text loses its plural
#   forms; when n is an attribute (value.count) the call is not read at all.
# * A local alias "tr = QCoreApplication.translate" is read as self.tr(): the context
#   becomes the text and the text a disambiguation comment.
# * "#:" comments, used here to document attributes, become translator comments of the
#   next text found.
# Python's own parser reads every translate() call with literal texts again; entries
# lupdate missed or misread are replaced, their translations taken from the catalogue as
# it was. The catalogues are then written exactly as lupdate writes them. (So lupdate's
# counts of new and obsolete texts, and its "Removed plural forms" warning, include the
# texts put right here.)
# English plurals follow the source text: "%n second(s)" -> "%n second" / "%n seconds".
# Only empty forms are filled, so a hand-written English form is kept.
"$BIN/python" - "$DIR" "$WORK" <<'PY'
import ast
import copy
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

QT_APPS = {"QCoreApplication", "QGuiApplication", "QApplication"}
TR_NAMES = {"tr", "trUtf8", "__tr", "__trUtf8"}  # names lupdate reads as self.tr()
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def is_translate(node):
    """Whether node is QCoreApplication.translate (or QtCore.QCoreApplication.translate)."""
    if not (isinstance(node, ast.Attribute) and node.attr == "translate"):
        return False
    owner = node.value
    return (isinstance(owner, ast.Name) and owner.id in QT_APPS) or (
        isinstance(owner, ast.Attribute) and owner.attr in QT_APPS
    )


def literal(node):
    ok = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return node.value if ok else None


def translate_calls(sources):
    """{(context, text, disambiguation): [numerus, [(path, line)], misread]} of the code."""
    found = {}
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        aliases = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and is_translate(node.value)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            alias = node.func.id if isinstance(node.func, ast.Name) else None
            if alias not in aliases and not is_translate(node.func):
                continue
            context, text = literal(node.args[0]), literal(node.args[1])
            if context is None or text is None:
                continue  # a text declared elsewhere with QT_TRANSLATE_NOOP
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            extra = node.args[2] if len(node.args) > 2 else keywords.get("disambiguation")
            entry = found.setdefault((context, text, literal(extra) or ""), [False, [], False])
            entry[0] = entry[0] or len(node.args) > 3 or "n" in keywords
            entry[1].append((path, node.lineno))
            entry[2] = entry[2] or alias in TR_NAMES
    for entry in found.values():
        entry[1].sort(key=lambda ref: (str(ref[0]), ref[1]))
    return found


def messages(root):
    for context in root.iter("context"):
        for message in context.findall("message"):
            key = tuple(message.findtext(tag) or "" for tag in ("source", "comment"))
            yield context, message, (context.findtext("name") or "", *key)


def fix(path, snapshot, calls, plural_only):
    """The catalogue at path with the translate() calls of calls read right."""
    root = ET.parse(path).getroot()
    before = {}
    if snapshot.is_file():
        before = {key: message for _, message, key in messages(ET.parse(snapshot).getroot())}
    misread = {key[:2] for key, entry in calls.items() if entry[2]}
    current = {}
    for context, message, key in list(messages(root)):
        if key[1:] in misread:
            context.remove(message)  # tr("Context", "Text") read as self.tr()
        else:
            current[key] = (context, message)
    fixed = 0
    for key, (numerus, refs, _) in calls.items():
        found = current.get(key)
        if (plural_only and not numerus) or (
            found and (found[1].get("numerus") == "yes") == numerus
        ):
            continue
        if found:
            found[0].remove(found[1])
        message = new_message(key, numerus, refs, path.resolve().parent, before.get(key))
        insert(root, key[0], message)
        fixed += 1
    for context in root.findall("context"):
        for message in context.findall("message"):
            for extra in message.findall("extracomment"):
                message.remove(extra)
        if not context.findall("message"):
            root.remove(context)
    print(f"Fix-up of '{path}': {fixed} translate() text(s) read again")
    return root


def new_message(key, numerus, refs, ts_dir, before):
    message = ET.Element("message", {"numerus": "yes"} if numerus else {})
    for path, line in refs:
        name = os.path.relpath(path.resolve(), ts_dir).replace(os.sep, "/")
        ET.SubElement(message, "location", filename=name, line=str(line))
    ET.SubElement(message, "source").text = key[1]
    if key[2]:
        ET.SubElement(message, "comment").text = key[2]
    if before is not None and (before.get("numerus") == "yes") == numerus:
        for tag in ("translatorcomment", "translation"):
            message.extend(copy.deepcopy(before.findall(tag)))
    else:
        translation = ET.SubElement(message, "translation", type="unfinished")
        for _ in range(2 if numerus else 0):  # English and French have two forms
            ET.SubElement(translation, "numerusform")
    return message


def first_location(message):
    location = message.find("location")
    if location is None:
        return "", 0
    return location.get("filename", ""), int(location.get("line", "0"))


def insert(root, name, message):
    """Add message to its context (made if missing), in line order among its file's."""
    context = next((c for c in root.findall("context") if c.findtext("name") == name), None)
    if context is None:
        context = ET.Element("context")
        ET.SubElement(context, "name").text = name
        before = [c for c in root.findall("context") if (c.findtext("name") or "") < name]
        root.insert(list(root).index(before[-1]) + 1 if before else 0, context)
    where = first_location(message)
    for index, other in enumerate(context):
        there = first_location(other) if other.tag == "message" else ("", 0)
        if there[0] == where[0] and there[1] > where[1]:
            context.insert(index, message)
            return
    context.append(message)


def fill_english_plurals(root):
    for message in root.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        forms = translation.findall("numerusform") if translation is not None else []
        if not forms or any((form.text or "").strip() for form in forms):
            continue
        forms[0].text = source.replace("(s)", "")
        for form in forms[1:]:
            form.text = source.replace("(s)", "s")
        translation.attrib.pop("type", None)


def relative_locations(root):
    """lupdate's relative locations: a file is named once per context, lines as steps."""
    last_line = {}
    for context in root.iter("context"):
        current_file = None
        for location in context.iter("location"):
            name = location.attrib.pop("filename")
            line = int(location.attrib.pop("line"))
            if name != current_file:
                location.set("filename", name)
                current_file = name
            location.set("line", f"{line - last_line.get(name, 0):+d}")
            last_line[name] = line


def protect(text):
    """Escape like lupdate: markup characters, control characters and non-ASCII spaces."""
    out = []
    for char in text:
        code = ord(char)
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif (code < 0x20 or (code > 0x7F and char.isspace())) and char not in "\n\t":
            out.append(f"&#x{code:x};")
        else:
            out.append(char)
    return "".join(out)


def start_tag(element):
    attributes = "".join(f' {k}="{protect(v)}"' for k, v in element.attrib.items())
    return f"<{element.tag}{attributes}"


def emit(element, depth, lines):
    pad = "    " * depth
    if len(element):
        lines.append(f"{pad}{start_tag(element)}>")
        for child in element:
            emit(child, depth + 1, lines)
        lines.append(f"{pad}</{element.tag}>")
    elif element.tag == "location":
        lines.append(f"{pad}{start_tag(element)}/>")
    else:
        lines.append(f"{pad}{start_tag(element)}>{protect(element.text or '')}</{element.tag}>")


def write(root, path):
    """Write like lupdate: contexts not indented inside <TS>, four spaces per level below."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", start_tag(root) + ">"]
    for child in root:
        emit(child, 0, lines)
    lines.append(f"</{root.tag}>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


ts_dir, work = Path(sys.argv[1]), Path(sys.argv[2])
sources = [Path(line) for line in (work / "sources").read_text().splitlines()]
calls = translate_calls(sources)
for lang in ("fr", "en"):
    path = ts_dir / f"tray_app_{lang}.ts"
    root = fix(path, work / path.name, calls, plural_only=lang == "en")
    if lang == "en":
        fill_english_plurals(root)
    relative_locations(root)
    write(root, path)
PY
for lang in fr en; do
    "$BIN/pyside6-lrelease" "$DIR/tray_app_$lang.ts" -qm "$DIR/tray_app_$lang.qm"
done
