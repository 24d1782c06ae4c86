#!/bin/bash
# Where the time of an echoed WebSocket message goes in echo_server (docs/benchmarks.md, "Where
# the time goes"). Run from the repository root after
#   cmake --preset bench && cmake --build --preset bench -j2 --target echo_server ws_load
#
#   bench/profile/echo_profile.sh instr [CONNECTIONS SIZE SHORT LONG]   (default 100 20 2000 22000)
#     echo_server under callgrind twice, SHORT then LONG echoes through ws_load; prints the user-space
#     instructions per echoed message and the top functions (inclusive, then exclusive).
#   bench/profile/echo_profile.sh syscalls [CONNECTIONS SIZE MESSAGES]  (default 100 20 200000)
#     counts the server's recvfrom (and those failing with EAGAIN), sendmsg/sendto, epoll_wait and epoll_ctl
#     calls with perf tracepoints (works without hardware counters), and its user/system CPU time.
#     Set SERVER="cmd ..." and PORT to measure another server (e.g. uWebSockets' EchoServer).
#   bench/profile/echo_profile.sh kernel [CONNECTIONS SIZE MESSAGES]    (default 100 20 400000)
#     the server's CPU per message split into kernel and user space: its total CPU time from
#     /proc, shared out by where perf's cpu-clock samples fell (works without hardware counters;
#     the tick-based user/system split of /proc is too coarse for this). SERVER and PORT as above.
#   ECHO_ARGS: echo_server's extra arguments (default --no-io-uring: under callgrind a system call
#     looks dear, and the default io_uring_mode_t::automatic would batch; --io-uring for that path).
#
# Loopback only; every run is bounded (timeout). Outputs go to build/bench/profile/.
set -euo pipefail
B=build/bench/bench
ECHO_ARGS=${ECHO_ARGS---no-io-uring}
OUT=build/bench/profile
mkdir -p "$OUT"
mode=${1:-instr}

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "server did not listen on $1" >&2; return 1
}

callgrind_run() {  # connections size messages tag
  local port; port=$(free_port)
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$4.out" \
    "$B/echo_server/echo_server" --port "$port" $ECHO_ARGS 2> "$OUT/valgrind.$4.log" &
  local pid=$!
  wait_port "$port"
  timeout 600 "$B/ws_load" --connections "$1" --size "$2" --seconds 500 --max-messages "$3" \
    --host 127.0.0.1 --port "$port" > "$OUT/ws_load.$4.txt"
  kill -TERM "$pid"; wait "$pid"
}

# Runs the server (SERVER on PORT, or echo_server) under ws_load for $3 echoes of $2 bytes over
# $1 connections, while the command after them (perf, given "-p <server pid>") watches it. Sets
# cpu_user and cpu_sys: the server's CPU clock ticks during the load.
watched_load() {
  local c=$1 s=$2 m=$3
  shift 3
  local port=${PORT:-$(free_port)}
  local server=${SERVER:-$B/echo_server/echo_server --port $port $ECHO_ARGS}
  $server > /dev/null 2>&1 &
  local pid=$!
  wait_port "$port"
  timeout 300 "$@" -p "$pid" > /dev/null 2>&1 &
  local perf_pid=$!
  sleep 0.5
  local u0 s0 u1 s1
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  timeout 300 "$B/ws_load" --connections "$c" --size "$s" --seconds 200 --max-messages "$m" \
    --host 127.0.0.1 --port "$port" | tail -1
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  kill -TERM "$pid"; wait "$pid" || true
  cpu_user=$((u1 - u0))
  cpu_sys=$((s1 - s0))
}

case "$mode" in
  instr)
    c=${2:-100}; s=${3:-20}; short=${4:-2000}; long=${5:-22000}
    callgrind_run "$c" "$s" "$short" "${c}x${s}.short"
    callgrind_run "$c" "$s" "$long" "${c}x${s}.long"
    d=$((long - short))
    bench/profile/callgrind_diff.py "$OUT/callgrind.${c}x${s}.short.out" \
      "$OUT/callgrind.${c}x${s}.long.out" "$d" --top 25
    echo "--- exclusive"
    bench/profile/callgrind_diff.py "$OUT/callgrind.${c}x${s}.short.out" \
      "$OUT/callgrind.${c}x${s}.long.out" "$d" --exclusive --top 25
    ;;
  syscalls)
    watched_load "${2:-100}" "${3:-20}" "${4:-200000}" perf stat -o "$OUT/perf.syscalls.txt" \
      -e syscalls:sys_exit_recvfrom --filter 'ret == -11' \
      -e syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendto \
      -e syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_ctl \
      -e syscalls:sys_enter_io_uring_enter
    m=${4:-200000}
    hz=$(getconf CLK_TCK)
    awk -v u="$cpu_user" -v s="$cpu_sys" -v m="$m" -v hz="$hz" 'BEGIN {
      printf "server CPU per message: user %.2f us, system %.2f us (perf tracing adds to system)\n",
             u / hz / m * 1e6, s / hz / m * 1e6 }'
    awk -v m="$m" '/syscalls:/ { gsub(",", "", $1); printf "%-40s %8.3f per message\n", $2, $1 / m }' \
      "$OUT/perf.syscalls.txt"
    echo "(the sys_exit_recvfrom line counts only the calls that failed with EAGAIN)"
    ;;
  kernel)
    watched_load "${2:-100}" "${3:-20}" "${4:-400000}" \
      perf record -q -e cpu-clock -F 1000 -o "$OUT/perf.kernel.data"
    kernel=$(perf report -i "$OUT/perf.kernel.data" --sort dso --stdio 2> /dev/null |
      awk '/%/ && /\[kernel/ { gsub("%", "", $1); k += $1 } END { print k + 0 }')
    awk -v cpu=$((cpu_user + cpu_sys)) -v m="${4:-400000}" -v hz="$(getconf CLK_TCK)" -v k="$kernel" 'BEGIN {
      t = cpu / hz / m * 1e6
      printf "server CPU per message: %.2f us, of which kernel %.2f us (%.1f %% of the samples), user %.2f us\n",
             t, t * k / 100, k, t * (100 - k) / 100 }'
    ;;
  *) echo "usage: $0 instr|syscalls|kernel [...]" >&2; exit 2 ;;
esac
