#!/usr/bin/env bash
# Stand-in for dmenu in the test desktop's dunst (see dunstrc). dunst writes its context
# menu on stdin, one line per toast button: "#<label> (<summary>) [<id>,<action key>]".
# This prints the first line that contains every line of the file named by
# TRAY_APP_DUNST_CHOICE_FILE (tests write e.g. "#Open (" and "[12,"), or nothing, which
# dismisses the menu. The menu is kept in <that file>.menu for the tests to read.
set -euo pipefail
choice=${TRAY_APP_DUNST_CHOICE_FILE:?set by tests/lib/desktop.sh}
menu=$(cat)
printf '%s\n' "$menu" >"$choice.menu"
[[ -s $choice ]] || exit 0
awk -v choice="$choice" '
    BEGIN { while ((getline line < choice) > 0) if (line != "") want[++n] = line }
    {
        for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) next
        if (n > 0) { print; exit }
    }' <<<"$menu"
