#!/usr/bin/env bash
# Before/after pairs of one echo server build against another, each pinned: the server on CPU 0,
# ws_load (100 connections, SIZE bytes, 1 s warm-up, 5 s measured) on CPU 1; the two builds run
# back to back in alternating order, pair after pair, and each pair's ratio of server CPU time
# per message (after / before) is printed, then the median. For a no-regression bar on a host
# whose speed drifts between runs: the drift cancels within a pair.
# Usage: bench/profile/pinned_pairs.sh BEFORE_SERVER AFTER_SERVER [SIZE=20] [PAIRS=10]
#        (servers take --port N, as bench/echo_server does; ws_load from the bench preset)
# With UWS_LOAD_TEST=path, uWebSockets' load_test is the client instead (100 connections, run
# 13 s; the server's CPU over seconds 4.5-12.5 against the mean of its reports at 8 and 12 s).
set -u -o pipefail
before=${1:?before server binary}; after=${2:?after server binary}
size=${3:-20}; pairs=${4:-10}
ws_load=$(cd "$(dirname "$0")/../.." && pwd)/build/bench/bench/ws_load
[[ -x "$ws_load" && -x "$before" && -x "$after" ]] || { echo "pinned_pairs: missing binary" >&2; exit 1; }
[[ "$pairs" =~ ^[1-9][0-9]?$ && "$size" =~ ^[0-9]+$ ]] || { echo "pinned_pairs: bad SIZE or PAIRS (1-99)" >&2; exit 2; }

run() {  # $1 = server binary, $2 = port; prints its server µs per message
  taskset -c 0 "$1" --port "$2" >/dev/null 2>&1 &
  local pid=$! i
  for i in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$2") 2>/dev/null && break; sleep 0.05; done
  local out us
  if [[ -n "${UWS_LOAD_TEST:-}" ]]; then
    local log; log=$(mktemp)
    timeout -s INT 13 taskset -c 1 stdbuf -oL "$UWS_LOAD_TEST" 100 127.0.0.1 "$2" 0 0 "$size" \
      >"$log" 2>&1 &
    local client=$!
    sleep 4.5  # the measured window: after load_test's first report, for 8 s
    local c0 c1; c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    sleep 8
    c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    wait "$client" 2>/dev/null
    us=$(awk -v d=$((c1 - c0)) -v t="$(getconf CLK_TCK)" '/^Msg\/sec:/ { n++; if (n == 2 || n == 3) { s += $2; k++ } }
      END { if (k == 2 && s > 0) printf "%.3f", (d / t) / 8 / (s / k) * 1e6 }' "$log")
    rm -f "$log"
  else
    out=$(timeout 30 taskset -c 1 "$ws_load" --port "$2" --connections 100 --size "$size" \
      --seconds 5 --warmup 1 --server-pid "$pid" | grep '^summary')
    us=$(sed -n 's/.* server_us_per_msg=\([0-9.]*\).*/\1/p' <<<"$out")
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [[ -n "$us" ]] || { echo "pinned_pairs: $1 gave no figure (refused the load?)" >&2; exit 1; }
  echo "$us"
}

ratios=()
for ((p = 1; p <= pairs; p++)); do
  if ((p % 2)); then b=$(run "$before" 9111) || exit 1; a=$(run "$after" 9112) || exit 1
  else a=$(run "$after" 9112) || exit 1; b=$(run "$before" 9111) || exit 1; fi
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$r")
  echo "pair $p: before $b us/msg, after $a us/msg, after/before $r"
done
printf '%s\n' "${ratios[@]}" | sort -g |
  awk '{ v[NR] = $1 } END { printf "median after/before over %d pairs: %.3f\n", NR,
    (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
