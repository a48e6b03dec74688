// SPDX-License-Identifier: MIT
// posenc: KERPLE log and power biases (see kerple.hpp for the formulas and sources).
#include "posenc/kerple.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace posenc {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// -r1 * kernel(d) in float64, for a distance d >= 0.
inline double kernel(KerpleVariant v, double r1, double r2, double d) {
  return v == KerpleVariant::log ? -(r1 * std::log1p(r2 * d)) : -(r1 * std::pow(d, r2));
}

// The bias of head h for query position p and key j, rounded to float32.
inline float element(const KerpleBiasParams& p, std::span<const float> r1, std::span<const float> r2, std::size_t h,
                     std::int64_t pos, std::int64_t j) {
  if (j > pos && p.causal) return neg_inf;
  const std::int64_t d = j > pos ? j - pos : pos - j;
  if (d == 0) return 0.0f;
  return static_cast<float>(kernel(p.variant, r1[h], r2[h], static_cast<double>(d)));
}

// One value per head, finite and > 0; at most 2 when `up_to_two`.
Status check_per_head(const char* name, std::span<const float> x, std::size_t heads, bool up_to_two) {
  if (x.size() != heads) return Status::range(name, "must have one value per head");
  for (float v : x) {
    if (!std::isfinite(v) || !(v > 0.0f)) return Status::range(name, "must be finite and > 0");
    if (up_to_two && v > 2.0f) return Status::range(name, "must be at most 2 for the power variant");
  }
  return Status::success();
}

}  // namespace

Status kerple_bias_check(const KerpleBiasParams& p, std::span<const float> r1, std::span<const float> r2,
                         std::size_t out_size) {
  if (p.variant != KerpleVariant::log && p.variant != KerpleVariant::power)
    return Status::type("variant", "must be 'log' or 'power'");
  if (Status s = attention_shape_check(p.shape, out_size); !s.ok()) return s;
  if (Status s = check_per_head("r1", r1, p.shape.heads, false); !s.ok()) return s;
  if (Status s = check_per_head("r2", r2, p.shape.heads, p.variant == KerpleVariant::power); !s.ok()) return s;
  // The largest distance in the matrix (causal: key 0 from the last query), where |bias| is largest.
  const std::int64_t p0 = first_query_position(p.shape);
  const std::int64_t last = p0 + static_cast<std::int64_t>(p.shape.queries) - 1;
  const std::int64_t far = p.causal ? last : std::max(last, static_cast<std::int64_t>(p.shape.keys) - 1 - p0);
  for (std::size_t h = 0; h < p.shape.heads; ++h)
    if (!(-kernel(p.variant, r1[h], r2[h], static_cast<double>(far)) <= std::numeric_limits<float>::max()))
      return Status::range("r1", "is so large that the bias exceeds the float32 range");
  return Status::success();
}

Status kerple_bias(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                   std::span<float> out) {
  if (Status s = kerple_bias_check(params, r1, r2, out.size()); !s.ok()) return s;
  kerple_bias_fast(params, r1, r2, out);
  return Status::success();
}

void kerple_bias_reference(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                           std::span<float> out) {
  fill_bias_reference(params.shape, out,
                      [&](std::size_t h, std::int64_t p, std::int64_t j) { return element(params, r1, r2, h, p, j); });
}

void kerple_bias_fast(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                      std::span<float> out) {
  const AttentionShape& s = params.shape;
  const std::int64_t p0 = first_query_position(s);
  for (std::size_t h = 0; h < s.heads; ++h) {
    float* head = out.data() + h * s.queries * s.keys;
    for (std::size_t j = 0; j < s.keys; ++j) head[j] = element(params, r1, r2, h, p0, static_cast<std::int64_t>(j));
    // Row i = [its element 0] ++ row i-1 without its last element.
    for (std::size_t i = 1; i < s.queries; ++i) {
      float* row = head + i * s.keys;
      row[0] = element(params, r1, r2, h, p0 + static_cast<std::int64_t>(i), 0);
      std::copy(row - s.keys, row - 1, row + 1);
    }
  }
}

}  // namespace posenc
