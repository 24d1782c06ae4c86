#!/usr/bin/env bash
# Builds restws (release preset) and runs every test registered with CTest.
# Installs any missing Debian package first. Usage: scripts/test.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release -DRESTWS_BUILD_TESTS=ON -DRESTWS_BUILD_EXAMPLES=ON
cmake --build --preset release -j"$(nproc)"
ctest --preset release -j"$(nproc)" "$@"
