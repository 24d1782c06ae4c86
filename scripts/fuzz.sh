#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz preset, clang) and runs each for N seconds (default 30).
# A crash, leak or timeout fails the script. Usage: scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"
shopt -s nullglob
for src in fuzz/*_fuzzer.cpp; do
  name=$(basename "$src" .cpp)
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  seeds=(); [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  echo "fuzz: $name for ${seconds}s"
  (cd build/fuzz && "./fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 "../../$corpus" "${seeds[@]/#/../../}" 2>&1 | tail -n 15)
done
