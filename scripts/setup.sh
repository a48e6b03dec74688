#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what posenc needs on Debian 12 (bookworm): the compilers and header-only libraries from
# apt, the JavaScript tooling from npm (package-lock.json). Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake g++ make python3 emscripten libxsimd-dev doctest-dev nlohmann-json3-dev wabt chromium fonts-ipafont-gothic
  # native fuzzing and sanitizers (scripts/fuzz-native.sh): clang with libFuzzer, ASan and UBSan
  # runtimes. (Its optional m32 stage also needs g++-multilib; the tests run the 32-bit targets as
  # wasm32 instead, which this machine's kernel can execute.)
  clang libclang-rt-14-dev)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
fi

command -v node >/dev/null || { echo "setup: node (>= 20.16) is required" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=16)?0:1)' \
  || { echo "setup: node >= 20.16 is required, found $(node --version)" >&2; exit 1; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
