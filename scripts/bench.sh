#!/usr/bin/env bash
# Measures speed and memory against the goals, and prints a table:
#   scripts/bench.sh              (about 8 minutes: the idle run takes 6)
#   IDLE=1m scripts/bench.sh      (a shorter idle run)
#   COUNT=5 scripts/bench.sh      (repetitions of the fast benchmarks; medians are shown)
# These machines are shared and noisy: read medians and ratios, not single runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need.sh
need /usr/bin/time:time strace:strace # peak memory of the CLI commands, and its parts
count=${COUNT:-5}
idle=${IDLE:-5m}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
unset DBUS_SESSION_BUS_ADDRESS

run() { go test -run '^$' "$@" | tee -a "$out" | grep -E '^Benchmark' || true; }
echo "== fast benchmarks (count=$count)"
run -bench 'BenchmarkDiscover$' -benchmem -count "$count" ./cert/
run -bench 'BenchmarkBuildRequest(RSA|EC)$' -benchmem -count "$count" ./sts/
run -bench 'BenchmarkEventLatency$' -benchtime 10x -count "$count" ./watcher/
run -bench 'BenchmarkColdStartToTray$' -benchtime 5x -count "$count" .
run -bench 'BenchmarkDecodeReal(GoPKCS12)?$' -benchtime 10x -count "$count" ./cert/
run -bench 'BenchmarkFallbackSession$' -benchtime 10x -count "$count" .
run -bench 'BenchmarkCommandRSS' -benchtime 3x -count 1 .
echo "== idle run ($idle after one minute)"
EHEALTH_BENCH_IDLE=$idle run -bench 'BenchmarkIdle$' -benchtime 1x -count 1 .

bin=$(mktemp -d)/ehealth-tray
go build -trimpath -ldflags "-s -w" -o "$bin" .
size=$(stat -c %s "$bin")
# What a resident set is made of: strace holds `version` at its exit so that
# /proc shows its anonymous memory (the program's own) and its file-backed
# pages (the binary, which this kernel maps in whole large folios).
strace -qq -e trace=exit_group -e inject=exit_group:delay_enter=1000000 "$bin" version >/dev/null 2>&1 &
sleep 0.5
app_pid=$(pgrep -n -f "^$bin version" || true)
anon=n/a file=n/a
if [ -n "$app_pid" ]; then
  anon=$(awk '/^RssAnon/ {printf "%.1f", $2/1024}' "/proc/$app_pid/status")
  file=$(awk '/^RssFile/ {printf "%.1f", $2/1024}' "/proc/$app_pid/status")
fi
wait
rm -rf "$(dirname "$bin")"

# median VALUE of UNIT for benchmark NAME over the collected lines
median() {
  grep -E "^$1(-[0-9]+)? " "$out" | awk -v unit="$2" '{for (i = 3; i < NF; i++) if ($(i+1) == unit) print $i}' |
    sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2] + v[NR/2+1]) / 2}'
}
ms() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else printf "%.2f", v / 1e6 }'; }

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo
echo "| measure | median | goal |"
echo "|---|---|---|"
echo "| cold start to tray registration on D-Bus | $(median BenchmarkColdStartToTray ms/start) ms | ≤ 150 ms |"
echo "| idle resident memory after 1 minute | $(median BenchmarkIdle MB-rss-after-1min) MB | ≤ 25 MB |"
echo "| idle CPU time over $idle | $(median BenchmarkIdle ms-cpu-idle) ms | ~0 |"
echo "| idle wake-ups (context switches, all threads) | $(median BenchmarkIdle wakeups/min) /min | none beyond the check timer |"
echo "| discovery over 2,000 files | $(ms "$(median BenchmarkDiscover ns/op)") ms | ≤ 20 ms |"
echo "| request build + sign, RSA-2048 keystore key | $(ms "$(median BenchmarkBuildRequestRSA ns/op)") ms | ≤ 5 ms |"
echo "| request build + sign, P-384 key | $(ms "$(median BenchmarkBuildRequestEC ns/op)") ms | — |"
echo "| keystore decode, 50,000 iterations (go-pkcs12 alone: $(ms "$(median BenchmarkDecodeRealGoPKCS12 ns/op)") ms) | $(ms "$(median BenchmarkDecodeReal ns/op)") ms | — |"
echo "| fallback session, client side (process wall time − server time) | $(median BenchmarkFallbackSession ms-client/session) ms | ≤ 70 ms |"
echo "| fallback session, peak resident memory | $(median BenchmarkFallbackSession MB-peak-rss) MB | ≤ 15 MiB |"
echo "| peak resident memory: version / certs / check | $(median BenchmarkCommandRSS/version MB-peak-rss) / $(median BenchmarkCommandRSS/certs MB-peak-rss) / $(median BenchmarkCommandRSS/check MB-peak-rss) MB | ≤ 10 MB |"
echo "| watcher latency, file complete → offer (debounce incl.) | $(median BenchmarkEventLatency median-ms) ms | ≤ 1500 ms |"
echo "| version at exit: anonymous / file-backed (the binary) resident memory | $anon / $file MB | — |"
echo "| binary size, stripped (linux/amd64) | $(awk -v s="$size" 'BEGIN {printf "%.1f", s/1048576}') MiB | — |"
