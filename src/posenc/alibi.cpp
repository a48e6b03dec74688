// SPDX-License-Identifier: MIT
// posenc: ALiBi slopes and biases (see alibi.hpp for the formulas and sources).
#include "posenc/alibi.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "posenc/simd.hpp"

namespace posenc {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// get_slopes_power_of_2(n)[i], with Python's operations: 2 ** float and float ** int are C pow().
double pow2_slope(std::size_t n, std::size_t i) {
  const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(static_cast<double>(n)) - 3.0)));
  return start * std::pow(start, static_cast<double>(i));
}

// Which of the three matrices a parameter set asks for.
enum class Kind { relative, reference, symmetric };

Kind kind_of(const AlibiBiasParams& p) {
  if (!p.causal) return Kind::symmetric;
  return p.form == AlibiForm::reference ? Kind::reference : Kind::relative;
}

// The reference kernel's element: the formulas of the header, written as directly as possible.
float reference_element(Kind kind, float m, std::int64_t p, std::int64_t j) {
  if (kind == Kind::symmetric) {
    const std::int64_t d = j > p ? j - p : p - j;
    return d == 0 ? 0.0f : -(m * static_cast<float>(d));
  }
  if (j > p) return neg_inf;
  if (kind == Kind::reference) return m * static_cast<float>(j);
  return j == p ? 0.0f : -(m * static_cast<float>(p - j));
}

// The fast kernel's element: the same operations as its SIMD lanes (equal to the reference, bit for
// bit: negation is exact and x - y of integers below 2^24 is exact in float).
template <Kind K>
inline float fast_element(float m, std::int64_t p, std::int64_t j) {
  if constexpr (K == Kind::symmetric) {
    return m * static_cast<float>(-(j > p ? j - p : p - j));  // -|d| as an integer: +0 on the diagonal
  } else {
    if (j > p) return neg_inf;
    return m * static_cast<float>(K == Kind::relative ? j - p : j);
  }
}

// Row elements [0, n), n the largest multiple of the batch size <= keys; returns n.
#if POSENC_HAVE_SIMD
template <Kind K>
std::size_t row_simd(float* row, std::size_t keys, float m, float p) {
  using B = simd::batch_f32;
  constexpr std::size_t lanes = B::size;
  alignas(64) float first[lanes];
  for (std::size_t k = 0; k < lanes; ++k) first[k] = static_cast<float>(k);
  B j = B::load_aligned(first);  // key indices as floats: exact up to 2^24
  const B step(static_cast<float>(lanes)), pos(p), slope(m), masked(neg_inf);
  const std::size_t n = keys / lanes * lanes;
  for (std::size_t k = 0; k < n; k += lanes, j += step) {
    B v;
    if constexpr (K == Kind::symmetric) {
      v = slope * xsimd::min(j - pos, pos - j);  // -|j - p|, +0 when j == p
    } else if constexpr (K == Kind::relative) {
      v = xsimd::select(j <= pos, slope * (j - pos), masked);
    } else {
      v = xsimd::select(j <= pos, slope * j, masked);
    }
    v.store_unaligned(row + k);
  }
  return n;
}
#else
template <Kind K>
std::size_t row_simd(float*, std::size_t, float, float) {
  return 0;
}
#endif

template <Kind K>
void fill_fast(const AttentionShape& s, std::span<float> out) {
  const std::int64_t p0 = first_query_position(s);
  for (std::size_t h = 0; h < s.heads; ++h) {
    const float m = static_cast<float>(alibi_slope(s.heads, h));
    for (std::size_t i = 0; i < s.queries; ++i) {
      const std::int64_t p = p0 + static_cast<std::int64_t>(i);
      float* row = out.data() + (h * s.queries + i) * s.keys;
      std::size_t j = row_simd<K>(row, s.keys, m, static_cast<float>(p));
      for (; j < s.keys; ++j) row[j] = fast_element<K>(m, p, static_cast<std::int64_t>(j));
    }
  }
}

}  // namespace

double alibi_slope(std::size_t n, std::size_t h) {
  if (std::has_single_bit(n)) return pow2_slope(n, h);
  // get_slopes(n) = get_slopes_power_of_2(c) + get_slopes(2c)[0::2][:n - c]
  const std::size_t c = std::bit_floor(n);
  return h < c ? pow2_slope(c, h) : pow2_slope(2 * c, 2 * (h - c));
}

Status alibi_slopes(std::span<double> out) {
  if (out.empty() || out.size() > max_heads) return Status::range("heads", "must be in [1, 65536]");
  for (std::size_t h = 0; h < out.size(); ++h) out[h] = alibi_slope(out.size(), h);
  return Status::success();
}

Status alibi_slopes(std::span<float> out) {
  if (out.empty() || out.size() > max_heads) return Status::range("heads", "must be in [1, 65536]");
  for (std::size_t h = 0; h < out.size(); ++h) out[h] = static_cast<float>(alibi_slope(out.size(), h));
  return Status::success();
}

Status alibi_bias_check(const AlibiBiasParams& p, std::size_t out_size) {
  if (p.form != AlibiForm::relative && p.form != AlibiForm::reference)
    return Status::type("form", "must be 'relative' or 'reference'");
  if (p.form == AlibiForm::reference && !p.causal)
    return Status::range("form",
                         "'reference' needs causal = true (m * j equals the paper's bias only under the causal mask)");
  return attention_shape_check(p.shape, out_size);
}

Status alibi_bias(const AlibiBiasParams& params, std::span<float> out) {
  if (Status s = alibi_bias_check(params, out.size()); !s.ok()) return s;
  alibi_bias_fast(params, out);
  return Status::success();
}

void alibi_bias_reference(const AlibiBiasParams& params, std::span<float> out) {
  const AttentionShape& s = params.shape;
  const Kind kind = kind_of(params);
  std::vector<float> slopes(s.heads);
  for (std::size_t h = 0; h < s.heads; ++h) slopes[h] = static_cast<float>(alibi_slope(s.heads, h));
  fill_bias_reference(
      s, out, [&](std::size_t h, std::int64_t p, std::int64_t j) { return reference_element(kind, slopes[h], p, j); });
}

void alibi_bias_fast(const AlibiBiasParams& params, std::span<float> out) {
  switch (kind_of(params)) {
    case Kind::relative:
      return fill_fast<Kind::relative>(params.shape, out);
    case Kind::reference:
      return fill_fast<Kind::reference>(params.shape, out);
    case Kind::symmetric:
      return fill_fast<Kind::symmetric>(params.shape, out);
  }
}

}  // namespace posenc
