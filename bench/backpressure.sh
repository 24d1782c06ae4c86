#!/usr/bin/env bash
# A client that sends without end and never reads, beside well-behaved ones (issue 18):
#   bench/backpressure.sh [--seconds T] [--servers restws,uws] [--netns] [--no-build] [--output F]
# For each server in turn, started fresh and killed after:
#   1. idle: ws_load --idle with CLIENTS + 1 connections for 2 s: the server's RSS with them open
#      (VmRSS of /proc/PID/status), then its peak (VmHWM) is reset to that (clear_refs);
#   2. unloaded: CLIENTS ws_load echo clients of SIZE bytes, 1 s warm-up then T s: their p99;
#   3. loaded: ws_load --flood, ONE client sending FLOOD_SIZE-byte frames and never reading, for
#      T + 6 s; once it is connected (and 1 s more, for the buffers to fill) the same CLIENTS echo
#      clients run again, 1 s warm-up then T s, inside the flood: their p99 under it;
#      the server's VmHWM at the end minus its idle RSS is its peak above idle.
# Prints a markdown table: idle RSS, peak RSS above idle, flood MiB/s the server's TCP accepted,
# whether the server ended the flood, unloaded and loaded p99 and their ratio, and, for restws,
# whether issue 18's limits hold (peak above idle < 64 MiB, loaded p99 < 10x unloaded).
# A server that does not start or refuses a client (failed handshake, dropped echo connection,
# mismatch) fails the run: exit status 1 and a line naming the server, the client and what
# happened. Everything is bounded in time (each ws_load by timeout).
#
# Options:
#   --seconds T       measured window of each echo run and of the flood beside it (default 10)
#   --clients N       echo clients (default 100)
#   --size BYTES      echo message size (default 20)
#   --flood-size B    the flooding client's frame size (default 65536)
#   --servers LIST    comma-separated subset of: restws,uws (default: restws, and uws when
#                     UWS_WS_SERVER is set)
#   --ws-path PATH    WebSocket path (default /chat: examples/ws_echo's; uWebSockets takes any)
#   --no-build        use the binaries as they are
#   --netns           run in a private network namespace (unshare -n; needs root): the servers
#                     listen on fixed ports (8080, 9001) that something else may hold
#   --output FILE     also write the table (markdown) to FILE
# Environment:
#   RESTWS_BP_SERVER  restws server command (default build/bench/examples/ws_echo: the seed's
#                     example with the library's default settings, /chat on localhost:8080)
#   RESTWS_BP_PORT    its fixed port (default 8080 for the default server; otherwise the
#                     command gets "--port N" appended or "{port}" replaced, as in compare.sh)
#   UWS_WS_SERVER     uWebSockets' EchoServer (its port UWS_WS_PORT, default 9001)
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# shellcheck source=bench/lib/servers.sh
source bench/lib/servers.sh
reexec_in_netns "$@"

seconds=10
clients=100
size=20
flood_size=65536
only_servers=""
ws_path=/chat
build=1
output=""
RESTWS_BP_DEFAULT=build/bench/examples/ws_echo
restws_server=${RESTWS_BP_SERVER:-$RESTWS_BP_DEFAULT}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --clients) clients=$2; shift ;;
    --size) size=$2; shift ;;
    --flood-size) flood_size=$2; shift ;;
    --servers) only_servers=$2; shift ;;
    --ws-path) ws_path=$2; shift ;;
    --no-build) build=0 ;;
    --output) output=$2; shift ;;
    --netns) ;;  # handled above
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "backpressure.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for value in "$seconds" "$clients" "$size" "$flood_size"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || {
    echo "backpressure.sh: --seconds, --clients, --size, --flood-size take positive integers" >&2
    exit 2
  }
done
((size >= 8)) || { echo "backpressure.sh: --size must be at least 8" >&2; exit 2; }

WS_LOAD=build/bench/bench/ws_load
RESULTS_DIR=build/bench-results/backpressure-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS_DIR"
RESULTS=$RESULTS_DIR/results.tsv
: >"$RESULTS"
flood_pid=""

stop_all() {
  if [[ -n "$flood_pid" ]]; then
    kill -TERM "$flood_pid" 2>/dev/null
    wait "$flood_pid" 2>/dev/null
    flood_pid=""
  fi
  stop_server
}
trap 'stop_all' EXIT
trap 'stop_all; exit 130' INT TERM

if ((build)); then
  log "configuring and building ws_load and examples/ws_echo (preset bench)"
  targets=(ws_load)
  [[ "$restws_server" == "$RESTWS_BP_DEFAULT" ]] && targets+=(ws_echo)
  { timeout 600 cmake --preset bench &&
    timeout 1800 cmake --build --preset bench -j2 --target "${targets[@]}"; } \
    >"$RESULTS_DIR/build.log" 2>&1 ||
    { tail -40 "$RESULTS_DIR/build.log" >&2; fail_run "build failed ($RESULTS_DIR/build.log)"; }
fi
[[ -x "$WS_LOAD" ]] || fail_run "$WS_LOAD missing (build it: preset bench, target ws_load)"

# ---- servers -------------------------------------------------------------------------------
servers=()
restws_port=${RESTWS_BP_PORT:-}
[[ -z "$restws_port" && "$restws_server" == "$RESTWS_BP_DEFAULT" ]] && restws_port=8080
wanted() { [[ -z "$only_servers" || ",$only_servers," == *",$1,"* ]]; }
wanted restws && servers+=("restws|$restws_server|$restws_port")
if wanted uws && [[ -n "${UWS_WS_SERVER:-}" ]]; then
  servers+=("uWebSockets|$UWS_WS_SERVER|${UWS_WS_PORT:-9001}")
elif [[ ",$only_servers," == *",uws,"* ]]; then
  fail_run "--servers uws needs UWS_WS_SERVER (uWebSockets' EchoServer)"
fi
((${#servers[@]})) || fail_run "no server to measure (--servers $only_servers)"
for entry in "${servers[@]}"; do
  IFS='|' read -r name cmd _ <<<"$entry"
  [[ -x "${cmd%% *}" ]] || fail_run "$name server '${cmd%% *}' not found (--servers leaves it out)"
done

# ---- measuring -----------------------------------------------------------------------------
summary_field() {  # $1 = key, $2 = ws_load summary line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

status_kib() {  # $1 = pid, $2 = VmRSS | VmHWM
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# A ws_load run that failed: the server refused a client, so the run stops here.
refused() {  # $1 = server name, $2 = what ran, $3 = exit status, $4 = output
  local messages
  messages=$(sed -n 's/^ws_load: \(connection [0-9]*: \)\{0,1\}//p' "$4" | awk '!seen[$0]++' |
    head -3 | paste -sd';' -)
  fail_run "WebSocket server $name refused ws_load ($2): exit status $3," \
    "${messages:-no message}; summary: $(grep '^summary ' "$4" || echo none)." \
    "Output: $4; server log: $RESULTS_DIR/$(tag_of "$1").server.log"
}

tag_of() { case "$1" in restws*) echo restws ;; *) echo uws ;; esac; }

# CLIENTS echo clients with a warm-up; prints their summary line, fails the run on an error.
echo_clients() {  # $1 = server name, $2 = what (unloaded | loaded), $3 = output file
  timeout $((seconds + 40)) "$WS_LOAD" --connections "$clients" --size "$size" --warmup 1 \
    --seconds "$seconds" --host 127.0.0.1 --port "$server_port" --path "$ws_path" \
    --server-pid "$server_pid" >"$3" 2>&1
  local rc=$?
  ((rc == 0)) || refused "$1" "$clients x $size B echo clients, $2" "$rc" "$3"
  grep '^summary ' "$3"
}

run_server() {  # $1 = entry
  local name; IFS='|' read -r name _ <<<"$1"
  local tag; tag=$(tag_of "$name")
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  log "$name: pid $server_pid on port $server_port"

  # 1. Idle: the server's RSS with CLIENTS + 1 connections open.
  local out="$RESULTS_DIR/$tag.idle.txt"
  timeout 60 "$WS_LOAD" --idle --connections $((clients + 1)) --seconds 2 --host 127.0.0.1 \
    --port "$server_port" --path "$ws_path" --server-pid "$server_pid" >"$out" 2>&1
  local rc=$?
  ((rc == 0)) || refused "$name" "$((clients + 1)) idle connections" "$rc" "$out"
  local idle_kib
  idle_kib=$(summary_field server_rss_kib "$(grep '^summary ' "$out")")

  # 2. Unloaded p99.
  local unloaded
  unloaded=$(echo_clients "$name" unloaded "$RESULTS_DIR/$tag.unloaded.txt") || exit 1
  local p99_unloaded; p99_unloaded=$(summary_field latency_p99_us "$unloaded")
  log "$name: idle RSS $idle_kib KiB, unloaded p99 $p99_unloaded us"

  # 3. The flood, and the same clients beside it. VmHWM is reset to the current RSS first
  # (clear_refs 5), so the peak is the flood's, not the start-up's.
  local hwm_reset=yes
  echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || hwm_reset=no
  local flood_out="$RESULTS_DIR/$tag.flood.txt"
  timeout $((seconds + 30)) "$WS_LOAD" --flood --connections 1 --size "$flood_size" \
    --seconds $((seconds + 6)) --host 127.0.0.1 --port "$server_port" --path "$ws_path" \
    --server-pid "$server_pid" >"$flood_out" 2>&1 &
  flood_pid=$!
  local waited=0
  while ! grep -q '^started ' "$flood_out" 2>/dev/null; do
    if ! kill -0 "$flood_pid" 2>/dev/null || ((waited++ >= 100)); then
      refused "$name" "one flooding client: not connected within 10 s" "?" "$flood_out"
    fi
    sleep 0.1
  done
  sleep 1
  local loaded
  loaded=$(echo_clients "$name" "loaded, beside the flood" "$RESULTS_DIR/$tag.loaded.txt") ||
    exit 1
  local peak_kib; peak_kib=$(status_kib "$server_pid" VmHWM)
  local rss_after; rss_after=$(status_kib "$server_pid" VmRSS)
  wait "$flood_pid"
  rc=$?
  flood_pid=""
  ((rc == 0)) || refused "$name" "one flooding client of $flood_size B frames" "$rc" "$flood_out"
  local flood; flood=$(grep '^summary ' "$flood_out")
  # The peak over the whole flood, which may outlast the echo run by a few seconds.
  local peak_end; peak_end=$(status_kib "$server_pid" VmHWM)
  ((peak_end > peak_kib)) && peak_kib=$peak_end
  stop_server

  local p99_loaded; p99_loaded=$(summary_field latency_p99_us "$loaded")
  local mib_per_s; mib_per_s=$(summary_field mib_per_s "$flood")
  local closed; closed=$(summary_field server_closed "$flood")
  local close_at; close_at=$(summary_field first_close_seconds "$flood")
  local close_kind; close_kind=$(summary_field close_kind "$flood")
  local ended="no"
  ((closed > 0)) && ended="$close_kind after $close_at s"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$idle_kib" "$peak_kib" \
    "$mib_per_s" "$ended" "$p99_unloaded" "$p99_loaded" "$hwm_reset" \
    "$(summary_field msg_per_s "$unloaded")" "$(summary_field msg_per_s "$loaded")" >>"$RESULTS"
  log "$name: peak RSS $peak_kib KiB (idle $idle_kib, after $rss_after), flood $mib_per_s MiB/s" \
    "(server ended it: $ended), p99 $p99_unloaded -> $p99_loaded us"
}

# ---- table ---------------------------------------------------------------------------------
print_table() {
  echo "### Backpressure $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; kernel $(uname -r)."
  echo "One client floods ${flood_size}-byte frames and never reads, for $((seconds + 6)) s;" \
    "$clients echo clients of $size B run ${seconds} s inside it (after 1 s of warm-up), and" \
    "${seconds} s alone before it."
  echo
  echo "| server | idle RSS ($((clients + 1)) conns) | peak RSS above idle | flood accepted | server ended the flood | unloaded p99 | loaded p99 | ratio | echo msg/s unloaded → loaded | issue 18 limits (< 64 MiB, < 10×) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  local name idle peak mib ended p99u p99l reset rate_u rate_l
  while IFS=$'\t' read -r name idle peak mib ended p99u p99l reset rate_u rate_l; do
    awk -v n="$name" -v i="$idle" -v p="$peak" -v m="$mib" -v e="$ended" -v u="$p99u" \
      -v l="$p99l" -v r="$reset" -v ru="$rate_u" -v rl="$rate_l" 'BEGIN {
        above = (p - i) / 1024; ratio = (u > 0) ? l / u : 0
        verdict = "–"
        if (n ~ /^restws/) verdict = (above < 64 && ratio < 10) ? "met" : "**not met**"
        printf "| %s | %.1f MiB | %.1f MiB%s | %.1f MiB/s | %s | %.2f ms | %.2f ms | %.1f× | %.1fk → %.1fk | %s |\n",
          n, i / 1024, above, (r == "yes" ? "" : " (peak since start)"), m, e, u / 1000,
          l / 1000, ratio, ru / 1000, rl / 1000, verdict }'
  done <"$RESULTS"
}

for entry in "${servers[@]}"; do run_server "$entry"; done
table=$(print_table)
echo "$table"
echo "$table" >"$RESULTS_DIR/table.md"
[[ -n "$output" ]] && echo "$table" >"$output"
log "raw results and logs in $RESULTS_DIR"
