#!/usr/bin/env bash
# Runs every fuzz target of the parsers of outside input for a set time each:
#   scripts/fuzz.sh [seconds per target]      (default 60)
# Targets are found by name (func FuzzXxx in *_test.go). A failing input is
# written by `go test` into the package's testdata/fuzz/FuzzXxx/, where it
# becomes a regression test that `go test ./...` runs from then on; commit it
# with the fix. The corpus that grows while fuzzing stays in the Go cache.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
failed=()
while IFS= read -r line; do
  file=${line%%:*}
  target=${line##*func }
  target=${target%%(*}
  pkg=$(dirname "$file")
  echo "== $pkg $target (${secs}s)"
  # -fuzzminimizetime keeps large seeds (keystores) from eating the budget.
  if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime 1x; then
    failed+=("$pkg $target")
  fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(' . | sort)
if [ ${#failed[@]} -gt 0 ]; then
  echo "failing fuzz targets (inputs in their testdata/fuzz):"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "all fuzz targets ran clean for ${secs}s each"
