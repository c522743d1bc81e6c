#!/usr/bin/env bash
# wine-prefix.sh DIR: makes (once) a 64-bit Wine prefix in DIR/prefix in which
# the Windows build runs, and prints its path.
#
# Debian's Wine 8.0 lacks bcryptprimitives.dll, which the Go runtime (>= 1.24)
# loads for ProcessPrng; Windows 10+ ships it. The stand-in of
# wintest/testdata/bcryptprimitives.c (ProcessPrng calling BCryptGenRandom) is
# built with MinGW into the prefix's system32, and the prefix says Windows 10.
# What Wine cannot show (CredUI, toasts, AF_UNIX, the taskbar) has unit tests.
set -euo pipefail
DIR=${1:?usage: wine-prefix.sh DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/need.sh"
need wine:wine x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 xvfb-run:xvfb xauth:xauth
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
export WINEPREFIX=$DIR/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/.ehealth-tray-ready" ]; then
  # wineboot may exit non-zero on a headless box even when the prefix is made:
  # the checks below decide.
  xvfb-run -a wineboot -i >"$DIR/wineboot.log" 2>&1 || true
  sys32=$WINEPREFIX/drive_c/windows/system32
  [ -f "$sys32/kernel32.dll" ] || { cat "$DIR/wineboot.log" >&2; echo "wine-prefix: wineboot made no prefix in $WINEPREFIX" >&2; exit 1; }
  x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$sys32/bcryptprimitives.dll" \
    "$root/wintest/testdata/bcryptprimitives.c" -lbcrypt -Wl,--kill-at
  # What `winecfg -v win10` writes, without a window.
  wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null
  ver=$(wine cmd /c ver)
  [[ $ver == *"Windows 10."* ]] || { echo "wine-prefix: the prefix says \"$ver\", not Windows 10" >&2; exit 1; }
  wineserver -w
  touch "$WINEPREFIX/.ehealth-tray-ready"
fi
echo "$WINEPREFIX"
