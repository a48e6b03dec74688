// SPDX-License-Identifier: MIT
// posenc: rows of sin/cos (see sincos.hpp).
#include "posenc/sincos.hpp"

#include <algorithm>
#include <cmath>

#include "posenc/simd.hpp"

namespace posenc {

namespace {

// Frequencies are processed in blocks of this many, held in stack arrays (no allocation).
constexpr std::size_t freq_block = 64;
// The (sin, cos) state is recomputed directly at every row that is a multiple of this.
constexpr std::size_t anchor_rows = 256;

inline void emit(const SincosOut& out, std::size_t r, std::size_t i, double s, double c) {
  if (out.layout == SincosLayout::interleaved) {
    float* row = out.sin + r * out.stride;
    row[2 * i] = static_cast<float>(s);
    row[2 * i + 1] = static_cast<float>(c);
  } else {
    out.sin[r * out.stride + i] = static_cast<float>(s);
    out.cos[r * out.stride + i] = static_cast<float>(c);
  }
}

// One row of a frequency block [f0, f0 + n), vectorised: write scale * (sin, cos) in the layout, then
// rotate each pair by its angle w. Handles a multiple of the step and returns how many frequencies it
// did; the caller's scalar loop does the rest (everything, in a build without SIMD).
#if POSENC_HAVE_SIMD
std::size_t emit_and_rotate_simd(const SincosOut& out, std::size_t r, std::size_t f0, std::size_t n, double scale,
                                 double* S, double* C, const double* cw, const double* sw) {
  using B = simd::batch_f64;
  constexpr std::size_t lanes = B::size;
  constexpr std::size_t step = 2 * lanes;  // frequencies per iteration: one float batch of output
  static_assert(freq_block % step == 0);
  const B k(scale);
  const std::size_t nvec = n / step * step;
  for (std::size_t i = 0; i < nvec; i += step) {
    const B s0 = B::load_aligned(S + i), s1 = B::load_aligned(S + i + lanes);
    const B c0 = B::load_aligned(C + i), c1 = B::load_aligned(C + i + lanes);
    if (out.layout == SincosLayout::planar) {
      simd::demote(k * s0, k * s1).store_unaligned(out.sin + r * out.stride + f0 + i);
      simd::demote(k * c0, k * c1).store_unaligned(out.cos + r * out.stride + f0 + i);
    } else {
      float* o = out.sin + r * out.stride + 2 * (f0 + i);
      const B ks0 = k * s0, kc0 = k * c0, ks1 = k * s1, kc1 = k * c1;
      simd::demote(xsimd::zip_lo(ks0, kc0), xsimd::zip_hi(ks0, kc0)).store_unaligned(o);
      simd::demote(xsimd::zip_lo(ks1, kc1), xsimd::zip_hi(ks1, kc1)).store_unaligned(o + step);
    }
    const B cw0 = B::load_aligned(cw + i), cw1 = B::load_aligned(cw + i + lanes);
    const B sw0 = B::load_aligned(sw + i), sw1 = B::load_aligned(sw + i + lanes);
    (s0 * cw0 + c0 * sw0).store_aligned(S + i);
    (s1 * cw1 + c1 * sw1).store_aligned(S + i + lanes);
    (c0 * cw0 - s0 * sw0).store_aligned(C + i);
    (c1 * cw1 - s1 * sw1).store_aligned(C + i + lanes);
  }
  return nvec;
}
#else
std::size_t emit_and_rotate_simd(const SincosOut&, std::size_t, std::size_t, std::size_t, double, double*, double*,
                                 const double*, const double*) {
  return 0;
}
#endif

}  // namespace

void sincos_rows_reference(std::span<const double> w, std::int64_t first, std::size_t rows, double scale,
                           const SincosOut& out) {
  for (std::size_t r = 0; r < rows; ++r) {
    const double p = static_cast<double>(first) + static_cast<double>(r);
    for (std::size_t i = 0; i < w.size(); ++i) emit(out, r, i, scale * std::sin(p * w[i]), scale * std::cos(p * w[i]));
  }
}

void sincos_rows_fast(std::span<const double> w, std::int64_t first, std::size_t rows, double scale,
                      const SincosOut& out) {
  alignas(64) double S[freq_block], C[freq_block], cw[freq_block], sw[freq_block];
  for (std::size_t f0 = 0; f0 < w.size(); f0 += freq_block) {
    const std::size_t nf = std::min(freq_block, w.size() - f0);
    const double* wb = w.data() + f0;
    for (std::size_t i = 0; i < nf; ++i) {
      cw[i] = std::cos(wb[i]);
      sw[i] = std::sin(wb[i]);
    }
    for (std::size_t r = 0; r < rows; ++r) {
      if (r % anchor_rows == 0) {
        const double p = static_cast<double>(first) + static_cast<double>(r);
        for (std::size_t i = 0; i < nf; ++i) {
          S[i] = std::sin(p * wb[i]);
          C[i] = std::cos(p * wb[i]);
        }
      }
      std::size_t i = emit_and_rotate_simd(out, r, f0, nf, scale, S, C, cw, sw);
      for (; i < nf; ++i) {
        emit(out, r, f0 + i, scale * S[i], scale * C[i]);
        const double s = S[i] * cw[i] + C[i] * sw[i];
        C[i] = C[i] * cw[i] - S[i] * sw[i];
        S[i] = s;
      }
    }
  }
}

}  // namespace posenc
