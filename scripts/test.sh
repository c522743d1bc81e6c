#!/usr/bin/env bash
# The one test command: installs the system packages the tests need, then runs
# go vet and every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: SoftHSM2 stands in for the eID card (opensc gives
# pkcs11-tool), xmlsec1 verifies our XML signatures independently, dbus runs the
# private session bus of the tray and notification tests, openssl checks our
# test keystores, a JDK's keytool cross-checks them too, desktop-file-utils
# validates the autostart entry, and Xvfb + xdotool type into a real
# pinentry-gtk-2 as a person would. chattr (e2fsprogs) is part of Debian.
# scripts/test-windows.sh installs its own: MinGW, wixl and msitools (the
# MSI), Wine.
. scripts/need.sh
need softhsm2-util:softhsm2 pkcs11-tool:opensc xmlsec1:xmlsec1 dbus-daemon:dbus \
     dbus-run-session:dbus openssl:openssl gcc:gcc \
     desktop-file-validate:desktop-file-utils keytool:openjdk-17-jdk-headless \
     Xvfb:xvfb xdotool:xdotool pinentry-gtk-2:pinentry-gtk2

export CGO_ENABLED=1
# Never let a test talk to the user's real desktop bus.
unset DBUS_SESSION_BUS_ADDRESS

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(find . -name '*.go' -not -path './dist/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
  echo "gofmt needed: $unformatted" >&2
  exit 1
fi
echo "== staticcheck"
staticcheck_version=v0.8.2 # pinned: a new release must not turn CI red on its own
staticcheck=$(go env GOPATH)/bin/staticcheck
if ! "$staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
"$staticcheck" ./...
# wintest's tests build only with the wine tag.
go vet -tags wine ./wintest/
"$staticcheck" -tags wine ./wintest/
echo "== Windows cross-build (a Windows-only compile error fails here)"
scripts/ci-windows-build.sh
echo "== go test"
# -v into a log, so that the summary can count every test (subtests too);
# the console gets the package lines, and the failures in full.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v ./... >"$log" 2>&1 || status=$?
grep -E '^(ok|FAIL|panic:)' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "== failures"
  grep -E -B1 -A40 -- '^\s*--- FAIL|^panic:' "$log" | head -600
fi
count() { grep -cE "^\s*--- $1" "$log" || true; }
passed=$(count PASS) failed=$(count FAIL) skipped=$(count SKIP)

# The Windows build under Wine: the .com and .exe at a terminal, the CLI
# against the STS simulator, autostart in the registry, the MSI, and the
# Windows unit tests (scripts/test-windows.sh says what and how).
echo "== Windows under Wine"
windows=0
scripts/test-windows.sh || windows=$?
if [ "$windows" -ne 0 ]; then
  failed=$((failed + 1))
  echo "Windows under Wine: failed (exit $windows)"
  status=1
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
