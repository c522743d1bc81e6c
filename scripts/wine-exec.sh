#!/usr/bin/env bash
# wine-exec.sh PROG ARGS...: the go test -exec runner of the GOOS=windows test
# binaries (scripts/test-windows.sh). Go names a test binary without .exe,
# which Wine needs: it runs a copy that has one. WINEPREFIX is a prefix made by
# scripts/wine-prefix.sh.
set -euo pipefail
: "${WINEPREFIX:?set WINEPREFIX to a prefix made by scripts/wine-prefix.sh}"
export WINEDEBUG=-all
prog=$1
shift
if [[ $prog != *.exe ]]; then
  cp "$prog" "$prog.exe"
  trap 'rm -f "$prog.exe"' EXIT
  prog=$prog.exe
fi
wine "$prog" "$@"
