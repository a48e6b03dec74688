#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Native fuzzing and sanitizer runs of the core (tests/fuzz/native):
#
#   scripts/fuzz-native.sh [--seconds N] [STAGE...]      stages (default: all four, in this order)
#     doctest  the doctest suite built with clang -fsanitize=address,undefined (build/asan)
#     fuzz     each libFuzzer target (same build, ASan + UBSan) for N seconds from its seed corpus
#     m32      the targets built -m32 (size_t of 32 bits) with libFuzzer (needs g++-multilib); run
#              where the kernel runs i386 programs, otherwise built only (the wasm stage, which
#              scripts/test.sh runs, does the 32-bit runs)
#     wasm     the targets built for WebAssembly (wasm32, Emscripten, ASan + UBSan) with the
#              standalone driver (driver.cpp), run under node for N seconds each
#
# N defaults to 10. The seed corpus (tests/fuzz/native/corpus/<target>/) is copied to
# build/fuzz/corpus/ first, so new inputs never land in the repository; a failing input is
# saved under build/fuzz/artifacts/. Any sanitizer report or broken property fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SRC=tests/fuzz/native
SECONDS_PER_TARGET=10
STAGES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    doctest|fuzz|m32|wasm) STAGES+=("$1"); shift ;;
    *) echo "fuzz-native: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#STAGES[@]} -gt 0 ] || STAGES=(doctest fuzz m32 wasm)
JOBS=$(nproc)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
TARGETS=$(cd $SRC && ls fuzz_*.cpp | sed 's/\.cpp$//')
LIBFUZZER_FLAGS=(-max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=20 -rss_limit_mb=2560
                 -malloc_limit_mb=1024 -print_final_stats=0)

# build DIR EXTRA_FLAGS CMAKE_ARGS...: configure and build the fuzz project with clang.
build() {
  local dir=$1 flags=$2
  shift 2
  CC=clang CXX=clang++ cmake -S $SRC -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$SAN $flags" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

# run_libfuzzer DIR: every target of DIR from a fresh copy of its seed corpus.
run_libfuzzer() {
  local dir=$1
  mkdir -p build/fuzz/artifacts
  for t in $TARGETS; do
    rm -rf "build/fuzz/corpus/$t" && mkdir -p "build/fuzz/corpus/$t"
    cp $SRC/corpus/"$t"/* "build/fuzz/corpus/$t/" 2>/dev/null || true
    echo "fuzz-native: $t ($(basename "$dir")) for ${SECONDS_PER_TARGET}s"
    "$dir/$t" "${LIBFUZZER_FLAGS[@]}" -artifact_prefix="build/fuzz/artifacts/$t-" "build/fuzz/corpus/$t" 2>build/fuzz/$t.log \
      || { tail -n 60 build/fuzz/$t.log; echo "fuzz-native: $t failed (input in build/fuzz/artifacts/)" >&2; exit 1; }
    grep -E '^Done [0-9]+ runs' build/fuzz/$t.log | tail -n 1 || true
  done
}

for stage in "${STAGES[@]}"; do
  case $stage in
    doctest)
      # The library is built with fuzzer-no-link (coverage for the fuzz stage); the suite links without it.
      build build/asan "-fsanitize=fuzzer-no-link" -DPOSENC_BUILD_TESTS=ON
      ./build/asan/posenc/tests/cpp/posenc_tests --minimal
      ;;
    fuzz)
      build build/asan "-fsanitize=fuzzer-no-link" -DPOSENC_BUILD_TESTS=ON
      run_libfuzzer build/asan
      ;;
    m32)
      # -msse2: the same xsimd kernels as the WebAssembly SIMD build (plain i686 has no SSE2).
      build build/fuzz-m32 "-m32 -msse2 -fsanitize=fuzzer-no-link" -DPOSENC_BUILD_TESTS=OFF
      if build/fuzz-m32/fuzz_corpus -runs=0 >/dev/null 2>&1; then
        run_libfuzzer build/fuzz-m32
      else
        echo "fuzz-native: this kernel does not run i386 programs: -m32 targets built, not run (the wasm stage runs 32-bit)"
      fi
      ;;
    wasm)
      export NODE_PATH=/usr/share/nodejs  # emcc's JS optimizer needs Debian's acorn
      emcmake cmake -S $SRC -B build/fuzz-wasm -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSENC_FUZZ_DRIVER=standalone \
        -DPOSENC_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -msimd128 -msse2" >/dev/null
      cmake --build build/fuzz-wasm -j "$JOBS"
      for t in $TARGETS; do
        echo "fuzz-native: $t (wasm32) for ${SECONDS_PER_TARGET}s"
        (cd build/fuzz-wasm && node "$t.js" -seconds="$SECONDS_PER_TARGET" "$ROOT/$SRC/corpus/$t") \
          || { echo "fuzz-native: $t (wasm32) failed (input in build/fuzz-wasm/crash-standalone)" >&2; exit 1; }
      done
      ;;
  esac
done
echo "fuzz-native: ${STAGES[*]} passed"
