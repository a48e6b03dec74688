// SPDX-License-Identifier: MIT
// posenc: sinusoidal absolute position encodings (see sinusoidal.hpp for the formulas and sources).
#include "posenc/sinusoidal.hpp"

#include <algorithm>
#include <cmath>

#include "posenc/sincos.hpp"

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
  // The fastest frequency is at most 1 / base (bases below 1 give frequencies above 1); with positions
  // up to 2^24 + 1 its angles must stay finite (a base of 5e-324 gave infinite angles and NaN rows:
  // found by fuzz_bias).
  if (!std::isfinite(static_cast<double>(max_position + 1) / p.base))
    return Status::range("base", "is too small: 2^24 / base overflows float64 (base must be at least about 1e-300)");
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
  const bool fairseq = is_fairseq(p);
  const std::size_t h = p.dim / 2;
  // vaswani with odd d: the last frequency has no cosine column; it is written below.
  const std::size_t npaired = (!fairseq && p.dim % 2 == 1) ? nfreq - 1 : nfreq;
  double w[freq_block];
  for (std::size_t f0 = 0; f0 < npaired; f0 += freq_block) {
    const std::size_t nf = std::min(freq_block, npaired - f0);
    for (std::size_t i = 0; i < nf; ++i) w[i] = sinusoidal_frequency(p, f0 + i);
    const SincosOut o = fairseq ? SincosOut{SincosLayout::planar, out.data() + f0, out.data() + h + f0, p.dim}
                                : SincosOut{SincosLayout::interleaved, out.data() + 2 * f0, nullptr, p.dim};
    sincos_rows_fast(std::span<const double>(w, nf), p.offset, p.length, 1.0, o);
  }
  if (npaired < nfreq) {
    const double w_last = sinusoidal_frequency(p, npaired);
    for (std::size_t r = 0; r < p.length; ++r) {
      const double pos = static_cast<double>(p.offset) + static_cast<double>(r);
      out[r * p.dim + p.dim - 1] = static_cast<float>(std::sin(pos * w_last));
    }
  }
  zero_padding_column(p, out);
}

}  // namespace posenc
