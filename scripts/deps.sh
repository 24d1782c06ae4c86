#!/usr/bin/env bash
# Installs the Debian packages restws needs to build, test and run its demo, skipping those present.
# Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail
packages=(build-essential cmake pkg-config libasio-dev libssl-dev zlib1g-dev libdeflate-dev liburing-dev libgtest-dev libgmock-dev
          googletest clang lld libclang-rt-dev clang-format curl openssl python3 python3-websockets chromium
          libhiredis-dev redis-server nginx "$@")
# Node.js and npm may come from outside Debian (nodesource); only ask apt when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Node `ws` and playwright-core for the interop tests, at the versions tests/interop/package-lock.json
# pins. playwright-core drives Debian's chromium (it downloads no browser); 1.61 is its last release
# that runs on Debian 12's Node 18.
interop="$(dirname "$0")/../tests/interop"
if [ ! -d "$interop/node_modules/ws" ] || [ ! -d "$interop/node_modules/playwright-core" ]; then
  echo "deps: npm ci in tests/interop"
  npm ci --prefix "$interop" --no-audit --no-fund
fi
