#!/usr/bin/env bash
# test-windows.sh: runs the Windows build under Wine (scripts/test.sh calls it).
#   1. scripts/build.sh windows: the .exe, .com, .zip and .msi (and an older
#      .msi, for the upgrade);
#   2. scripts/wine-prefix.sh: a Windows 10 prefix where Go programs run;
#   3. the Windows unit tests (TestWin*, GOOS=windows), run by Wine through
#      scripts/wine-exec.sh: the .exe/.com split, CredUI errors, the tray's
#      icon files, the Run value;
#   4. wintest (go test -tags wine): the .com and .exe at a terminal and in
#      pipes, certs, cert inspect, check, session start against the STS
#      simulator, a CredUI failure, autostart with reg query, msiexec /i and
#      /x, and the tray's icon files at exit.
# Under Xvfb, since the GUI .exe and msiexec want a display. A Wine that does
# not start fails the run: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need.sh
need xvfb-run:xvfb xauth:xauth script:bsdutils

tmp=$(mktemp -d)
trap 'WINEPREFIX=$tmp/prefix wineserver -k 2>/dev/null || true; rm -rf "$tmp"' EXIT
timings=()
timed() {
  local label=$1 start=$EPOCHREALTIME rc=0
  shift
  "$@" || rc=$?
  timings+=("$(awk -v l="$label" -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%-36s %6.1f s", l, b - a }')")
  return "$rc"
}

# An older installer first (MSI 0.0.1), to test the upgrade in place; the
# build of this version then replaces the rest of dist/.
older=v0.0.0-1-g0000000
timed "build (older msi)" env VERSION=$older scripts/build.sh windows >/dev/null
cp "dist/ehealth-tray_${older#v}_windows_amd64.msi" "$tmp/older.msi"
# The version is fixed once: a commit during the run must not change it.
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)}
timed "build (windows)" env VERSION="$version" scripts/build.sh windows
timed "wine prefix" scripts/wine-prefix.sh "$tmp" >/dev/null
export WINEPREFIX=$tmp/prefix WINEDEBUG=-all WINEARCH=win64

msi=$(ls dist/ehealth-tray_*_windows_amd64.msi)

echo "== Windows unit tests under Wine"
timed "unit tests (GOOS=windows)" env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
  xvfb-run -a go test -count=1 -exec "$PWD/scripts/wine-exec.sh" -run '^TestWin' . ./prompt/ ./tray/ ./autostart/

echo "== wintest under Wine"
status=0
timed "wintest" env EHEALTH_WIN_DIST="$PWD/dist/ehealth-tray_windows_amd64" EHEALTH_WIN_MSI="$PWD/$msi" \
  EHEALTH_WIN_VERSION="$version" EHEALTH_WIN_OLDER_MSI="$tmp/older.msi" EHEALTH_WIN_OLDER_VERSION=$older xvfb-run -a go test -count=1 -tags wine -v ./wintest/ >"$tmp/wintest.log" 2>&1 ||
  status=$?
if [ "$status" != 0 ]; then
  cat "$tmp/wintest.log"
  exit "$status"
fi
grep -E '^(--- |ok )' "$tmp/wintest.log"

echo "== Windows timings"
printf '%s\n' "${timings[@]}"
