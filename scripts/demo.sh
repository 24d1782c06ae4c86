#!/usr/bin/env bash
# Builds restws (release preset) and starts the demo server in the foreground.
# Installs any missing Debian package first. Usage: scripts/demo.sh [server args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release -DRESTWS_BUILD_TESTS=OFF
cmake --build --preset release -j"$(nproc)" --target hello
echo "demo: http://localhost:8080/  (Ctrl-C stops it)"
exec build/release/examples/hello "$@"
