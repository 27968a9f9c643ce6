#!/usr/bin/env bash
# shellcheck shell=bash
# A private headless desktop for the tests and benchmarks: an X server (Xvfb), a session
# D-Bus, the StatusNotifierItem tray host, the dunst notification daemon and an unlocked
# gnome-keyring. Nothing of the user's own session or files is used.
#
# Sourced:
#   desktop_start [RUN_DIR]  start every part, wait until each one answers, and export
#                            the environment that reaches it (also written to
#                            RUN_DIR/env; the PIDs to RUN_DIR/pids)
#   desktop_stop             stop exactly the processes desktop_start started; fails when
#                            a process started inside the desktop is still running
# Run directly, it starts the desktop, runs the given command in it and stops it:
#   tests/lib/desktop.sh .venv/bin/tray-app --demo

DESKTOP_TIMEOUT=${DESKTOP_TIMEOUT:-20} # seconds allowed to each part to come up
DESKTOP_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../e2e" && pwd)
DESKTOP_RUN_DIR=
DESKTOP_OWN_RUN_DIR=0
DESKTOP_STARTUP_SECONDS=
DESKTOP_TIMINGS=
DESKTOP_PIDS=()
DESKTOP_NAMES=()
DESKTOP_SPAWNED=() # start time of each part, to report how long it took to come up

_desktop_err() { printf 'desktop: %s\n' "$*" >&2; }
# Microseconds since the epoch (EPOCHREALTIME's decimal separator follows the locale).
_desktop_now() { echo "${EPOCHREALTIME//[!0-9]/}"; }
_desktop_seconds() {
    local us=$(($(_desktop_now) - $1))
    printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

# Alive and not a zombie: our own children stay zombies until reaped by `wait`.
_desktop_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# Start a part in the background with its output in RUN_DIR/logs/NAME.log and record its
# PID. The command is started directly (no subshell), so $! is the daemon itself.
_desktop_spawn() {
    local name=$1
    shift
    "$@" </dev/null >"$DESKTOP_RUN_DIR/logs/$name.log" 2>&1 &
    _desktop_record "$name" $!
}

_desktop_record() {
    DESKTOP_NAMES+=("$1")
    DESKTOP_PIDS+=("$2")
    DESKTOP_SPAWNED+=("$(_desktop_now)")
}

# _desktop_wait NAME CONDITION...: poll CONDITION until it succeeds; fail early when the
# part NAME has exited, or after DESKTOP_TIMEOUT seconds.
_desktop_wait() {
    local name=$1 pid i start
    shift
    for i in "${!DESKTOP_NAMES[@]}"; do
        [[ ${DESKTOP_NAMES[i]} == "$name" ]] && pid=${DESKTOP_PIDS[i]} start=${DESKTOP_SPAWNED[i]}
    done
    local deadline=$((start + DESKTOP_TIMEOUT * 1000000))
    until "$@"; do
        if ! _desktop_alive "$pid"; then
            _desktop_err "$name exited during start-up; its log ends with:"
        elif (($(_desktop_now) >= deadline)); then
            _desktop_err "$name not ready after ${DESKTOP_TIMEOUT}s; its log ends with:"
        else
            sleep 0.02
            continue
        fi
        tail -n 20 "$DESKTOP_RUN_DIR/logs/$name.log" >&2
        return 1
    done
    DESKTOP_TIMINGS+="${DESKTOP_TIMINGS:+, }$name $(_desktop_seconds "$start")"
}

# True once FILE holds a whole line (the daemons write it when they accept clients).
_desktop_has_line() { read -r _ 2>/dev/null <"$1"; }

_desktop_bus_owned() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q true
}

# A session bus like the standard one but without service activation, so that nothing
# starts behind our back (the real session's keyring prompter, accessibility bus...).
_desktop_bus_config() {
    cat <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=$DESKTOP_RUN_DIR/runtime/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
}

# Fresh private folders for everything that would otherwise land in the user's home.
_desktop_environment() {
    local d=$DESKTOP_RUN_DIR
    mkdir -p "$d"/{logs,runtime,config,state,cache,data,home,keyring,dunst}
    chmod 0700 "$d" "$d/runtime" "$d/keyring"
    export XDG_RUNTIME_DIR=$d/runtime XDG_CONFIG_HOME=$d/config XDG_STATE_HOME=$d/state \
        XDG_CACHE_HOME=$d/cache XDG_DATA_HOME=$d/data HOME=$d/home
    # NO_AT_BRIDGE: GTK would start accessibility processes that outlive the run.
    export NO_AT_BRIDGE=1 QT_QPA_PLATFORM=xcb XDG_SESSION_TYPE=x11 TRAY_APP_TEST_DESKTOP=1
    export TRAY_APP_DESKTOP_RUN_DIR=$d TRAY_APP_DUNST_CHOICE_FILE=$d/dunst/choice
    unset WAYLAND_DISPLAY XAUTHORITY SESSION_MANAGER DBUS_SESSION_BUS_PID GNOME_KEYRING_CONTROL \
        PYTHON_KEYRING_BACKEND QT_QPA_PLATFORMTHEME XDG_CURRENT_DESKTOP DESKTOP_SESSION
}

_desktop_check_programs() {
    local p missing=()
    for p in Xvfb dbus-daemon dbus-send gtk-sni-tray-standalone dunst dunstctl \
        gnome-keyring-daemon import; do
        command -v "$p" >/dev/null || missing+=("$p")
    done
    ((${#missing[@]} == 0)) || { _desktop_err "missing programs: ${missing[*]}"; return 1; }
}

desktop_start() {
    local start
    start=$(_desktop_now)
    [[ -z $DESKTOP_RUN_DIR ]] || { _desktop_err "already started in $DESKTOP_RUN_DIR"; return 1; }
    _desktop_check_programs || return 1
    if [[ -n ${1:-} ]]; then DESKTOP_RUN_DIR=$1; else
        DESKTOP_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tray-app-desktop.XXXXXX") || return 1
        DESKTOP_OWN_RUN_DIR=1
    fi
    _desktop_environment
    local d=$DESKTOP_RUN_DIR
    _desktop_bus_config >"$d/bus.conf"
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
    _desktop_spawn Xvfb Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$d/display"
    _desktop_spawn bus dbus-daemon --nofork --config-file="$d/bus.conf" --print-address=3 \
        3>"$d/bus-address"
    _desktop_wait Xvfb _desktop_has_line "$d/display" || return 1
    _desktop_wait bus _desktop_has_line "$d/bus-address" || return 1
    export DISPLAY=:$(<"$d/display") DBUS_SESSION_BUS_ADDRESS=$(<"$d/bus-address")

    _desktop_spawn tray gtk-sni-tray-standalone --watcher
    # dunst finds the dmenu stand-in named in the dunstrc on its PATH.
    _desktop_spawn dunst env PATH="$DESKTOP_E2E_DIR:$PATH" dunst -config "$DESKTOP_E2E_DIR/dunstrc"
    local password
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    # The keyring reads its password on stdin and creates an unlocked "login" keyring
    # in its own data folder; a locked one would hang tests behind a password prompt.
    XDG_DATA_HOME=$d/keyring gnome-keyring-daemon --foreground --unlock --components=secrets \
        <<<"$password" >"$d/logs/keyring.log" 2>&1 &
    _desktop_record keyring $!
    _desktop_wait tray _desktop_bus_owned org.kde.StatusNotifierWatcher || return 1
    _desktop_wait dunst _desktop_bus_owned org.freedesktop.Notifications || return 1
    _desktop_wait keyring _desktop_bus_owned org.freedesktop.secrets || return 1

    DESKTOP_STARTUP_SECONDS=$(_desktop_seconds "$start")
    _desktop_write_state
}

_desktop_write_state() {
    local v i
    for v in DISPLAY DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_STATE_HOME \
        XDG_CACHE_HOME XDG_DATA_HOME HOME NO_AT_BRIDGE QT_QPA_PLATFORM XDG_SESSION_TYPE \
        TRAY_APP_TEST_DESKTOP TRAY_APP_DESKTOP_RUN_DIR TRAY_APP_DUNST_CHOICE_FILE; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done >"$DESKTOP_RUN_DIR/env"
    for i in "${!DESKTOP_PIDS[@]}"; do
        printf '%s %s\n' "${DESKTOP_NAMES[i]}" "${DESKTOP_PIDS[i]}"
    done >"$DESKTOP_RUN_DIR/pids"
}

# PIDs of processes that were started inside this desktop (they carry its run folder in
# their environment) and still run, apart from this shell and its ancestors.
_desktop_strays() {
    local -A mine=()
    local pid=$$ stat f var marker=TRAY_APP_DESKTOP_RUN_DIR=$DESKTOP_RUN_DIR
    local -a env
    while ((pid > 1)); do
        mine[$pid]=1
        read -r stat 2>/dev/null <"/proc/$pid/stat" || break
        stat=${stat##*) }
        read -r _ pid _ <<<"$stat"
    done
    mine[$BASHPID]=1
    for f in /proc/[0-9]*/environ; do
        pid=${f#/proc/}
        pid=${pid%/environ}
        [[ -n ${mine[$pid]:-} ]] && continue
        mapfile -t -d '' env 2>/dev/null <"$f" || continue
        for var in "${env[@]}"; do
            [[ $var == "$marker" ]] && _desktop_alive "$pid" && echo "$pid" && break
        done
    done
}

# Stop the parts: TERM, wait up to 5 s, then KILL what is left; reap them. Processes
# that tests started and left running are reported, stopped the same way, and make
# desktop_stop fail.
desktop_stop() {
    [[ -n $DESKTOP_RUN_DIR ]] || return 0
    local rc=0 pid
    local -a strays
    mapfile -t strays < <(_desktop_strays)
    for pid in "${strays[@]}"; do
        [[ " ${DESKTOP_PIDS[*]} " == *" $pid "* ]] && continue
        _desktop_err "left running by the tests: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
        DESKTOP_PIDS+=("$pid")
        rc=1
    done
    _desktop_kill TERM
    local deadline=$(($(_desktop_now) + 5000000))
    while (($(_desktop_now) < deadline)) && _desktop_any_alive; do sleep 0.02; done
    _desktop_any_alive && { _desktop_err "killing parts that ignored TERM"; _desktop_kill KILL; }
    for pid in "${DESKTOP_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    ((DESKTOP_OWN_RUN_DIR)) && [[ ${DESKTOP_KEEP_RUN_DIR:-0} == 0 ]] && rm -rf "$DESKTOP_RUN_DIR"
    DESKTOP_RUN_DIR=
    DESKTOP_PIDS=()
    DESKTOP_NAMES=()
    DESKTOP_SPAWNED=()
    return "$rc"
}

_desktop_kill() {
    local pid
    for pid in "${DESKTOP_PIDS[@]}"; do kill -"$1" "$pid" 2>/dev/null; done
}

_desktop_any_alive() {
    local pid
    for pid in "${DESKTOP_PIDS[@]}"; do _desktop_alive "$pid" && return 0; done
    return 1
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    (($#)) || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
    trap desktop_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    desktop_start || exit 1
    echo "desktop: up in ${DESKTOP_STARTUP_SECONDS}s on $DISPLAY ($DESKTOP_TIMINGS)" >&2
    "$@"
    status=$?
    desktop_stop || status=1
    exit "$status"
fi
