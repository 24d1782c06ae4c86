#!/usr/bin/env bash
# Builds restws (release preset) and starts the demo server in the foreground.
# Installs any missing Debian package first. Usage: scripts/demo.sh [server args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release
cmake --build --preset release -j"$(nproc)" --target ws_echo
echo "demo: the seed's WebSocket echo server on ws://localhost:8080/chat  (Ctrl-C stops it)"
exec build/release/examples/ws_echo "$@"
