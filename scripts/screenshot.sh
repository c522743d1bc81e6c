#!/usr/bin/env bash
# Screenshots of the tray on a real StatusNotifierItem host, for the docs:
#   docs/tray.png       the icon in a panel, with its tooltip
#   docs/tray-menu.png  the open menu
# (docs/demo*.png for the demo, with -fr before -menu when LANG is French:
# the names the README uses).
#
# It runs Xvfb, a private D-Bus session and gtk-sni-tray-standalone (a
# panel), then the program given as arguments, by default a sample State:
#
#   scripts/screenshot.sh [command ...]    (default: go run ./tray/internal/trayshow)
#   FALLBACK_PASSWORD=demo scripts/screenshot.sh go run . demo
#       first opens a session the way a person would: menu, Fallback procedure,
#       the real pinentry-gtk-2 (confirm, then the password), and shoots the
#       green tray and its menu as docs/demo-active*.png.
#   ETK=1 FALLBACK_PASSWORD=demo scripts/screenshot.sh go run . demo --renew-after 15s
#       then also switches to the renewed keystore (menu, Use the new certificate…,
#       its password) and, with dunst showing notifications, shoots the ETK
#       "not activated" notification and menu line as docs/demo-etk-not-activated*.png
#       (…-fr*.png when LANG is French).
#
# Missing tools are installed with apt-get (run as root, or install them:
# xvfb imagemagick xdotool haskell-gtk-sni-tray-utils dbus pinentry-gtk2 softhsm2, dunst for ETK=1).
set -euo pipefail

cd "$(dirname "$0")/.."

# Re-run inside a private session bus, so nothing reaches the user's desktop.
if [ -z "${SCREENSHOT_SESSION:-}" ]; then
	missing=()
	for tool in Xvfb:xvfb import:imagemagick convert:imagemagick xdotool:xdotool \
		gtk-sni-tray-standalone:haskell-gtk-sni-tray-utils dbus-run-session:dbus dbus-send:dbus \
		pinentry-gtk-2:pinentry-gtk2 softhsm2-util:softhsm2 ${ETK:+dunst:dunst}; do
		command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		[ "$(id -u)" = 0 ] || { echo "screenshot.sh: please install: ${missing[*]}" >&2; exit 1; }
		apt-get install -y "${missing[@]}"
	fi
	SCREENSHOT_SESSION=1 exec dbus-run-session -- "$0" "$@"
fi

[ $# -gt 0 ] || set -- go run ./tray/internal/trayshow

tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for DESCRIPTION COMMAND...: retry COMMAND for up to 20 s.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "screenshot.sh: timed out waiting for $what" >&2
	for log in "$tmp"/*.log; do echo "== $log" >&2; cat "$log" >&2; done
	exit 1
}

# Each background process leads its own process group (setsid), so that
# cleanup also stops what `go run` starts.
start() {
	local name=$1
	shift
	setsid "$@" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
}

# A white desktop (-wr), trimmed away from the screenshots.
exec 3>"$tmp/display"
start xvfb Xvfb -displayfd 3 -screen 0 800x480x24 -wr -nolisten tcp
exec 3>&-
wait_for "Xvfb" test -s "$tmp/display"
export DISPLAY=":$(cat "$tmp/display")"
wait_for "the X display" xdotool getdisplaygeometry

# A dark panel at the top left: 24 px high, 96 px long.
start panel gtk-sni-tray-standalone --watcher --top --beginning -s 24 -c '#303030' --length '96 % 800'
watcher_up() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.kde.StatusNotifierWatcher | grep -q 'boolean true'
}
wait_for "the panel's StatusNotifierWatcher" watcher_up
[ -z "${ETK:-}" ] || start notifications dunst

start tray "$@"
item_registered() {
	dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
		org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierWatcher \
		string:RegisteredStatusNotifierItems | grep -q string
}
wait_for "the tray icon to register (go run may be compiling)" item_registered
sleep 2 # the panel draws the icon

mkdir -p docs
out=tray
case " $* " in *" demo "*) out=demo ;; esac
if [ -n "${FALLBACK_PASSWORD:-}" ]; then
	# Menu → second enabled item (Fallback procedure…) → the confirmation,
	# whose default button is Cancel: move to the start button → password.
	xdotool mousemove 12 12 click 3
	sleep 1
	xdotool key Down Down Return
	wait_for "the fallback confirmation" xdotool search --name "eHealth"
	sleep 1
	xdotool key Tab Return
	sleep 2
	xdotool type --delay 50 "$FALLBACK_PASSWORD"
	xdotool key Return
	sleep 3
	out=demo-active
fi
if [ -n "${ETK:-}" ]; then
	# Menu → fourth enabled item (Use the new certificate…, after Renew via
	# eID, Fallback procedure… and Stop session) → its password. The switch
	# checks the ETK, which the demo's depot has not renewed yet.
	wait_for "the renewed keystore" grep -q "newer keystore found" "$tmp/tray.log"
	xdotool mousemove 12 12 click 3
	sleep 1
	xdotool key Down Down Down Down Return
	sleep 2
	xdotool type --delay 50 "$FALLBACK_PASSWORD"
	xdotool key Return
	sleep 3
	out=demo-etk-not-activated
fi
case "${LANG:-}" in fr*) out=$out-fr ;; esac
# The first icon sits at the panel's left end; hover it for the tooltip.
xdotool mousemove 12 12
sleep 2
import -window root "$tmp/tray.png"
convert "$tmp/tray.png" -trim +repage -bordercolor white -border 8 "docs/$out.png"

xdotool click 3
sleep 2
import -window root "$tmp/menu.png"
convert "$tmp/menu.png" -trim +repage -bordercolor white -border 8 "docs/$out-menu.png"

echo "wrote docs/$out.png ($(identify -format '%wx%h' "docs/$out.png")) and docs/$out-menu.png ($(identify -format '%wx%h' "docs/$out-menu.png"))"
