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

// One float from memory in every lane: a single v128.load32_splat on WebAssembly.
inline batch_f32 broadcast_load(const float* p) {
#if defined(__EMSCRIPTEN__)
  return batch_f32(static_cast<__m128>(wasm_v128_load32_splat(p)));
#else
  return batch_f32(*p);
#endif
}

// Lane-wise maximum without IEEE NaN handling (the inputs are never NaN where it is used): one
// f32x4.pmax on WebAssembly (xsimd's max goes through Emscripten's SSE emulation, several ops).
inline batch_f32 fast_max(const batch_f32& a, const batch_f32& b) {
#if defined(__EMSCRIPTEN__)
  return batch_f32(static_cast<__m128>(wasm_f32x4_pmax(static_cast<__m128>(a), static_cast<__m128>(b))));
#else
  return xsimd::max(a, b);
#endif
}

// e^x for every lane: 2^n * e^f with n = nearest(x log2 e), f = x - n ln 2 (ln 2 in two parts),
// e^f from the Cephes expf polynomial (S. Moshier); relative error below 2e-7. Lanes with
// x < -87.3 give exactly 0 (float32 underflow); x is clamped above at 88.3.
inline batch_f32 exp(batch_f32 x) {
#if defined(__EMSCRIPTEN__)
  // WebAssembly-native rounding, conversion, clamping and selection (each one instruction; the
  // SSE forms are emulated by Emscripten with several).
  const v128_t lo = wasm_f32x4_splat(-87.33654f), hi = wasm_f32x4_splat(88.3762626647949f);
  const v128_t xv = static_cast<__m128>(x);
  const v128_t underflow = wasm_f32x4_lt(xv, lo);
  const batch_f32 xc(static_cast<__m128>(wasm_f32x4_pmin(wasm_f32x4_pmax(xv, lo), hi)));
  const v128_t nf = wasm_f32x4_nearest(static_cast<__m128>(xc * batch_f32(1.44269504088896341f)));
  const v128_t ni = wasm_i32x4_trunc_sat_f32x4(nf);
  const batch_f32 n(static_cast<__m128>(nf));
  const batch_f32 two_n(static_cast<__m128>(wasm_i32x4_shl(wasm_i32x4_add(ni, wasm_i32x4_splat(127)), 23)));
#elif XSIMD_WITH_SSE2 && !XSIMD_WITH_AVX
  const batch_f32 lo(-87.33654f), hi(88.3762626647949f);
  const auto underflow = x < lo;
  const batch_f32 xc = xsimd::min(xsimd::max(x, lo), hi);
  const __m128i ni = _mm_cvtps_epi32(xc * batch_f32(1.44269504088896341f));  // round to nearest (MXCSR)
  const batch_f32 n(_mm_cvtepi32_ps(ni));
  const batch_f32 two_n(_mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23)));
#endif
#if defined(__EMSCRIPTEN__) || (XSIMD_WITH_SSE2 && !XSIMD_WITH_AVX)
  const batch_f32 f = (xc - n * batch_f32(0.693359375f)) - n * batch_f32(-2.12194440e-4f);
  batch_f32 y(1.9875691500e-4f);
  y = y * f + batch_f32(1.3981999507e-3f);
  y = y * f + batch_f32(8.3334519073e-3f);
  y = y * f + batch_f32(4.1665795894e-2f);
  y = y * f + batch_f32(1.6666665459e-1f);
  y = y * f + batch_f32(5.0000001201e-1f);
  y = y * (f * f) + f + batch_f32(1.0f);
  y = y * two_n;
#if defined(__EMSCRIPTEN__)
  return batch_f32(static_cast<__m128>(wasm_v128_andnot(static_cast<__m128>(y), underflow)));
#else
  return xsimd::select(underflow, batch_f32(0.0f), y);
#endif
#else
  return xsimd::exp(x);
#endif
}

// Horizontal maximum and sum of the lanes.
inline float reduce_max(const batch_f32& x) {
  alignas(64) float v[batch_f32::size];
  x.store_aligned(v);
  float m = v[0];
  for (std::size_t i = 1; i < batch_f32::size; ++i) m = m > v[i] ? m : v[i];
  return m;
}
inline float reduce_add(const batch_f32& x) { return xsimd::hadd(x); }
#endif

}  // namespace posenc::simd
