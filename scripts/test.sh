#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up, build and run every test of posenc (this is what CI runs, via .ci/run):
#   doctest suites (native, WebAssembly SIMD, WebAssembly baseline) incl. golden parity, and the
#   native suite again under ASan + UBSan; the native fuzz targets (64-bit, -m32, wasm32);
#   the Embind boundary and the instructions in the .wasm files;
#   the packed npm package installed by name into an empty folder: node:test suites + tsc on the .d.ts;
#   a short seeded fuzz run over the package's public functions (tests/fuzz/js.mjs);
#   the same tarball in real apps (tests/bundlers: each bundler from its lockfile, pages in chromium);
#   the examples (C++ and Node); the demo site (every widget, embed snippets, screenshots) in Debian's
#   chromium under a strict CSP;
#   a smoke run of the benchmark (its numbers are not checked; speed is not a test).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n=== %s\n' "$*"; }
SECONDS=0

step "setup"
bash scripts/setup.sh

step "build"
bash scripts/build.sh

step "doctest: native"
ctest --test-dir build/native --output-on-failure
step "doctest: WebAssembly SIMD (node)"
ctest --test-dir build/wasm-simd --output-on-failure
step "doctest: WebAssembly baseline (node)"
ctest --test-dir build/wasm-base --output-on-failure

step "doctest: native, clang with AddressSanitizer + UndefinedBehaviorSanitizer"
bash scripts/fuzz-native.sh doctest
step "native fuzzing: each libFuzzer target (ASan + UBSan) from its seed corpus, a fixed seed and run count"
bash scripts/fuzz-native.sh --runs "${POSENC_FUZZ_RUNS:-5000}" fuzz
step "native fuzzing, 32-bit: wasm32 (Emscripten ASan + UBSan, standalone driver; size_t of 32 bits as in the package)"
bash scripts/fuzz-native.sh --runs "${POSENC_FUZZ_RUNS_32:-2000}" wasm

step "Embind boundary and .wasm instructions"
node --test tests/wasm/

step "package: the packed tarball installed by name into an empty folder"
TARBALL=$(ls "$ROOT"/build/pack/posenc-*.tgz)
rm -rf build/consumer && mkdir -p build/consumer
cp tests/package/*.mjs tests/types/*.ts tests/types/tsconfig.json build/consumer/
(
  cd build/consumer
  echo '{ "name": "posenc-consumer", "private": true, "type": "module" }' > package.json
  npm install --no-audit --no-fund --no-package-lock "$TARBALL" >/dev/null
  POSENC_GOLDEN_DIR="$ROOT/tests/golden" node --test
  step "package: TypeScript consumer compiled against index.d.ts"
  "$ROOT/node_modules/.bin/tsc" -p tsconfig.json
  echo "tsc: ok"
)

step "fuzz: every public function under hostile arguments, both builds (a short seed range; README: Limits and errors)"
mkdir -p build/consumer/fuzz && cp tests/fuzz/*.mjs build/consumer/fuzz/
(cd build/consumer/fuzz && node --test js.test.mjs)

step "package in real apps: Vite 6/7/8, webpack 5, esbuild, Rollup, import map, CDN, Node, TypeScript 5 (chromium)"
node tests/bundlers/run.mjs

step "examples"
./build/native/examples/cpp/sinusoidal_rows 4 10
./build/native/examples/cpp/corpus_sample 1 1
# train short, test long: a smoke run of every method (a few steps; the numbers are not checked here)
./build/native/examples/cpp/extrapolation --steps 20 --methods sinusoidal,rope,alibi,t5,none,learned,kerple \
  --multiples 1,2 --eval-tokens 1024 --finetune 5 --quiet
(
  cd examples/node
  npm install --no-save --no-package-lock --no-audit --no-fund "$TARBALL" >/dev/null
  node print-table.mjs 4 10 fairseq
  node rope-wavelengths.mjs ../configs/yarn-style.json
)

step "browser: the demo site, its widgets and their embed snippets in chromium under a strict CSP"
node --test tests/browser/

step "benchmark smoke run (numbers not checked)"
node bench/sinusoidal.mjs --quick --json build/bench-smoke.json
node bench/kernels.mjs --quick --only W1,W2 --json build/bench-kernels-smoke.json
node bench/parallel.mjs --quick --json build/bench-parallel-smoke.json
node bench/browser-parallel.mjs --quick --only W2 --json build/bench-browser-smoke.json

step "all tests passed in ${SECONDS}s"
