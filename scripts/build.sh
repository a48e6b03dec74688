#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build everything: the native library, tests and examples; the two WebAssembly modules (SIMD and
# baseline) with their tests; the npm package's dist/ and its tarball (build/pack/posenc-*.tgz).
set -euo pipefail
cd "$(dirname "$0")/.."

# emcc's JS optimizer needs Debian's acorn, which node does not find by itself.
export NODE_PATH=/usr/share/nodejs
JOBS=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$JOBS"

emcmake cmake -S . -B build/wasm-simd -DCMAKE_BUILD_TYPE=Release -DPOSENC_SIMD=ON >/dev/null
cmake --build build/wasm-simd -j "$JOBS"
emcmake cmake -S . -B build/wasm-base -DCMAKE_BUILD_TYPE=Release -DPOSENC_SIMD=OFF >/dev/null
cmake --build build/wasm-base -j "$JOBS"

mkdir -p web/package/dist
# install -m 644: the linker marks .wasm files executable; the package ships them as plain data.
install -m 644 build/wasm-simd/bindings/posenc_simd.mjs build/wasm-simd/bindings/posenc_simd.wasm web/package/dist/
install -m 644 build/wasm-base/bindings/posenc_base.mjs build/wasm-base/bindings/posenc_base.wasm web/package/dist/
# The package loads both .wasm files through one glue (web/package/index.js hands it the compiled
# module): the two glues must differ in nothing but the name of their own .wasm.
if ! cmp -s <(sed 's/posenc_base/posenc_simd/g' web/package/dist/posenc_base.mjs) web/package/dist/posenc_simd.mjs; then
  echo "build: posenc_simd.mjs and posenc_base.mjs differ in more than their .wasm name; one glue cannot serve both" >&2
  exit 1
fi
install -m 644 web/package/dist/posenc_simd.mjs web/package/dist/posenc.mjs
install -m 644 LICENSE web/package/LICENSE

# The package's one-file builds (dist/posenc-inline.mjs, dist/posenc.iife.js) and the demo site's
# bundle of custom elements (web/site/posenc-widgets.js), each with the WebAssembly inlined.
node scripts/one-file.mjs
node scripts/build-site.mjs

rm -rf build/pack && mkdir -p build/pack
(cd web/package && npm pack --silent --pack-destination ../../build/pack >/dev/null)
echo "build: $(ls build/pack/*.tgz)"
