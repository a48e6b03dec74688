// SPDX-License-Identifier: MIT
// posenc: the one place that knows whether a SIMD architecture is available.
//
// Kernels are written twice: a scalar reference (plain loops, obviously correct, used by the tests
// as the yardstick) and a fast version whose main loop uses xsimd and whose scalar loop finishes the
// tail. A build without SIMD (the WebAssembly baseline build, or any build configured with
// POSENC_SIMD=OFF) has POSENC_HAVE_SIMD == 0: the xsimd part of each kernel compiles to a stub that
// handles nothing, and the kernel's scalar loop (the same algorithm) does all the work. This header
// is the only place that looks at architecture macros.
//
// xsimd 8.1 has no WebAssembly architecture and no scalar fallback: under Emscripten the build uses
// `-msimd128 -msse2`, xsimd picks its sse2 kernels, and Emscripten turns them into SIMD128 code.
// Without an architecture `xsimd::batch<float>` does not compile, hence the guard.
#pragma once

#include <xsimd/config/xsimd_config.hpp>

#if !defined(POSENC_NO_SIMD) && !defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define POSENC_HAVE_SIMD 1
#include <xsimd/xsimd.hpp>
#if defined(__EMSCRIPTEN__)
#include <wasm_simd128.h>
#endif
#else
#define POSENC_HAVE_SIMD 0
#endif

namespace posenc::simd {

inline constexpr bool enabled = POSENC_HAVE_SIMD != 0;

// Name of the architecture the fast kernels use, for diagnostics ("scalar" when none).
const char* arch_name();

#if POSENC_HAVE_SIMD
using batch_f32 = xsimd::batch<float>;
using batch_f64 = xsimd::batch<double>;

// Round two float64 batches to one float32 batch: lanes of `lo`, then lanes of `hi`.
inline batch_f32 demote(const batch_f64& lo, const batch_f64& hi) {
  static_assert(batch_f32::size == 2 * batch_f64::size, "float batch must hold two double batches");
#if defined(__EMSCRIPTEN__)
  // Two f32x4.demote_f64x2_zero and one shuffle. (Written with SSE intrinsics, clang 14 scalarises
  // the same operation into eight lane extracts and inserts.)
  const v128_t l = wasm_f32x4_demote_f64x2_zero(static_cast<__m128d>(lo));
  const v128_t h = wasm_f32x4_demote_f64x2_zero(static_cast<__m128d>(hi));
  return batch_f32(static_cast<__m128>(wasm_i64x2_shuffle(l, h, 0, 2)));
#elif XSIMD_WITH_SSE2 && !XSIMD_WITH_AVX
  return batch_f32(_mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)));
#else
  alignas(64) double d[2 * batch_f64::size];
  alignas(64) float f[batch_f32::size];
  lo.store_aligned(d);
  hi.store_aligned(d + batch_f64::size);
  for (std::size_t i = 0; i < batch_f32::size; ++i) f[i] = static_cast<float>(d[i]);
  return batch_f32::load_aligned(f);
#endif
}
#endif

}  // namespace posenc::simd
