#!/usr/bin/env bash
# wine-exec.sh PROG ARGS...: go test -exec runner for GOOS=windows test
# binaries (scripts/test-windows.sh). Go names the binary without .exe; Wine
# wants one, so it runs a copy. WINEPREFIX must be set up by wine-prefix.sh.
set -euo pipefail
: "${WINEPREFIX:?run scripts/wine-prefix.sh and set WINEPREFIX}"
prog=$1
shift
case $prog in
  *.exe) exec wine "$prog" "$@" ;;
esac
cp "$prog" "$prog.exe"
trap 'rm -f "$prog.exe"' EXIT
WINEDEBUG=-all wine "$prog.exe" "$@"
