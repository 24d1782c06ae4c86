#!/usr/bin/env bash
# Where io_uring batching starts to pay: bench/echo_server with plain system calls
# (--no-io-uring) and with io_uring (--io-uring), interleaved, on the echo workload, while every
# system call the server makes is made dearer by a seccomp filter (syscall_tax, see its source).
# ws_settings_t::io_uring's default (automatic) batches from the cost this finds worth it.
#
#   bench/profile/io_uring_sweep.sh [--rounds R] [--taxes "none 0 1000 2000 4000"]
#                                   [--shapes "100x20 1000x20 100x1024 100x16384"] [--messages M]
#
# "none" runs the server as it is; a number is syscall_tax's N. Each run echoes M messages (a
# quarter as many at 16 KiB), bounded by a 120 s timeout. Prints medians of R rounds: the
# getppid() cost under each tax, messages/s and the server's CPU µs per message, and io_uring
# against plain. Needs the bench preset's build (it builds nothing).
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$ROOT/build/bench/bench
rounds=3
taxes="none 0 1000 2000 4000"
shapes="100x20 1000x20 100x1024 100x16384"
messages=400000
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --taxes) taxes=$2; shift 2 ;;
    --shapes) shapes=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds R] [--taxes LIST] [--shapes LIST] [--messages M]" >&2; exit 2 ;;
  esac
done
for tool in echo_server/echo_server ws_load syscall_tax; do
  [[ -x $B/$tool ]] || { echo "missing $B/$tool: cmake --build --preset bench" >&2; exit 1; }
done

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# run TAX MODE CONNECTIONS SIZE MESSAGES -> "msg/s us/msg"
run() {
  local tax=$1 mode=$2 c=$3 s=$4 m=$5 port pid
  port=$(free_port)
  "$B/syscall_tax" "$tax" "$B/echo_server/echo_server" --port "$port" "--$mode" > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  local u0 s0 u1 s1 rate
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  rate=$(timeout 120 "$B/ws_load" --connections "$c" --size "$s" --seconds 100 \
           --max-messages "$m" --host 127.0.0.1 --port "$port" | tail -1 |
         grep -o 'msg_per_s=[0-9.]*' | cut -d= -f2)
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  kill -TERM "$pid"; wait "$pid" 2> /dev/null
  awk -v r="${rate:-0}" -v t=$((u1 - u0 + s1 - s0)) -v m="$m" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f %.2f\n", r, t / hz / m * 1e6 }'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; ++r)); do
  for tax in $taxes; do
    for shape in $shapes; do
      c=${shape%x*}; s=${shape#*x}; m=$messages
      ((s >= 16384)) && m=$((messages / 4))
      for mode in no-io-uring io-uring; do
        echo "$tax $shape $mode $(run "$tax" "$mode" "$c" "$s" "$m")" >> "$results"
      done
    done
  done
  echo "round $r of $rounds done" >&2
done

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "| tax N | getppid | shape | plain msg/s | plain µs/msg | io_uring msg/s | io_uring µs/msg | io_uring msg/s vs plain |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
for tax in $taxes; do
  ns=$("$B/syscall_tax" "$tax" --measure)
  for shape in $shapes; do
    pr=$(awk -v t="$tax" -v sh="$shape" '$1 == t && $2 == sh && $3 == "no-io-uring" {print $4}' "$results" | median)
    pc=$(awk -v t="$tax" -v sh="$shape" '$1 == t && $2 == sh && $3 == "no-io-uring" {print $5}' "$results" | median)
    ur=$(awk -v t="$tax" -v sh="$shape" '$1 == t && $2 == sh && $3 == "io-uring" {print $4}' "$results" | median)
    uc=$(awk -v t="$tax" -v sh="$shape" '$1 == t && $2 == sh && $3 == "io-uring" {print $5}' "$results" | median)
    awk -v t="$tax" -v ns="$ns" -v sh="$shape" -v pr="$pr" -v pc="$pc" -v ur="$ur" -v uc="$uc" \
      'BEGIN { printf "| %s | %s ns | %s | %.1fk | %.2f | %.1fk | %.2f | %.2f× |\n",
               t, ns, sh, pr / 1000, pc, ur / 1000, uc, (pr > 0 ? ur / pr : 0) }'
  done
done
