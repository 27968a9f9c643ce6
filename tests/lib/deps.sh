# shellcheck shell=bash
# What the test run needs before it can start: Debian packages for the headless desktop
# and the packaging checks, a Python 3.11+, and the project's virtualenv.
#
#   deps_ensure_system        install missing packages (root) or name them (other users)
#   deps_ensure_venv VENV     create or reuse VENV; reinstall when pyproject.toml changed
#
# Both return non-zero with a message on stderr when something cannot be provided.

DEPS_APT_PACKAGES=(
    xvfb xauth
    # The xcb platform plugin of Qt; without icccm4/keysyms1 it fails with a misleading
    # message about libxcb-cursor0.
    libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
    libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
    dbus dbus-bin
    haskell-gtk-sni-tray-utils # StatusNotifierItem tray host with a watcher
    dunst gnome-keyring libsecret-tools xdotool imagemagick fonts-dejavu-core
    desktop-file-utils appstream # checks of the packaging metadata
    binutils # objdump and strip for the PyInstaller bundle and the .deb dependencies
)
DEPS_MIN_PYTHON=(3 11)

_deps_err() { printf 'tests/run: %s\n' "$*" >&2; }

# Print the packages among "$@" that dpkg does not report as installed.
deps_missing_apt() {
    local -A installed=()
    local name status
    while IFS=$'\t' read -r name status; do
        [[ $status == installed ]] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package}\t${db:Status-Status}\n' "$@" 2>/dev/null)
    for name in "$@"; do
        [[ -n ${installed[$name]:-} ]] || printf '%s\n' "$name"
    done
}

# Install the missing packages among "$@" when running as root; otherwise name them and
# the command that installs them, and fail.
deps_install_apt() {
    local -a missing
    mapfile -t missing < <(deps_missing_apt "$@")
    ((${#missing[@]} == 0)) && return 0
    if [[ $(id -u) != 0 ]]; then
        _deps_err "missing system packages: ${missing[*]}"
        _deps_err "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
        return 1
    fi
    echo "tests/run: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq &&
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        { _deps_err "apt-get install ${missing[*]} failed"; return 1; }
}

# True when the interpreter "$1" exists and is at least DEPS_MIN_PYTHON.
_deps_python_ok() {
    command -v "$1" >/dev/null &&
        "$1" -c 'import sys; sys.exit(sys.version_info < tuple(map(int, sys.argv[1:])))' \
            "${DEPS_MIN_PYTHON[@]}" 2>/dev/null
}

# Packages that the interpreter "$1" still needs to create a virtualenv: Debian's own
# Python has venv's ensurepip in a separate package.
_deps_python_packages() {
    local py=$1 path
    if ! command -v "$py" >/dev/null; then
        echo python3 python3-venv
        return
    fi
    path=$(command -v "$py")
    "$py" -c 'import ensurepip, venv' 2>/dev/null && return
    [[ $path == /usr/bin/* ]] && echo python3-venv
}

# Make sure the Debian packages (and, when VENV does not exist yet, a Python able to
# create it) are installed.
deps_ensure_system() {
    local venv=$1 py=${PYTHON:-python3}
    local -a wanted=("${DEPS_APT_PACKAGES[@]}")
    if ! command -v dpkg-query >/dev/null; then
        _deps_err "not a Debian system: make sure the equivalents of these are installed:"
        _deps_err "${DEPS_APT_PACKAGES[*]}"
    else
        if [[ ! -x $venv/bin/python ]]; then
            local -a extra
            read -ra extra <<<"$(_deps_python_packages "$py")"
            wanted+=("${extra[@]}")
        fi
        deps_install_apt "${wanted[@]}" || return 1
    fi
}

# Create the virtualenv VENV with ${PYTHON:-python3} unless it exists, and install the
# project into it (editable, with the test and demo extras) whenever pyproject.toml
# differs from the one of the last successful install.
deps_ensure_venv() {
    local venv=$1 py=${PYTHON:-python3} stamp=$1/.tray-app-install-stamp want
    if [[ ! -x $venv/bin/python ]]; then
        if ! _deps_python_ok "$py"; then
            _deps_err "needs Python ${DEPS_MIN_PYTHON[0]}.${DEPS_MIN_PYTHON[1]}+ as '$py'" \
                "(found: $("$py" --version 2>&1 || echo none)); set PYTHON=/path/to/python3.11"
            return 1
        fi
        echo "tests/run: creating $venv with $(command -v "$py")"
        "$py" -m venv "$venv" || { _deps_err "cannot create $venv"; return 1; }
    fi
    want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$venv/bin/python" -V 2>&1)"
    [[ -f $stamp && $(<"$stamp") == "$want" ]] && return 0
    # Two runs at once must not install over each other: the second waits, then finds
    # the stamp up to date.
    local lock rc=0
    exec {lock}>"$venv/.tray-app-install.lock"
    flock "$lock"
    if [[ ! -f $stamp || $(<"$stamp") != "$want" ]]; then
        echo "tests/run: installing the project into $venv (pyproject.toml changed)"
        if "$venv/bin/python" -m pip install --quiet -e '.[test,demo,package]'; then
            printf '%s\n' "$want" >"$stamp"
        else
            _deps_err "pip install -e .[test,demo,package] failed"
            rc=1
        fi
    fi
    exec {lock}>&-
    return "$rc"
}
