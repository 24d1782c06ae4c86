#!/usr/bin/env bash
# Compares restws with Boost.Beast (and optional peers) on the workloads of docs/benchmarks.md:
#   bench/compare.sh http   HTTP hello through wrk -t1 -c100 -dTs --latency
#   bench/compare.sh ws     WebSocket echo through ws_load (100x20 B, 100x1 KiB; --full adds more)
#   bench/compare.sh idle   server memory per idle WebSocket (ws_load --idle, 10 000 connections)
#   bench/compare.sh all    all three (the default)
#   bench/compare.sh handshakes  connections per second: ws_load --handshakes, each of 100 slots
#                           repeating connect, (TLS,) upgrade, one 1 KiB echo, close; server CPU
#                           per connection (not part of `all`)
#   bench/compare.sh instr  server instructions per message / request under callgrind: exact
#                           and repeatable on a noisy machine (one round is enough; slow servers)
#   bench/compare.sh fanout topics: 1 publisher, 1000 subscribers, 100 B (ws_load --fanout) on
#                           bench/fanout_server and uWebSockets' publish() (UWS_FANOUT_SERVER),
#                           1 and 2 server threads; deliveries/s, server CPU per delivery, ratios
#                           against uWS per round; --instr adds callgrind instructions per
#                           delivery (bench/lib/fanout.sh; not part of `all`)
# Rounds are interleaved (A B A B A B); each server starts fresh per run and is killed after it.
# Prints a markdown table of medians, with ratios against Beast. Everything is bounded in time.
# Builds ws_load (preset bench), restws's example servers when they exist, and the Beast peers
# (bench/peers, Debian's Boost, into build/peers). Never downloads or builds other third-party code.
#
# Options:
#   --rounds N        interleaved rounds (default 3)
#   --seconds T       length of each measured run (default 10)
#   --full            WebSocket shapes 100x20 100x1024 100x16384 1000x20 (default: the first two)
#   --shapes "CxS ..." WebSocket shapes, connections x bytes (e.g. "100x20 1000x20")
#   --servers LIST    comma-separated subset of: beast,restws,uws (default: all that exist)
#   --beast-twice     also run a second Beast instance as if it were another server (noise check)
#   --no-build        use the binaries as they are
#   --idle-connections N   connections for the idle workload (default 10000)
#   --ws-path PATH    WebSocket path (default /chat, the seed's; Beast and uWS take any path)
#   --output FILE     also write the tables (markdown) to FILE
#   --subscribers N, --messages M, --window W, --threads-list "1 2", --instr
#                     fanout mode: subscribers (1000), messages per run (20000; a run is bounded
#                     by them, and by 240 s), ws_load's --fanout-window (32), server thread
#                     counts, callgrind rows
#   --netns           run in a private network namespace (unshare -n; needs root): no clash with
#                     other servers on this machine, e.g. for examples that only listen on 8080
#   --deflate         permessage-deflate on, for the ws and idle workloads: ws_load offers it (as
#                     browsers do), sends bench/corpus/messages_1k.jsonl's JSON lines (shape
#                     "100xjson", the default then) compressed, inflates and checks each echo;
#                     the servers run with compression on: restws --deflate (no context kept,
#                     its default), "restws context" (--deflate-context), "restws level 6"
#                     (uWebSockets' fixed zlib level), Beast --deflate,
#                     UWS_WS_SERVER (and UWS_WS_SHARED_SERVER as "uWebSockets shared") must be
#                     uWebSockets builds that compress what they send. The tables add each
#                     server's compression ratio (its echoes' bytes over the JSON's). With
#                     UWS_LOAD_TEST, load_test (deflate on, 1 KiB of repeated JSON) measures
#                     "compressed in, plain out": restws --deflate-min-size 1 GiB against
#                     UWS_WS_INFLATE_SERVER (uWebSockets' EchoServer as it is: it never compresses)
#   --tls             wss:// for the ws, idle and handshakes workloads (`all`: ws and idle): the
#                     servers are restws's echo server with --tls-cert/--tls-key and uWebSockets'
#                     EchoServer_ssl (the idle rows also its low-memory build); no Beast rows (its
#                     peers have no TLS). ws_load --tls (SNI localhost) and, when present,
#                     uWebSockets' load_test_ssl load them. Shapes 100x1024 100x16384 by default.
#                     The certificate and key restws gets: RESTWS_TLS_CERT and RESTWS_TLS_KEY,
#                     else an RSA 2048 pair (the key type of uWebSockets' example certificates)
#                     made with `openssl req` in a temporary directory, removed at exit. For the
#                     same pair as uWebSockets, RESTWS_TLS_CERT=/work/peers/certs/cert.pem
#                     RESTWS_TLS_KEY=/work/peers/certs/key.pem. Not with --deflate.
# Environment:
#   RESTWS_HTTP_SERVER  restws HTTP hello command (default build/bench/examples/hello)
#   RESTWS_WS_SERVER    restws WebSocket echo command (default bench/echo_server, i.e.
#                       build/bench/bench/echo_server/echo_server: it upgrades on any path, as
#                       both load generators need; load_test always asks for "/", so
#                       examples/ws_echo, which upgrades only /chat, cannot be measured by it)
#   RESTWS_WS_IO_URING_SERVER  restws with ws_settings_t::io_uring on, measured as "restws io_uring"
#                       (default: RESTWS_WS_SERVER --io-uring when that is bench/echo_server;
#                       "restws" itself runs the library's default, io_uring_mode_t::automatic,
#                       which batches only where a system call takes 300 ns or more)
#   RESTWS_WS_CORO_SERVER  restws's echo through coroutines (ws_stream_t), "restws coroutines"
#                       (default: RESTWS_WS_SERVER --coroutines when that is bench/echo_server)
#   RESTWS_WS_PLAIN_SERVER  restws with io_uring off, measured as "restws plain" (default:
#                       RESTWS_WS_SERVER --no-io-uring when that is bench/echo_server)
#   UWS_HTTP_SERVER, UWS_WS_SERVER   uWebSockets HelloWorld / EchoServer binaries (optional)
#   UWS_LOAD_TEST       uWebSockets' load_test client: a second opinion on every WebSocket server
#   UWS_FANOUT_SERVER   fanout mode: uWebSockets' fan-out peer, taking --port N --threads T
#                       (default /work/peers/bin/uws_fanout; missing: the run fails);
#                       RESTWS_FANOUT_SERVER (default bench/fanout_server's binary)
#   With --tls: UWS_WS_SSL_SERVER (default /work/peers/bin/EchoServer_ssl, port UWS_WS_SSL_PORT
#   =9001), UWS_WS_SSL_LOWMEM_SERVER (default /work/peers/bin/EchoServer_ssl_lowmem, idle rows),
#   UWS_LOAD_TEST_SSL (default /work/peers/bin/load_test_ssl, run as "CONNS HOST PORT 1 0 SIZE";
#   left out with a note when the default is missing), RESTWS_TLS_CERT / RESTWS_TLS_KEY (above).
#   *_PORT (RESTWS_HTTP_PORT, RESTWS_WS_PORT, UWS_HTTP_PORT=3000, UWS_WS_PORT=9001): a server
#   that listens on a fixed port. Otherwise the command gets "--port N" appended, or "{port}" in
#   the command is replaced by N. The default HTTP example, when its source never mentions
#   --port, is taken to listen on the seed's 8080. The seed's examples/ws_echo (/chat on 8080 only) is
#   measured by ws_load alone: RESTWS_WS_SERVER=build/bench/examples/ws_echo RESTWS_WS_PORT=8080
#   with --netns and without UWS_LOAD_TEST.
# A WebSocket server that refuses a load generator (a failed handshake or an answer other than
# 101, no echo, a dropped connection, a mismatch) fails the whole run: a message naming the
# server, the generator and what happened, and exit status 1. No figure is printed for it.
# So does a server that is not there (its binary missing: --servers leaves it out) or does not
# start (its fixed port taken, it exits, or it does not accept within 10 s), or one on a fixed
# port that another process listens on too (uWebSockets listens with SO_REUSEPORT: a stray
# instance would take part of the load; `ss -ltnp` is checked before and after it starts).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# shellcheck source=bench/lib/servers.sh
source bench/lib/servers.sh
# shellcheck source=bench/lib/fanout.sh
source bench/lib/fanout.sh
reexec_in_netns "$@"

mode=all
deflate=0
tls=0
rounds=3
seconds=10
shapes="100x20 100x1024"
shapes_given=0
only_servers=""
beast_twice=0
build=1
output=""
idle_connections=10000
ws_path=/chat
RESTWS_WS_DEFAULT=build/bench/bench/echo_server/echo_server
ws_server=${RESTWS_WS_SERVER:-$RESTWS_WS_DEFAULT}
while [[ $# -gt 0 ]]; do
  case "$1" in
    http | ws | idle | all | instr | handshakes | fanout) mode=$1 ;;
    --subscribers) fanout_subscribers=$2; shift ;;
    --messages) fanout_messages=$2; shift ;;
    --window) fanout_window=$2; shift ;;
    --threads-list) fanout_threads=$2; shift ;;
    --instr) fanout_instr=1 ;;
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --full) shapes="100x20 100x1024 100x16384 1000x20" ;;
    --shapes) shapes=$2; shapes_given=1; shift ;;
    --servers) only_servers=$2; shift ;;
    --beast-twice) beast_twice=1 ;;
    --no-build) build=0 ;;
    --idle-connections) idle_connections=$2; shift ;;
    --ws-path) ws_path=$2; shift ;;
    --deflate) deflate=1 ;;
    --tls) tls=1 ;;
    --output) output=$2; shift ;;
    --netns) ;;  # handled above
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$seconds" =~ ^[1-9][0-9]*$ &&
  "$idle_connections" =~ ^[1-9][0-9]*$ ]] || {
  echo "compare.sh: --rounds, --seconds, --idle-connections take positive integers" >&2; exit 2; }
for n in "$fanout_subscribers" "$fanout_messages" "$fanout_window" $fanout_threads; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] ||
    { echo "compare.sh: --subscribers, --messages, --window, --threads-list take positive integers" >&2; exit 2; }
done
[[ $mode == fanout ]] || ! ((fanout_instr)) || { echo "compare.sh: --instr is for the fanout mode (see instr)" >&2; exit 2; }
[[ $mode != fanout ]] || ! ((deflate || tls)) || { echo "compare.sh: fanout has no --deflate or --tls" >&2; exit 2; }
((deflate && !shapes_given)) && shapes="100xjson"
((tls && !shapes_given)) && shapes="100x1024 100x16384"  # the sizes of the TLS issue
# handshakes: one shape unless told (each slot does one echo per connection)
handshake_shapes="100x1024"
((shapes_given)) && handshake_shapes=$shapes
for shape in $shapes; do
  [[ "$shape" =~ ^[1-9][0-9]*x([0-9]+|json)$ ]] || { echo "compare.sh: bad shape: $shape" >&2; exit 2; }
  [[ $shape != *json || $deflate == 1 ]] || { echo "compare.sh: shape $shape needs --deflate" >&2; exit 2; }
done
((deflate)) && [[ $mode == http || $mode == instr || $mode == handshakes ]] &&
  { echo "compare.sh: --deflate is for the ws and idle workloads" >&2; exit 2; }
((tls)) && [[ $mode == http || $mode == instr ]] &&
  { echo "compare.sh: --tls is for the ws, idle and handshakes workloads" >&2; exit 2; }
((tls && deflate)) && { echo "compare.sh: --tls and --deflate together are not measured" >&2; exit 2; }
for shape in $handshake_shapes; do
  [[ $mode != handshakes || $shape =~ ^[1-9][0-9]*x[0-9]+$ ]] ||
    { echo "compare.sh: bad handshakes shape: $shape" >&2; exit 2; }
done
CORPUS=bench/corpus/messages_1k.jsonl

WS_LOAD=build/bench/bench/ws_load
wants() {  # wants http | ws | idle | handshakes; `all` is all but handshakes (and http with --tls)
  [[ $mode == "$1" ]] && return 0
  [[ $mode == all && $1 != handshakes ]] || return 1
  ! ((tls)) || [[ $1 != http ]]
}
PEERS=build/peers
CLK_TCK=$(getconf CLK_TCK)
RESULTS_DIR=build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS_DIR"
RESULTS=$RESULTS_DIR/results.tsv
: >"$RESULTS"

# ---- building ------------------------------------------------------------------------------
build_all() {
  log "configuring and building ws_load (preset bench)"
  timeout 600 cmake --preset bench >"$RESULTS_DIR/configure.log" 2>&1 ||
    { cat "$RESULTS_DIR/configure.log" >&2; echo "compare.sh: configure failed" >&2; exit 1; }
  local targets=(ws_load)
  [[ -z "${RESTWS_HTTP_SERVER:-}" && -f examples/hello/main.cpp ]] && targets+=(hello)
  [[ "$ws_server" == "$RESTWS_WS_DEFAULT" ]] && targets+=(echo_server)
  [[ "$ws_server" == build/bench/examples/ws_echo ]] && targets+=(ws_echo)
  timeout 1800 cmake --build --preset bench -j2 --target "${targets[@]}" \
    >"$RESULTS_DIR/build.log" 2>&1 ||
    { tail -40 "$RESULTS_DIR/build.log" >&2; echo "compare.sh: build failed" >&2; exit 1; }
  log "building the Beast peers into $PEERS"
  { timeout 600 cmake -S bench/peers -B "$PEERS" -DCMAKE_BUILD_TYPE=Release &&
    timeout 1200 cmake --build "$PEERS" -j2; } >"$RESULTS_DIR/peers.log" 2>&1 ||
    { tail -40 "$RESULTS_DIR/peers.log" >&2; echo "compare.sh: peers build failed" >&2; exit 1; }
}

# ---- servers -------------------------------------------------------------------------------
# A server is "name|command|fixed port (or empty)".
server_list() {  # $1 = http | ws
  local kind=$1 list=()
  if [[ $kind == http ]]; then
    list+=("Beast|$PEERS/beast_http_hello|")
    ((beast_twice)) && list+=("Beast (again)|$PEERS/beast_http_hello|")
    # Under callgrind a system call looks dear (as for the WebSocket server below): the default
    # hello is told to use plain calls there.
    local http_plain=""
    [[ $mode == instr && -z "${RESTWS_HTTP_SERVER:-}" ]] && http_plain=" --io-uring off"
    list+=("restws|${RESTWS_HTTP_SERVER:-build/bench/examples/hello}$http_plain|$(
      fixed_port "${RESTWS_HTTP_SERVER:-}" "${RESTWS_HTTP_PORT:-}" hello)")
    [[ -n "${UWS_HTTP_SERVER:-}" ]] && list+=("uWebSockets|$UWS_HTTP_SERVER|${UWS_HTTP_PORT:-3000}")
  elif [[ $kind == ws_deflate ]]; then
    list+=("Beast|$PEERS/beast_ws_echo --deflate|")
    ((beast_twice)) && list+=("Beast (again)|$PEERS/beast_ws_echo --deflate|")
    list+=("restws|$ws_server --deflate|${RESTWS_WS_PORT:-}")
    if [[ "$ws_server" == */echo_server ]]; then
      list+=("restws context|$ws_server --deflate-context|")
      list+=("restws level 6|$ws_server --deflate --deflate-level 6|")  # uWebSockets' level
    fi
    [[ -n "${UWS_WS_SERVER:-}" ]] && list+=("uWebSockets|$UWS_WS_SERVER|${UWS_WS_PORT:-9001}")
    [[ -n "${UWS_WS_SHARED_SERVER:-}" ]] &&
      list+=("uWebSockets shared|$UWS_WS_SHARED_SERVER|${UWS_WS_PORT:-9001}")
  elif [[ $kind == ws_tls || $kind == ws_tls_idle ]]; then
    # wss://: restws with the pair of make_tls_pair, uWebSockets' SSL echo servers (their own
    # certificate; they listen on 9001 with SO_REUSEPORT). No Beast: its peers have no TLS.
    list+=("restws|$ws_server --tls-cert $tls_cert --tls-key $tls_key|${RESTWS_WS_PORT:-}")
    list+=("uWebSockets|${UWS_WS_SSL_SERVER:-/work/peers/bin/EchoServer_ssl}|${UWS_WS_SSL_PORT:-9001}")
    [[ $kind == ws_tls_idle ]] && list+=("uWebSockets low-mem|${UWS_WS_SSL_LOWMEM_SERVER:-/work/peers/bin/EchoServer_ssl_lowmem}|${UWS_WS_SSL_PORT:-9001}")
  elif [[ $kind == ws_inflate ]]; then
    # uWebSockets' load_test with deflate expects uncompressed echoes: servers that inflate what
    # comes and compress nothing.
    [[ "$ws_server" == */echo_server ]] &&
      list+=("restws|$ws_server --deflate --deflate-min-size 1073741824|")
    [[ -n "${UWS_WS_INFLATE_SERVER:-}" ]] &&
      list+=("uWebSockets|$UWS_WS_INFLATE_SERVER|${UWS_WS_PORT:-9001}")
  else
    list+=("Beast|$PEERS/beast_ws_echo|")
    ((beast_twice)) && list+=("Beast (again)|$PEERS/beast_ws_echo|")
    # Under callgrind a system call looks dear, so io_uring_mode_t::automatic would batch:
    # bench/echo_server is told to use plain calls there ("restws io_uring" measures the other).
    local plain=""
    [[ $mode == instr && "$ws_server" == */echo_server ]] && plain=" --no-io-uring"
    list+=("restws|$ws_server$plain|${RESTWS_WS_PORT:-}")
    # The same server with io_uring forced on, when it is bench/echo_server (--io-uring).
    local uring=${RESTWS_WS_IO_URING_SERVER:-}
    if [[ -z "$uring" && "$ws_server" == */echo_server && -z "${RESTWS_WS_PORT:-}" ]]; then
      uring="$ws_server --io-uring"
    fi
    [[ -n "$uring" ]] && list+=("restws io_uring|$uring|")
    # And with plain system calls forced (--no-io-uring): where a system call is dear, the
    # default batches, and this row shows what batching saves.
    local plain_calls=${RESTWS_WS_PLAIN_SERVER:-}
    if [[ -z "$plain_calls" && $mode != instr && "$ws_server" == */echo_server &&
      -z "${RESTWS_WS_PORT:-}" ]]; then
      plain_calls="$ws_server --no-io-uring"
    fi
    [[ -n "$plain_calls" ]] && list+=("restws plain|$plain_calls|")
    # The echo through ws_stream_t's coroutines (--coroutines), beside the callbacks' row.
    local coro=${RESTWS_WS_CORO_SERVER:-}
    if [[ -z "$coro" && "$ws_server" == */echo_server && -z "${RESTWS_WS_PORT:-}" ]]; then
      coro="$ws_server$plain --coroutines"
    fi
    [[ -n "$coro" ]] && list+=("restws coroutines|$coro|")
    [[ -n "${UWS_WS_SERVER:-}" ]] && list+=("uWebSockets|$UWS_WS_SERVER|${UWS_WS_PORT:-9001}")
  fi
  local entry name cmd key exe
  for entry in "${list[@]}"; do
    IFS='|' read -r name cmd _ <<<"$entry"
    key=$(server_key "$name")
    if [[ -n "$only_servers" && ",$only_servers," != *",$key,"* ]]; then continue; fi
    exe=${cmd%% *}
    # A server asked for (by default or by env) that is not there fails the run: a table
    # without it would read as if it had been measured elsewhere. --servers leaves it out.
    if [[ ! -x "$exe" ]]; then
      fail_run "$kind: $name server '$exe' not found (not built? --servers leaves it out)"
    fi
    echo "$entry"
  done
}

server_key() {  # "Beast (again)" -> beast, "uWebSockets" -> uws
  case "$1" in Beast*) echo beast ;; restws*) echo restws ;; uWebSockets*) echo uws ;; esac
}

server_tag() {  # a file-name tag: beast, beast2 (the second Beast), restws, uws
  local key; key=$(server_key "$1")
  [[ $1 == *again* ]] && key+=2
  [[ $1 == *io_uring* ]] && key+=-uring
  [[ $1 == *plain* ]] && key+=-plain
  [[ $1 == *context* ]] && key+=-context
  [[ $1 == *shared* ]] && key+=-shared
  [[ $1 == *"level 6"* ]] && key+=-level6
  [[ $1 == *low-mem* ]] && key+=-lowmem
  [[ $1 == *coroutines* ]] && key+=-coro
  ((deflate)) && key+=-deflate
  ((tls)) && key+=-tls
  echo "$key"
}

# ---- TLS certificate (--tls) ----------------------------------------------------------------
# The pair restws's echo server gets: RESTWS_TLS_CERT and RESTWS_TLS_KEY, else one made now
# (RSA 2048, CN=localhost, valid 2 days) in a temporary directory removed at exit: no private key
# is ever kept or committed.
tls_cert="" tls_key="" tls_dir="" tls_what=""
make_tls_pair() {
  if [[ -n "${RESTWS_TLS_CERT:-}${RESTWS_TLS_KEY:-}" ]]; then
    tls_cert=${RESTWS_TLS_CERT:-} tls_key=${RESTWS_TLS_KEY:-}
    [[ -r "$tls_cert" && -r "$tls_key" ]] ||
      fail_run "RESTWS_TLS_CERT ('$tls_cert') and RESTWS_TLS_KEY ('$tls_key') must both be readable files"
    tls_what="$tls_cert"
  else
    command -v openssl >/dev/null ||
      fail_run "--tls: the openssl command is needed to make a certificate (or set RESTWS_TLS_CERT/KEY)"
    tls_dir=$(mktemp -d /tmp/compare-tls.XXXXXX) || fail_run "--tls: mktemp failed"
    tls_cert=$tls_dir/cert.pem tls_key=$tls_dir/key.pem
    timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls_key" -out "$tls_cert" \
      -days 2 -subj /CN=localhost >"$tls_dir/openssl.log" 2>&1 ||
      fail_run "--tls: openssl req failed: $(tail -c 300 "$tls_dir/openssl.log" | tr '\n' ' ')"
    tls_what="made for this run"
  fi
  local key
  key=$(openssl x509 -in "$tls_cert" -noout -text 2>/dev/null |
    sed -n 's/^ *Public Key Algorithm: *//p; s/^ *Public-Key: *//p' | paste -sd' ' -)
  tls_what="${key:-unknown key}, $tls_what"
  log "TLS: restws gets $tls_cert ($tls_what)"
}
remove_tls_pair() { [[ -z "$tls_dir" ]] || rm -rf "$tls_dir"; }

trap 'stop_server; remove_tls_pair' EXIT
trap 'stop_server; remove_tls_pair; exit 130' INT TERM

# ---- workloads -----------------------------------------------------------------------------
to_ms() {  # wrk latency "1.23ms" / "850.00us" / "1.01s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print "nan" }'
}

run_http() {  # $1 = entry, $2 = round
  local name; IFS='|' read -r name _ <<<"$1"
  local tag
  tag="http-$(server_tag "$name")-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  local c0 c1 out="$RESULTS_DIR/$tag.wrk.txt"
  c0=$(cpu_ticks "$server_pid")
  timeout $((seconds + 30)) wrk -t1 -c100 -d"${seconds}s" --latency \
    "http://127.0.0.1:$server_port/" >"$out" 2>&1
  local rc=$?
  c1=$(cpu_ticks "$server_pid")
  stop_server
  if ((rc != 0)); then
    fail_run "HTTP server $name: wrk failed (rc $rc, round $2): $(tail -c 300 "$out" | tr '\n' ' ')" \
      "Output: $out"
  fi
  local rps p50 p99 requests errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  requests=$(awk '/requests in/ {print $1}' "$out")
  errors=$(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' ' | paste -sd';' -)
  # Answers other than 2xx are not a hello server's throughput: the run fails. Socket errors
  # (timeouts under load) are noted.
  if grep -q 'Non-2xx' "$out"; then
    fail_run "HTTP server $name answered wrk (round $2) with non-2xx responses: $errors." \
      "Output: $out; server log: ${out%.wrk.txt}.server.log"
  fi
  [[ -n "$errors" ]] && note "$name round $2: wrk reports: $errors"
  local us_per_req
  us_per_req=$(awk -v d=$((c1 - c0)) -v t="$CLK_TCK" -v n="${requests:-0}" \
    'BEGIN { if (n > 0) printf "%.2f", d / t * 1e6 / n; else print "nan" }')
  printf 'http\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$rps" "$p50" "$p99" "$us_per_req" \
    >>"$RESULTS"
  log "http $name round $2: $rps req/s, p50 $p50 ms, p99 $p99 ms, $us_per_req us/req"
}

run_ws() {  # $1 = entry, $2 = round, $3 = shape (CxS)
  local name; IFS='|' read -r name _ <<<"$1"
  local conns=${3%x*} size=${3#*x}
  local tag
  tag="ws-$(server_tag "$name")-$3-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  local out="$RESULTS_DIR/$tag.ws_load.txt" what=(--size "$size")
  [[ $size == json ]] && what=(--corpus "$CORPUS")
  ((deflate)) && what+=(--deflate)
  what+=("${tls_flags[@]}")
  timeout $((seconds + 60)) "$WS_LOAD" --connections "$conns" "${what[@]}" \
    --seconds "$seconds" --host 127.0.0.1 --port "$server_port" --path "$ws_path" \
    --server-pid "$server_pid" \
    >"$out" 2>&1
  local rc=$?
  stop_server
  local summary
  summary=$(grep '^summary ' "$out")
  if ((rc != 0)) || [[ -z "$summary" ]]; then
    refused "$1" "ws_load${tls_flags[*]:+ ${tls_flags[0]}}" "$3, round $2" \
      "$(ws_load_failure "$rc" "$out")" "$out"
  fi
  local rate us peak echo_ratio
  rate=$(summary_field msg_per_s "$summary")
  us=$(summary_field server_us_per_msg "$summary")
  peak=$(summary_field server_peak_rss_kib "$summary")
  echo_ratio=$(summary_field echo_ratio "$summary")
  if ((deflate)) && [[ $(summary_field echo_compressed "$summary") == 0 ]]; then
    refused "$1" ws_load "$3, round $2" "it agreed permessage-deflate but compressed no echo" "$out"
  fi
  printf 'ws\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$3" "$rate" "$us" "$peak" \
    "${echo_ratio:-na}" >>"$RESULTS"
  local ratio_note=""
  ((deflate)) && ratio_note=", compression ratio $echo_ratio"
  log "ws $3 $name round $2: $rate msg/s, $us us/msg, peak RSS $peak KiB$ratio_note"
}

summary_field() {  # $1 = key, $2 = ws_load summary line
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

# A WebSocket server refused a load generator: no figure for it, the whole run fails.
refused() {  # $1 = entry, $2 = generator, $3 = what ran, $4 = what happened, $5 = its output
  local name cmd
  IFS='|' read -r name cmd _ <<<"$1"
  fail_run "WebSocket server $name ($cmd) refused $2 ($3): $4." \
    "Output: $5; server log: ${5%.*.txt}.server.log"
}

# What went wrong in a ws_load run, from its summary and its own messages (three different ones).
ws_load_failure() {  # $1 = exit status, $2 = output
  local summary what
  summary=$(grep '^summary ' "$2")
  if [[ -z "$summary" ]]; then
    what="ws_load exited with status $1 and no summary"
  else
    what="$(summary_field established "$summary") of $(summary_field connections "$summary")"
    what+=" connections established, $(summary_field handshake_failures "$summary") failed"
    what+=" handshakes, $(summary_field messages "$summary") messages echoed,"
    what+=" $(summary_field errors "$summary") dropped connections,"
    what+=" $(summary_field mismatches "$summary") mismatches"
  fi
  local messages
  messages=$(sed -n 's/^ws_load: \(connection [0-9]*: \)\{0,1\}//p' "$2" | awk '!seen[$0]++' |
    head -3 | paste -sd';' -)
  echo "$what${messages:+ (ws_load: $messages)}"
}

# What went wrong in a load_test run (nothing when it went well). load_test prints every answer
# to its upgrade requests ("Response: HTTP/1.1 101 ..."), "Closed!" for each connection the server
# closes and "Msg/sec: X" every 4 s; it asks for path "/", which the server is probed with.
load_test_failure() {  # $1 = output, $2 = connections, $3 = the rate
  local upgraded other closed error
  upgraded=$(grep -c '^Response: HTTP/1.1 101' "$1")
  other=$(awk '/^Response: HTTP\// && $3 != "101" { sub(/\r$/, ""); sub(/^Response: /, "");
    print; exit }' "$1")
  closed=$(grep -c '^Closed!' "$1")
  error=$(grep -m1 '^ERROR' "$1")
  if [[ -n "$other" ]]; then
    echo "its upgrade requests (GET /) were answered '$other' instead of 101 Switching" \
      "Protocols ($upgraded of $2 upgraded; load_test always asks for /)"
  elif ((upgraded < $2)); then
    echo "$upgraded of $2 upgrade requests were answered 101; GET / is answered" \
      "'$(probe_server "$server_port" /)'"
  elif ((closed > 0)); then
    echo "the server closed $closed of $2 connections"
  elif [[ -n "$error" ]]; then
    echo "load_test: $error"
  elif ! awk -v r="$3" 'BEGIN { exit !(r != "nan" && r + 0 > 0) }'; then
    [[ $3 == nan ]] && echo "no message was echoed (no Msg/sec report after load_test's first)"
    [[ $3 != nan ]] && echo "no message was echoed (load_test counted $3 msg/s)"
  fi
}

run_idle() {  # $1 = entry, $2 = round
  local name; IFS='|' read -r name _ <<<"$1"
  local tag
  tag="idle-$(server_tag "$name")-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  local out="$RESULTS_DIR/$tag.ws_load.txt"
  local offer=() connect_timeout=30
  ((deflate)) && offer=(--deflate)
  # TLS: each connection costs the server a handshake (an RSA signature) first.
  ((tls)) && offer=("${tls_flags[@]}") connect_timeout=90
  timeout $((connect_timeout + 90)) "$WS_LOAD" --idle "${offer[@]}" \
    --connections "$idle_connections" --spread-source --seconds 2 \
    --connect-timeout "$connect_timeout" --host 127.0.0.1 --port "$server_port" --path "$ws_path" \
    --server-pid "$server_pid" >"$out" 2>&1
  local rc=$?
  stop_server
  local summary
  summary=$(grep '^summary ' "$out")
  if ((rc != 0)) || [[ -z "$summary" ]]; then
    refused "$1" "ws_load --idle${tls_flags[*]:+ ${tls_flags[0]}}" \
      "$idle_connections connections, round $2" \
      "$(ws_load_failure "$rc" "$out")" "$out"
  fi
  local per_connection rss
  per_connection=$(summary_field server_bytes_per_connection "$summary")
  rss=$(summary_field server_rss_kib "$summary")
  printf 'idle\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$idle_connections" "$per_connection" \
    "$rss" >>"$RESULTS"
  log "idle $name round $2: $per_connection bytes per connection, RSS $rss KiB"
}

# What a server answers to an upgrade request on port $1 for path $2 (plain or, with --tls, over TLS).
probe_server() {
  if ((tls)); then probe_upgrade_tls "$1" "$2"; else probe_upgrade "$1" "$2"; fi
}

run_handshakes() {  # $1 = entry, $2 = round, $3 = shape (slots x bytes)
  local name; IFS='|' read -r name _ <<<"$1"
  local conns=${3%x*} size=${3#*x}
  local tag
  tag="hs-$(server_tag "$name")-$3-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  local out="$RESULTS_DIR/$tag.ws_load.txt"
  timeout $((seconds + 60)) "$WS_LOAD" --handshakes "${tls_flags[@]}" --connections "$conns" \
    --size "$size" --seconds "$seconds" --host 127.0.0.1 --port "$server_port" \
    --path "$ws_path" --server-pid "$server_pid" >"$out" 2>&1
  local rc=$?
  stop_server
  local summary
  summary=$(grep '^summary ' "$out")
  if ((rc != 0)) || [[ -z "$summary" ]]; then
    refused "$1" "ws_load --handshakes${tls_flags[*]:+ ${tls_flags[0]}}" "$3, round $2" \
      "$(ws_load_failure "$rc" "$out")" "$out"
  fi
  local rate us p50 p99
  rate=$(summary_field cycles_per_s "$summary")
  us=$(summary_field server_us_per_cycle "$summary")
  p50=$(summary_field cycle_p50_us "$summary")
  p99=$(summary_field cycle_p99_us "$summary")
  printf 'handshakes\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$3" "$rate" "$us" "$p50" \
    "$p99" >>"$RESULTS"
  log "handshakes $3 $name round $2: $rate connections/s, $us us/connection, p50 $p50 us"
}

run_ws_load_test() {  # uWebSockets' load_test as the client; $1 = entry, $2 = round, $3 = shape
  local name; IFS='|' read -r name _ <<<"$1"
  local conns=${3%x*} size=${3#*x}
  [[ $size == json ]] && size=1024  # load_test sends its own JSON, repeated to the size
  local tag
  tag="wsuws-$(server_tag "$name")-$3-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  # load_test reports every 4 s and runs until stopped: give it 4 reports past the first.
  local out="$RESULTS_DIR/$tag.load_test.txt" duration=$((4 * 4 + 2))
  local c0 c1 t0 t1
  c0=$(cpu_ticks "$server_pid"); t0=$(date +%s.%N)
  # stdbuf: load_test uses stdio and is stopped by a signal; unflushed reports would be lost.
  timeout -s INT "$duration" stdbuf -oL "$lt_bin" "$conns" 127.0.0.1 "$server_port" "$tls" \
    "$deflate" "$size" >"$out" 2>&1
  c1=$(cpu_ticks "$server_pid"); t1=$(date +%s.%N)
  local rate us failure
  rate=$(awk '/^Msg\/sec:/ { n++; if (n > 1) { s += $2; k++ } } END {
    if (k > 0) printf "%.1f", s / k; else print "nan" }' "$out")
  failure=$(load_test_failure "$out" "$conns" "$rate")  # probes the server: before it stops
  stop_server
  [[ -z "$failure" ]] ||
    refused "$1" "uWebSockets' load_test$( ((tls)) && echo _ssl)" "$3, round $2" "$failure" "$out"
  # Steady state: server CPU share over the run divided by the rate.
  us=$(awk -v d=$((c1 - c0)) -v t="$CLK_TCK" -v a="$t0" -v b="$t1" -v r="$rate" \
    'BEGIN { if (r > 0) printf "%.3f", (d / t) / (b - a) / r * 1e6; else print "nan" }')
  printf 'ws_uws\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$3" "$rate" "$us" >>"$RESULTS"
  log "ws $3 $name (uWS load_test) round $2: $rate msg/s, $us us/msg"
}

# ---- instructions (callgrind) ------------------------------------------------------------------
# Two runs per server and workload, a short and a long one; the difference in the server's
# instruction count over the difference in work cancels start-up, handshakes and shutdown.
INSTR_BASE_MESSAGES=2000
INSTR_MESSAGES=20000

callgrind_total() {  # total instructions in callgrind output file $1
  awk '/^(summary|totals):/ { print $2; exit }' "$1" 2>/dev/null
}

instr_server() {  # $1 = entry, $2 = tag; runs $3... as the client; sets instr_total
  local entry=$1 tag=$2; shift 2
  local name; IFS='|' read -r name _ <<<"$entry"
  local cg="$RESULTS_DIR/$tag.callgrind.out"
  server_prefix="valgrind --tool=callgrind --callgrind-out-file=$cg"
  start_wait_steps=600
  stop_wait_steps=600
  start_server "$entry" "$RESULTS_DIR/$tag.server.log"
  local started=$?
  server_prefix=""
  start_wait_steps=100
  if ((started != 0)); then fail_run "server did not start under callgrind: $start_error"; fi
  "$@" "$server_port" >"$RESULTS_DIR/$tag.client.txt" 2>&1
  local rc=$?
  stop_server
  stop_wait_steps=30
  if ((rc != 0)); then
    [[ $1 == ws_instr_client ]] && refused "$entry" "ws_load under callgrind" "$tag" \
      "$(ws_load_failure "$rc" "$RESULTS_DIR/$tag.client.txt")" "$RESULTS_DIR/$tag.client.txt"
    note "$name $tag: client failed (rc $rc, $RESULTS_DIR/$tag.client.txt)"
    return 1
  fi
  instr_total=$(callgrind_total "$cg")
  [[ -n "$instr_total" ]] || { note "$name $tag: no callgrind output"; return 1; }
}

ws_instr_client() {  # $1 = connections, $2 = size, $3 = messages, $4 = port
  timeout 300 "$WS_LOAD" --connections "$1" --size "$2" --max-messages "$3" --seconds 240 \
    --connect-timeout 60 --host 127.0.0.1 --port "$4" --path "$ws_path"
}

http_instr_client() {  # $1 = seconds, $2 = port
  timeout $(($1 + 60)) wrk -t1 -c100 -d"${1}s" "http://127.0.0.1:$2/"
}

run_instr_ws() {  # $1 = entry
  local name; IFS='|' read -r name _ <<<"$1"
  local key; key=$(server_tag "$name")
  local shape conns size short long per
  for shape in $shapes; do
    conns=${shape%x*} size=${shape#*x}
    instr_server "$1" "instr-$key-$shape-short" ws_instr_client "$conns" "$size" \
      "$INSTR_BASE_MESSAGES" || continue
    short=$instr_total
    instr_server "$1" "instr-$key-$shape-long" ws_instr_client "$conns" "$size" \
      "$((INSTR_BASE_MESSAGES + INSTR_MESSAGES))" || continue
    long=$instr_total
    per=$(awk -v a="$short" -v b="$long" -v n="$INSTR_MESSAGES" \
      'BEGIN { printf "%.0f", (b - a) / n }')
    printf 'instr\t%s\t1\t%s\t%s\n' "$name" "ws $shape" "$per" >>"$RESULTS"
    log "instructions: $name ws $shape: $per per message"
  done
}

run_instr_http() {  # $1 = entry
  local name; IFS='|' read -r name _ <<<"$1"
  local key; key=$(server_tag "$name")
  local short long r_short r_long per
  instr_server "$1" "instr-$key-http-short" http_instr_client 2 || return 0
  short=$instr_total
  r_short=$(awk '/requests in/ { print $1 }' "$RESULTS_DIR/instr-$key-http-short.client.txt")
  instr_server "$1" "instr-$key-http-long" http_instr_client 6 || return 0
  long=$instr_total
  r_long=$(awk '/requests in/ { print $1 }' "$RESULTS_DIR/instr-$key-http-long.client.txt")
  per=$(awk -v a="$short" -v b="$long" -v ra="$r_short" -v rb="$r_long" \
    'BEGIN { if (rb > ra) printf "%.0f", (b - a) / (rb - ra); else print "nan" }')
  printf 'instr\t%s\t1\t%s\t%s\n' "$name" "http hello" "$per" >>"$RESULTS"
  log "instructions: $name http hello: $per per request"
}

# ---- tables --------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

column_median() {  # $1 = workload, $2 = server, $3 = shape or "", $4 = column number
  awk -F'\t' -v w="$1" -v s="$2" -v sh="$3" -v c="$4" \
    '$1 == w && $2 == s && (sh == "" || $4 == sh) { print $c }' "$RESULTS" |
    grep -v -e nan -e '^na$' -e '^$' | median
}

fmt_k() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.1fk", v / 1000 }'; }
fmt_mb() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.1f MB", v * 1024 / 1e6 }'; }
fmt() { awk -v v="$1" -v p="$2" 'BEGIN { if (v == "nan") print "–"; else printf "%.*f", p, v }'; }
fmt_ms_us() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.2f ms", v / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (a == "nan" || b == "nan" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
has_uws() { grep -q '^uWebSockets|' <<<"$1"; }  # $1 = a server list
# The median over rounds of a server's figure over uWebSockets' in the same round: the servers of
# a round run back to back, so a host that drifts between rounds moves both.
round_ratio() {  # $1 = workload, $2 = server, $3 = shape or "", $4 = column number
  awk -F'\t' -v w="$1" -v s="$2" -v sh="$3" -v c="$4" '
    $1 == w && (sh == "" || $4 == sh) && $c != "nan" && $c != "na" {
      if ($2 == s) mine[$3] = $c; else if ($2 == "uWebSockets") theirs[$3] = $c }
    END { for (r in mine) if ((r in theirs) && theirs[r] > 0) print mine[r] / theirs[r] }' "$RESULTS" |
    median | awk '{ if ($1 == "nan") print "–"; else printf "%.2f×", $1 }'
}
count_runs() { awk -F'\t' -v w="$1" -v s="$2" -v sh="$3" \
  '$1 == w && $2 == s && (sh == "" || $4 == sh)' "$RESULTS" | wc -l; }

print_tables() {
  local entry name
  echo "## Results $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; kernel $(uname -r);" \
    "load average at start: $load_at_start, at end: $(cut -d' ' -f1-3 /proc/loadavg)." \
    "$([[ $mode == instr ]] && echo "One run per figure." ||
      echo "Medians of $rounds interleaved rounds, ${seconds} s each.")"
  if wants http; then
    echo
    echo "### HTTP hello (wrk -t1 -c100 -d${seconds}s --latency)"
    echo
    local u_head="" u_rule=""
    has_uws "$http_servers" && u_head=" req/s vs uWS (per round) | µs/req vs uWS (per round) |" u_rule="---|---|"
    echo "| server | runs | requests/s | p50 | p99 | server µs/request | req/s vs Beast | µs/req vs Beast |$u_head"
    echo "|---|---|---|---|---|---|---|---|$u_rule"
    local b_rps b_us
    b_rps=$(column_median http Beast "" 4)
    b_us=$(column_median http Beast "" 7)
    while IFS= read -r entry; do
      IFS='|' read -r name _ <<<"$entry"
      local rps p50 p99 us
      rps=$(column_median http "$name" "" 4)
      p50=$(column_median http "$name" "" 5)
      p99=$(column_median http "$name" "" 6)
      us=$(column_median http "$name" "" 7)
      echo "| $name | $(count_runs http "$name" "") | $(fmt_k "$rps") | $(fmt "$p50" 2) ms" \
        "| $(fmt "$p99" 2) ms | $(fmt "$us" 2) | $(ratio "$rps" "$b_rps") | $(ratio "$us" "$b_us") |$(
          [[ -n $u_head ]] && echo " $(round_ratio http "$name" "" 4) | $(round_ratio http "$name" "" 7) |")"
    done <<<"$http_servers"
  fi
  if wants ws; then
    local workload title
    for workload in ws ws_uws; do
      [[ $workload == ws_uws && -z "$lt_bin" ]] && continue
      title="ws_load"
      [[ $workload == ws_uws ]] && title="uWebSockets' load_test$( ((tls)) && echo _ssl)"
      ((tls)) && [[ $workload == ws ]] && title="ws_load --tls"
      local servers=$ws_servers z_head="" z_rule=""
      [[ $workload == ws_uws ]] && servers=$lt_servers
      [[ -z "$servers" ]] && continue
      if ((deflate)); then
        title+=", permessage-deflate"
        [[ $workload == ws_uws ]] && title+=": compressed in, plain echo out"
        [[ $workload == ws ]] && z_head=" echo bytes / JSON bytes |" z_rule="---|"
      fi
      echo
      echo "### WebSocket echo$( ((tls)) && echo " over TLS") ($title, ${seconds} s per run)"
      ((tls)) && { echo; echo "restws's certificate: $tls_what."; }
      echo
      local u_head="" u_rule="" b_head=" msg/s vs Beast | µs/msg vs Beast |" b_rule="---|---|"
      ((tls)) && b_head="" b_rule=""  # no Beast over TLS
      has_uws "$servers" && u_head=" msg/s vs uWS (per round) | µs/msg vs uWS (per round) |" u_rule="---|---|"
      echo "| shape | server | runs | messages/s | server µs/message |$b_head peak RSS |$u_head$z_head"
      echo "|---|---|---|---|---|$b_rule---|$u_rule$z_rule"
      local shape
      for shape in $shapes; do
        local b_rate b_us
        b_rate=$(column_median "$workload" Beast "$shape" 5)
        b_us=$(column_median "$workload" Beast "$shape" 6)
        while IFS= read -r entry; do
          IFS='|' read -r name _ <<<"$entry"
          local rate us peak
          rate=$(column_median "$workload" "$name" "$shape" 5)
          us=$(column_median "$workload" "$name" "$shape" 6)
          peak=$(column_median "$workload" "$name" "$shape" 7)
          local label="${shape#*x} B"
          [[ $shape == *json ]] && label="JSON ~1 KiB"
          [[ $shape == *json && $workload == ws_uws ]] && label="1 KiB JSON"
          echo "| ${shape%x*} × $label | $name | $(count_runs "$workload" "$name" "$shape")" \
            "| $(fmt_k "$rate") | $(fmt "$us" 2) |$([[ -n $b_head ]] &&
              echo " $(ratio "$rate" "$b_rate") | $(ratio "$us" "$b_us") |")" \
            "$(fmt_mb "$peak") |$([[ -n $u_head ]] &&
              echo " $(round_ratio "$workload" "$name" "$shape" 5) | $(round_ratio "$workload" "$name" "$shape" 6) |")$(
              [[ -n $z_head ]] && echo " $(fmt "$(column_median "$workload" "$name" "$shape" 8)" 3) |")"
        done <<<"$servers"
      done
    done
  fi
  if [[ $mode == instr ]]; then
    echo
    echo "### Server instructions per message / request (callgrind)"
    echo
    echo "User-space instructions only (the kernel's share is not counted), from the difference"
    echo "between a short and a long run: $INSTR_MESSAGES messages (ws_load --max-messages), or"
    echo "the requests wrk made in 4 more seconds."
    echo
    echo "| workload | server | instructions | vs Beast |"
    echo "|---|---|---|---|"
    local workload_name b_instr instr
    while IFS= read -r workload_name; do
      b_instr=$(column_median instr Beast "$workload_name" 5)
      while IFS= read -r name; do
        instr=$(column_median instr "$name" "$workload_name" 5)
        echo "| $workload_name | $name | $(fmt "$instr" 0) | $(ratio "$instr" "$b_instr") |"
      done < <(awk -F'\t' -v w="$workload_name" '$1 == "instr" && $4 == w { print $2 }' "$RESULTS" |
        awk '!seen[$0]++')
    done < <(awk -F'\t' '$1 == "instr" { print $4 }' "$RESULTS" | awk '!seen[$0]++')
  fi
  if wants idle; then
    echo
    echo "### Idle WebSockets$( ((tls)) && echo " over TLS") ($idle_connections connections, source addresses over 127.0.0.x$(
      ((deflate)) && echo ", permessage-deflate agreed"))"
    echo
    local vs_head=" vs Beast |" vs_rule="---|"
    ((tls)) && vs_head="" vs_rule=""  # no Beast over TLS
    echo "| server | runs | server RSS with them | bytes per idle connection |$vs_head"
    echo "|---|---|---|---|$vs_rule"
    local b_per
    b_per=$(column_median idle Beast "" 5)
    while IFS= read -r entry; do
      IFS='|' read -r name _ <<<"$entry"
      local per rss
      per=$(column_median idle "$name" "" 5)
      rss=$(column_median idle "$name" "" 6)
      echo "| $name | $(count_runs idle "$name" "") | $(fmt_mb "$rss") | $(fmt "$per" 0)" \
        "|$([[ -n $vs_head ]] && echo " $(ratio "$per" "$b_per") |")"
    done <<<"$idle_servers"
  fi
  if wants handshakes; then
    echo
    echo "### Connections per second$( ((tls)) && echo " over TLS") (ws_load --handshakes${tls_flags[*]:+ --tls}, ${seconds} s per run)"
    echo
    echo "Each slot repeats: TCP connect,$( ((tls)) && echo " a full TLS handshake (no resumption),")" \
      "WebSocket upgrade, one echo, close frames, the server's TCP close, close."
    ((tls)) && echo "restws's certificate: $tls_what."
    echo
    local u_head="" u_rule=""
    has_uws "$ws_servers" && u_head=" conn/s vs uWS (per round) | µs/conn vs uWS (per round) |" u_rule="---|---|"
    echo "| shape | server | runs | connections/s | server µs/connection | p50 | p99 |$u_head"
    echo "|---|---|---|---|---|---|---|$u_rule"
    local shape
    for shape in $handshake_shapes; do
      while IFS= read -r entry; do
        IFS='|' read -r name _ <<<"$entry"
        local rate us p50 p99
        rate=$(column_median handshakes "$name" "$shape" 5)
        us=$(column_median handshakes "$name" "$shape" 6)
        p50=$(column_median handshakes "$name" "$shape" 7)
        p99=$(column_median handshakes "$name" "$shape" 8)
        echo "| ${shape%x*} × ${shape#*x} B | $name | $(count_runs handshakes "$name" "$shape")" \
          "| $(fmt "$rate" 0) | $(fmt "$us" 1) | $(fmt_ms_us "$p50") | $(fmt_ms_us "$p99") |$(
            [[ -n $u_head ]] && echo " $(round_ratio handshakes "$name" "$shape" 5) | $(round_ratio handshakes "$name" "$shape" 6) |")"
      done <<<"$ws_servers"
    done
  fi
  if ((${#notes[@]})); then
    echo
    echo "Notes:"
    printf -- '- %s\n' "${notes[@]}" | sort -u
  fi
}

# ---- main ----------------------------------------------------------------------------------
command -v wrk >/dev/null || ! wants http || { echo "compare.sh: wrk not found" >&2; exit 1; }
# Debian packages the comparison needs (Boost for the Beast peers, wrk, valgrind for `instr`).
timeout 900 bash scripts/deps.sh libboost-dev wrk valgrind openssl >&2 ||
  { echo "compare.sh: installing Debian packages failed" >&2; exit 1; }
if [[ $mode == fanout ]]; then run_fanout_mode; exit 0; fi
((build)) && build_all
[[ -x "$WS_LOAD" || $mode == http ]] || { echo "compare.sh: $WS_LOAD missing" >&2; exit 1; }
if wants idle && (($(ulimit -Hn) < idle_connections + 100)); then
  echo "compare.sh: ulimit -Hn $(ulimit -Hn) is too low for $idle_connections connections" >&2
  exit 1
fi
ulimit -Sn "$(ulimit -Hn)"  # the servers need one descriptor per connection too
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v l="${load_at_start%% *}" 'BEGIN { exit !(l > 1.0) }' &&
  note "load average $load_at_start at start: the machine is busy, figures will be noisy"

# uWebSockets' load_test, plain or (--tls) its SSL build, as the second load generator.
lt_bin=${UWS_LOAD_TEST:-}
tls_flags=()
if ((tls)); then
  tls_flags=(--tls --tls-server-name localhost)
  make_tls_pair
  lt_bin=${UWS_LOAD_TEST_SSL:-/work/peers/bin/load_test_ssl}
  if [[ ! -x "$lt_bin" ]]; then
    [[ -n "${UWS_LOAD_TEST_SSL:-}" ]] && fail_run "UWS_LOAD_TEST_SSL '$lt_bin' not found"
    note "uWebSockets' load_test_ssl ($lt_bin) not found: no load_test rows"
    lt_bin=""
  fi
fi

http_servers=""
ws_servers=""
idle_servers=""
# server_list runs in a subshell: its fail_run ends only that, so its status is passed on.
if wants http || [[ $mode == instr ]]; then http_servers=$(server_list http) || exit 1; fi
lt_servers=""
if wants ws || wants idle || wants handshakes || [[ $mode == instr ]]; then
  if ((tls)); then
    ws_servers=$(server_list ws_tls) || exit 1
    lt_servers=$ws_servers
    if wants idle; then idle_servers=$(server_list ws_tls_idle) || exit 1; fi
  elif ((deflate)); then
    ws_servers=$(server_list ws_deflate) || exit 1
    if [[ -n "$lt_bin" ]]; then lt_servers=$(server_list ws_inflate) || exit 1; fi
  else
    ws_servers=$(server_list ws) || exit 1
    lt_servers=$ws_servers
  fi
  [[ -n "$idle_servers" ]] || idle_servers=$ws_servers
fi

if [[ $mode == instr ]]; then
  command -v valgrind >/dev/null || { echo "compare.sh: valgrind not found" >&2; exit 1; }
  if [[ -n "$http_servers" ]]; then
    while IFS= read -r entry; do run_instr_http "$entry"; done <<<"$http_servers"
  fi
  if [[ -n "$ws_servers" ]]; then
    while IFS= read -r entry; do run_instr_ws "$entry"; done <<<"$ws_servers"
  fi
  rounds=1
  tables=$(print_tables)
  echo "$tables"
  echo "$tables" >"$RESULTS_DIR/tables.md"
  [[ -n "$output" ]] && echo "$tables" >"$output"
  log "raw results and logs in $RESULTS_DIR"
  exit 0
fi

for ((round = 1; round <= rounds; round++)); do
  if [[ -n "$http_servers" ]]; then
    while IFS= read -r entry; do run_http "$entry" "$round"; done <<<"$http_servers"
  fi
  if [[ -n "$ws_servers" ]] && wants ws; then
    for shape in $shapes; do
      while IFS= read -r entry; do run_ws "$entry" "$round" "$shape"; done <<<"$ws_servers"
      if [[ -n "$lt_bin" && -n "$lt_servers" ]]; then
        while IFS= read -r entry; do run_ws_load_test "$entry" "$round" "$shape"; done \
          <<<"$lt_servers"
      fi
    done
  fi
  if [[ -n "$idle_servers" ]] && wants idle; then
    while IFS= read -r entry; do run_idle "$entry" "$round"; done <<<"$idle_servers"
  fi
  if [[ -n "$ws_servers" ]] && wants handshakes; then
    for shape in $handshake_shapes; do
      while IFS= read -r entry; do run_handshakes "$entry" "$round" "$shape"; done <<<"$ws_servers"
    done
  fi
done

tables=$(print_tables)
echo "$tables"
echo "$tables" >"$RESULTS_DIR/tables.md"
[[ -n "$output" ]] && echo "$tables" >"$output"
log "raw results and logs in $RESULTS_DIR"
