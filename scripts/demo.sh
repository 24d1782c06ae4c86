#!/usr/bin/env bash
# Builds restws (release preset) and starts the demo server in the foreground.
# Installs any missing Debian package first. Usage: scripts/demo.sh [server args...]
#        scripts/demo.sh chat   the browser chat behind nginx on two nodes (scripts/demo_chat.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = chat ]; then
  shift
  exec bash scripts/demo_chat.sh "$@"
fi
bash scripts/deps.sh
cmake --preset release
cmake --build --preset release -j"$(nproc)" --target ws_echo
echo "demo: the seed's WebSocket echo server on ws://localhost:8080/chat  (Ctrl-C stops it)"
exec build/release/examples/ws_echo "$@"
