#!/usr/bin/env bash
# The chat demo (scripts/demo.sh chat): a real deployment on this machine, in the foreground:
# redis-server (loopback, no persistence), two examples/chat nodes (A and B) sharing their rooms
# through it, and nginx in front of both (examples/chat/nginx.conf.in). Ctrl-C stops them all.
# Ports (loopback only): CHAT_PORT (nginx, 8000), CHAT_NODE_A_PORT (8001), CHAT_NODE_B_PORT
# (8002), CHAT_REDIS_PORT (6390: not a system Redis's 6379).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release
cmake --build --preset release -j"$(nproc)" --target chat

port=${CHAT_PORT:-8000}
port_a=${CHAT_NODE_A_PORT:-8001}
port_b=${CHAT_NODE_B_PORT:-8002}
redis_port=${CHAT_REDIS_PORT:-6390}
chat=build/release/examples/chat/chat
features=$(cat build/release/examples/chat/features)

for p in "$port" "$port_a" "$port_b" "$redis_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "demo: port $p is in use; set CHAT_PORT, CHAT_NODE_A_PORT, CHAT_NODE_B_PORT" \
         "or CHAT_REDIS_PORT" >&2
    exit 1
  fi
done

runtime=$(mktemp -d "${TMPDIR:-/tmp}/restws-chat-demo.XXXXXX")
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "demo: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$runtime"
}
trap cleanup INT TERM EXIT

# Waits (at most 10 s) until `curl URL` prints EXPECTED.
wait_for() {
  local url=$1 expected=$2
  for _ in $(seq 100); do
    [ "$(curl -fsS --max-time 1 "$url" 2>/dev/null)" = "$expected" ] && return 0
    sleep 0.1
  done
  echo "demo: $url did not answer; logs in $runtime" >&2
  exit 1
}

node_args=()
if [ "$features" = redis ]; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$runtime" \
    >"$runtime/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q "Ready to accept connections" "$runtime/redis.log" && break
    sleep 0.1
  done
  node_args=(--redis "127.0.0.1:$redis_port")
else
  echo "demo: this build has no Redis bridge (restws::redis): nodes A and B do not share rooms;" \
       "open both tabs on one node (?node=a)" >&2
fi
"$chat" --port "$port_a" --node-name A "${node_args[@]}" >"$runtime/node-a.log" 2>&1 &
pids+=($!)
"$chat" --port "$port_b" --node-name B "${node_args[@]}" >"$runtime/node-b.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port_a/healthz" A
wait_for "http://127.0.0.1:$port_b/healthz" B

sed -e "s|@RUNTIME_DIR@|$runtime|g" -e "s|@LISTEN@|127.0.0.1:$port|g" \
    -e "s|@NODE_A@|127.0.0.1:$port_a|g" -e "s|@NODE_B@|127.0.0.1:$port_b|g" \
    examples/chat/nginx.conf.in >"$runtime/nginx.conf"
nginx -p "$runtime" -c "$runtime/nginx.conf" -e "$runtime/error.log" &
pids+=($!)
wait_for "http://127.0.0.1:$port/healthz?node=a" A

shared=""
[ "$features" = redis ] && shared=", sharing rooms through redis-server :$redis_port"
cat <<MSG
demo: the chat is on  http://127.0.0.1:$port/   (Ctrl-C stops it)
      nginx :$port -> node A :$port_a, node B :$port_b$shared
      open two tabs; ?node=a or ?node=b pins a tab to a node (the other takes over if it dies:
      kill one with  kill ${pids[-3]} (A)  or  kill ${pids[-2]} (B)  and watch its tab reconnect)
      logs: $runtime
MSG
wait
