// SPDX-License-Identifier: MIT
// posenc: sinusoidal absolute position encodings (see sinusoidal.hpp for the formulas and sources).
#include "posenc/sinusoidal.hpp"

#include <algorithm>
#include <cmath>

#include "posenc/simd.hpp"

namespace posenc {

namespace {

// Frequencies are processed in blocks of this many, held in stack arrays (no allocation).
constexpr std::size_t freq_block = 64;

bool is_fairseq(const SinusoidalParams& p) { return p.layout == SinusoidalLayout::fairseq; }

// Write the sin and cos of frequency `i` (absolute index) into the row at the layout's columns.
inline void emit_pair(const SinusoidalParams& p, float* row, std::size_t i, double s, double c) {
  if (is_fairseq(p)) {
    const std::size_t h = p.dim / 2;
    row[i] = static_cast<float>(s);
    row[h + i] = static_cast<float>(c);
  } else {
    row[2 * i] = static_cast<float>(s);
    if (2 * i + 1 < p.dim) row[2 * i + 1] = static_cast<float>(c);  // odd d: last sine unpaired
  }
}

// fairseq with odd d appends a zero column.
inline void zero_padding_column(const SinusoidalParams& p, std::span<float> out) {
  if (!is_fairseq(p) || p.dim % 2 == 0) return;
  for (std::size_t r = 0; r < p.length; ++r) out[r * p.dim + p.dim - 1] = 0.0f;
}


// One row of a frequency block, vectorised: write the (sin, cos) of frequencies [f0, f0 + n) in the
// row's layout, then rotate each pair by its angle w. Handles a multiple of the step and returns
// how many frequencies it did; the caller's scalar loop does the rest (everything, without SIMD).
#if POSENC_HAVE_SIMD
std::size_t emit_and_rotate_simd(const SinusoidalParams& p, float* row, std::size_t f0, std::size_t n, double* S,
                                 double* C, const double* cw, const double* sw) {
  using B = simd::batch_f64;
  constexpr std::size_t lanes = B::size;
  constexpr std::size_t step = 2 * lanes;  // frequencies per iteration: one float batch of output
  static_assert(freq_block % step == 0);
  const std::size_t h = p.dim / 2;
  const bool fairseq = is_fairseq(p);
  const std::size_t nvec = n / step * step;
  for (std::size_t i = 0; i < nvec; i += step) {
    const B s0 = B::load_aligned(S + i), s1 = B::load_aligned(S + i + lanes);
    const B c0 = B::load_aligned(C + i), c1 = B::load_aligned(C + i + lanes);
    if (fairseq) {
      simd::demote(s0, s1).store_unaligned(row + f0 + i);
      simd::demote(c0, c1).store_unaligned(row + h + f0 + i);
    } else {
      float* o = row + 2 * (f0 + i);
      simd::demote(xsimd::zip_lo(s0, c0), xsimd::zip_hi(s0, c0)).store_unaligned(o);
      simd::demote(xsimd::zip_lo(s1, c1), xsimd::zip_hi(s1, c1)).store_unaligned(o + step);
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
std::size_t emit_and_rotate_simd(const SinusoidalParams&, float*, std::size_t, std::size_t, double*, double*,
                                 const double*, const double*) {
  return 0;
}
#endif

}  // namespace

Status sinusoidal_check(const SinusoidalParams& p, std::size_t out_size) {
  if (p.layout != SinusoidalLayout::vaswani && p.layout != SinusoidalLayout::fairseq)
    return Status::type("layout", "must be 'vaswani' or 'fairseq'");
  if (p.length == 0) return Status::range("length", "must be at least 1");
  if (p.dim == 0) return Status::range("dim", "must be at least 1");
  if (is_fairseq(p) && p.dim < 4)
    return Status::range("dim", "must be at least 4 for the fairseq layout (its denominator is dim/2 - 1)");
  if (p.length > max_output_floats / p.dim)
    return Status::range("length", "length * dim exceeds the 256 MiB output limit");
  if (!std::isfinite(p.base) || !(p.base > 0.0)) return Status::range("base", "must be a finite number > 0");
  if (p.offset < 0) return Status::range("offset", "must be >= 0");
  if (p.offset > max_position - static_cast<std::int64_t>(p.length - 1))
    return Status::range("offset", "offset + length - 1 exceeds the largest position, 2^24");
  if (out_size != p.length * p.dim) return Status::range("out", "must hold exactly length * dim floats");
  return Status::success();
}

std::size_t sinusoidal_frequency_count(const SinusoidalParams& p) {
  return is_fairseq(p) ? p.dim / 2 : (p.dim + 1) / 2;
}

double sinusoidal_frequency(const SinusoidalParams& p, std::size_t i) {
  const double log_base = std::log(p.base);
  if (is_fairseq(p)) {
    // fairseq: emb = ln(10000) / (half_dim - 1); exp(arange(half_dim) * -emb)
    return std::exp(static_cast<double>(i) * -(log_base / static_cast<double>(p.dim / 2 - 1)));
  }
  // annotated-transformer: exp(arange(0, d, 2) * -(ln(10000) / d))
  return std::exp(static_cast<double>(2 * i) * -(log_base / static_cast<double>(p.dim)));
}

Status sinusoidal_table(const SinusoidalParams& params, std::span<float> out) {
  if (Status s = sinusoidal_check(params, out.size()); !s.ok()) return s;
  sinusoidal_table_fast(params, out);
  return Status::success();
}

void sinusoidal_table_reference(const SinusoidalParams& p, std::span<float> out) {
  const std::size_t nfreq = sinusoidal_frequency_count(p);
  double w[freq_block];
  for (std::size_t f0 = 0; f0 < nfreq; f0 += freq_block) {
    const std::size_t nf = std::min(freq_block, nfreq - f0);
    for (std::size_t i = 0; i < nf; ++i) w[i] = sinusoidal_frequency(p, f0 + i);
    for (std::size_t r = 0; r < p.length; ++r) {
      const double pos = static_cast<double>(p.offset) + static_cast<double>(r);
      float* row = out.data() + r * p.dim;
      for (std::size_t i = 0; i < nf; ++i) emit_pair(p, row, f0 + i, std::sin(pos * w[i]), std::cos(pos * w[i]));
    }
  }
  zero_padding_column(p, out);
}

void sinusoidal_table_fast(const SinusoidalParams& p, std::span<float> out) {
  const std::size_t nfreq = sinusoidal_frequency_count(p);
  // vaswani with odd d: the last frequency has no cosine column, so the scalar loop writes it.
  const std::size_t nfreq_paired = (!is_fairseq(p) && p.dim % 2 == 1) ? nfreq - 1 : nfreq;
  // The (sin, cos) state is recomputed directly at every row that is a multiple of this.
  constexpr std::size_t anchor_rows = 256;

  alignas(64) double S[freq_block], C[freq_block], cw[freq_block], sw[freq_block], w[freq_block];
  for (std::size_t f0 = 0; f0 < nfreq; f0 += freq_block) {
    const std::size_t nf = std::min(freq_block, nfreq - f0);
    const std::size_t npaired = std::min(nf, nfreq_paired - std::min(nfreq_paired, f0));
    for (std::size_t i = 0; i < nf; ++i) {
      w[i] = sinusoidal_frequency(p, f0 + i);
      cw[i] = std::cos(w[i]);
      sw[i] = std::sin(w[i]);
    }
    for (std::size_t r = 0; r < p.length; ++r) {
      if (r % anchor_rows == 0) {
        const double pos = static_cast<double>(p.offset) + static_cast<double>(r);
        for (std::size_t i = 0; i < nf; ++i) {
          S[i] = std::sin(pos * w[i]);
          C[i] = std::cos(pos * w[i]);
        }
      }
      float* row = out.data() + r * p.dim;
      std::size_t i = emit_and_rotate_simd(p, row, f0, npaired, S, C, cw, sw);
      for (; i < nf; ++i) {
        emit_pair(p, row, f0 + i, S[i], C[i]);
        const double s = S[i] * cw[i] + C[i] * sw[i];
        C[i] = C[i] * cw[i] - S[i] * sw[i];
        S[i] = s;
      }
    }
  }
  zero_padding_column(p, out);
}

}  // namespace posenc
