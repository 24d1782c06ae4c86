# shellcheck shell=bash
# Sourced by the benchmark scripts (bench/compare.sh): notes and logging, a private network
# namespace, and one server at a time started on a port, waited for and killed. Not a script of
# its own. The caller cds to the repository's root first (fixed_port reads examples/) and sets
# `trap stop_server EXIT` (and INT/TERM) itself.

notes=()
note() { notes+=("$*"); echo "note: $*" >&2; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# A benchmark whose figure would be wrong stops the whole run: the script's name, what failed and
# where to look, on stderr, and exit status 1 (the EXIT trap stops the server).
fail_run() {
  echo "${0##*/}: FAILED: $*" >&2
  exit 1
}

# --netns among the arguments: start the script again inside a fresh network namespace with only
# loopback (up). Call first, with the script's arguments.
reexec_in_netns() {
  local arg
  for arg in "$@"; do
    if [[ $arg == --netns && -z "${RESTWS_BENCH_IN_NETNS:-}" ]]; then
      export RESTWS_BENCH_IN_NETNS=1
      # shellcheck disable=SC2016  # expanded by the inner bash
      exec unshare -n -- bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
    fi
  done
}

# The fixed port of a restws example server: the one given, else 8080 (the seed's) for a default
# example whose source never mentions --port, else none.
fixed_port() {  # $1 = server given by env, $2 = port given by env, $3 = example name
  local source=examples/$3/main.cpp
  if [[ -n "$2" ]]; then
    echo "$2"
  elif [[ -z "$1" && -f "$source" ]] && ! grep -q -- '--port' "$source"; then
    echo 8080
  fi
}

port_in_use() { ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q .; }

# Whether process $1 is $2 or one of its descendants (a server started through a wrapper).
descends_from() {  # $1 = pid, $2 = ancestor pid
  local pid=$1 steps=0 stat rest
  while [[ -n "$pid" && "$pid" != 0 ]] && ((steps++ < 32)); do
    [[ "$pid" == "$2" ]] && return 0
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    rest=${stat##*) }  # after the command name, which may hold spaces
    read -r _ pid _ <<<"$rest"  # state, parent
  done
  return 1
}

# A listener on port $1 that is not process $2's (nor its children's): printed, or nothing.
# uWebSockets listens with SO_REUSEPORT, so a stray instance on the same port would quietly
# take a share of the connections.
foreign_listener() {  # $1 = port, $2 = server pid
  local line pid
  while IFS= read -r line; do
    pid=$(grep -o 'pid=[0-9]*' <<<"$line" | head -1 | cut -d= -f2)
    if [[ -z "$pid" ]] || ! descends_from "$pid" "$2"; then
      echo "$line" | tr -s ' '
      return
    fi
  done < <(ss -Htlnp "( sport = :$1 )" 2>/dev/null)
}

free_port() {
  local port tries=0
  while ((tries++ < 100)); do
    port=$((15000 + RANDOM % 5000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  return 1
}

server_pid=""
server_port=""
server_prefix=""  # e.g. valgrind: the command runs under it
start_wait_steps=100  # tenths of a second
stop_wait_steps=30

# A server is "name|command|fixed port (or empty)". Without a fixed port the command gets
# "--port N" appended, or "{port}" in it replaced by N. On failure (the port is taken, the server
# exits or does not accept within the bound) returns 1 with the reason in start_error.
start_error=""
start_server() {  # $1 = entry, $2 = log file; sets server_pid and server_port
  local name cmd fixed
  IFS='|' read -r name cmd fixed <<<"$1"
  start_error=""
  if [[ -n "$fixed" ]]; then
    server_port=$fixed
    if port_in_use "$server_port"; then
      start_error="$name ($cmd): port $server_port is already in use before the server starts"
      start_error+=" (--netns avoids the clash)"
      return 1
    fi
  else
    server_port=$(free_port) || { start_error="$name: no free port"; return 1; }
    if [[ "$cmd" == *"{port}"* ]]; then
      cmd=${cmd//\{port\}/$server_port}
    else
      cmd="$cmd --port $server_port"
    fi
  fi
  # shellcheck disable=SC2086  # the command is words on purpose
  $server_prefix $cmd >"$2" 2>&1 </dev/null &
  server_pid=$!
  local waited=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$server_port") 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      local status=0
      wait "$server_pid" 2>/dev/null || status=$?
      server_pid=""
      start_error="$name ($cmd) exited with status $status before it accepted on port"
      start_error+=" $server_port; its log ($2) ends: $(tail -c 300 "$2" | tr '\n' ' ')"
      return 1
    fi
    if ((waited++ >= start_wait_steps)); then
      start_error="$name ($cmd) did not accept on port $server_port within"
      start_error+=" $((start_wait_steps / 10)) s (log: $2)"
      stop_server
      return 1
    fi
    sleep 0.1
  done
  if [[ -n "$fixed" ]]; then
    local other
    other=$(foreign_listener "$server_port" "$server_pid")
    if [[ -n "$other" ]]; then
      start_error="$name ($cmd): another process listens on port $server_port too: $other"
      start_error+=" (--netns avoids the clash)"
      stop_server
      return 1
    fi
  fi
  return 0
}

# start_server, and a server that does not start fails the whole run: a benchmark with a server
# missing would print a table without it, or with a "–", and exit 0.
start_server_or_fail() {  # $1 = entry, $2 = log file
  start_server "$1" "$2" || fail_run "server did not start: $start_error"
}

stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  local waited=0
  while kill -0 "$server_pid" 2>/dev/null && ((waited++ < stop_wait_steps)); do sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

cpu_ticks() {  # utime + stime of $1 in clock ticks
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  echo $((${12} + ${13}))
}

# What the server on port $1 answers over TLS (openssl s_client, no verification) to a WebSocket
# upgrade request for path $2: its status line, or "no answer over TLS" within 3 s.
probe_upgrade_tls() {  # $1 = port, $2 = path
  local line request='GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\n'
  request+='Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
  request+='Sec-WebSocket-Version: 13\r\n\r\n'
  # shellcheck disable=SC2059  # the request is the format
  line=$(printf "$request" "$2" "$1" | timeout 3 openssl s_client -quiet -connect "127.0.0.1:$1" \
    -servername localhost 2>/dev/null | head -1)
  line=${line%$'\r'}
  echo "${line:-no answer over TLS}"
}

# What the server on port $1 answers to a WebSocket upgrade request for path $2: its status line,
# or "no answer" within 2 s. For the messages of a failed run.
probe_upgrade() {  # $1 = port, $2 = path
  local line
  # A subshell: a connection that fails must not take the script's descriptors (or the script).
  line=$( (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    local request='GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\n'
    request+='Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
    request+='Sec-WebSocket-Version: 13\r\n\r\n'
    # shellcheck disable=SC2059  # the request is the format
    printf "$request" "$2" "$1" >&3
    IFS= read -r -t 2 reply <&3 && printf '%s' "${reply%$'\r'}"
  ) 2>/dev/null)
  echo "${line:-no answer}"
}
