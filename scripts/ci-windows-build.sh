#!/usr/bin/env bash
# Cross-compile checks, so that a Windows- or macOS-only compile error fails CI:
#   - windows/amd64: the app builds (cgo, MinGW) and go vet passes on every package;
#   - darwin/arm64: go vet passes on every package that builds without cgo. The
#     others (those that import miekg/pkcs11 or fyne.io/systray, whose darwin
#     code is cgo) need a Mac; they are listed, not checked.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need.sh
need x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64

echo "== windows/amd64: go build, go vet"
windows=(GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc)
# -trimpath, as scripts/build.sh: the two share the compiled packages.
env "${windows[@]}" go build -trimpath -o /dev/null .
env "${windows[@]}" go vet ./...

echo "== darwin/arm64: go vet without cgo"
export GOOS=darwin GOARCH=arm64
# A package needs cgo on darwin when it, its tests or their dependencies outside
# the standard library have cgo files there (std packages fall back to pure Go).
cgo_pkgs=$(CGO_ENABLED=1 go list -deps -test -f '{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}' ./... | sort -u)
pure=() skipped=()
for pkg in $(go list ./...); do
  uses=$(CGO_ENABLED=1 go list -deps -test -f '{{.ImportPath}}' "$pkg" | grep -xF "$cgo_pkgs" || true)
  if [ -n "$uses" ]; then
    skipped+=("$pkg ($(paste -sd, <<<"$uses"))")
  else
    pure+=("$pkg")
  fi
done
CGO_ENABLED=0 go vet "${pure[@]}"
echo "vetted ${#pure[@]} packages for darwin"
if [ ${#skipped[@]} -gt 0 ]; then
  echo "need cgo on darwin (a Mac), not checked here:"
  printf '  %s\n' "${skipped[@]}"
fi
