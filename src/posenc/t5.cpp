// SPDX-License-Identifier: MIT
// posenc: T5 relative position buckets and bias (see t5.hpp for the formulas and sources).
#include "posenc/t5.hpp"

#include <algorithm>
#include <cmath>

#include "posenc/finite.hpp"

namespace posenc {

namespace {

// table[bucket(j - p)][h] for the relative position rp = j - p.
inline float table_value(const T5BiasParams& p, std::span<const float> table, std::int64_t rp, std::size_t h) {
  return table[static_cast<std::size_t>(t5_bucket(rp, p.buckets)) * p.shape.heads + h];
}

}  // namespace

Status t5_bucket_check(const T5BucketParams& p) {
  if (p.num_buckets < 2 || p.num_buckets > 65536) return Status::range("numBuckets", "must be in [2, 65536]");
  if (p.bidirectional && p.num_buckets < 4)
    return Status::range("numBuckets",
                         "must be at least 4 when bidirectional (half of them per direction, half of those exact)");
  const std::int32_t max_exact = (p.bidirectional ? p.num_buckets / 2 : p.num_buckets) / 2;
  if (p.max_distance <= max_exact)
    return Status::range("maxDistance",
                         "must be greater than max_exact (numBuckets / 4 when bidirectional, numBuckets / 2 when not)");
  return Status::success();
}

std::int32_t t5_bucket(std::int64_t rp, const T5BucketParams& p) {
  std::int64_t n = p.num_buckets;
  std::int64_t base = 0;
  std::int64_t r = 0;
  if (p.bidirectional) {
    n /= 2;
    if (rp > 0) base = n;
    r = rp < 0 ? -rp : rp;
  } else {
    r = rp < 0 ? -rp : 0;
  }
  const std::int64_t max_exact = n / 2;
  if (r < max_exact) return static_cast<std::int32_t>(base + r);
  // float32 throughout, as the reference: log(rp.float() / max_exact) / math.log(...) * (n - max_exact)
  const float ratio = static_cast<float>(r) / static_cast<float>(max_exact);
  const float log_range =
      static_cast<float>(std::log(static_cast<double>(p.max_distance) / static_cast<double>(max_exact)));
  const float scaled = std::log(ratio) / log_range * static_cast<float>(n - max_exact);
  // scaled >= 0. At or beyond n - max_exact the bucket saturates anyway; testing first keeps the float to
  // integer conversion defined for very distant positions.
  const std::int64_t large = scaled < static_cast<float>(n) ? max_exact + static_cast<std::int64_t>(scaled) : n - 1;
  return static_cast<std::int32_t>(base + std::min(large, n - 1));
}

Status t5_buckets(std::span<const std::int32_t> relative_positions, const T5BucketParams& params,
                  std::span<std::int32_t> out) {
  if (Status s = t5_bucket_check(params); !s.ok()) return s;
  if (relative_positions.size() > max_output_floats)
    return Status::range("relativePositions", "has more values than the 256 MiB output limit allows");
  if (out.size() != relative_positions.size())
    return Status::range("out", "must have as many values as relativePositions");
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = t5_bucket(relative_positions[k], params);
  return Status::success();
}

Status t5_bias_check(const T5BiasParams& p, std::span<const float> table, std::size_t out_size) {
  if (Status s = t5_bucket_check(p.buckets); !s.ok()) return s;
  if (Status s = attention_shape_check(p.shape, out_size); !s.ok()) return s;
  if (static_cast<std::uint64_t>(table.size()) != std::uint64_t(p.buckets.num_buckets) * p.shape.heads)
    return Status::range("table", "must hold numBuckets * heads values ([numBuckets][heads], row-major)");
  if (!all_finite(table)) return Status::range("table", "must hold finite values");
  return Status::success();
}

Status t5_bias(const T5BiasParams& params, std::span<const float> table, std::span<float> out) {
  if (Status s = t5_bias_check(params, table, out.size()); !s.ok()) return s;
  t5_bias_fast(params, table, out);
  return Status::success();
}

void t5_bias_reference(const T5BiasParams& params, std::span<const float> table, std::span<float> out) {
  fill_bias_reference(params.shape, out, [&](std::size_t h, std::int64_t p, std::int64_t j) {
    return table_value(params, table, j - p, h);
  });
}

void t5_bias_fast(const T5BiasParams& params, std::span<const float> table, std::span<float> out) {
  const AttentionShape& s = params.shape;
  const std::int64_t p0 = first_query_position(s);
  const std::size_t plane = s.queries * s.keys;
  // Row 0 of every head (one bucket per key), then element 0 of every later row (one per query).
  for (std::size_t j = 0; j < s.keys; ++j) {
    const std::int32_t b = t5_bucket(static_cast<std::int64_t>(j) - p0, params.buckets);
    for (std::size_t h = 0; h < s.heads; ++h) out[h * plane + j] = table[static_cast<std::size_t>(b) * s.heads + h];
  }
  for (std::size_t i = 1; i < s.queries; ++i) {
    const std::int32_t b = t5_bucket(-(p0 + static_cast<std::int64_t>(i)), params.buckets);
    for (std::size_t h = 0; h < s.heads; ++h)
      out[h * plane + i * s.keys] = table[static_cast<std::size_t>(b) * s.heads + h];
  }
  // Row i = [element 0] ++ row i-1 without its last element.
  for (std::size_t h = 0; h < s.heads; ++h) {
    float* head = out.data() + h * plane;
    for (std::size_t i = 1; i < s.queries; ++i) {
      float* row = head + i * s.keys;
      std::copy(row - s.keys, row - 1, row + 1);
    }
  }
}

}  // namespace posenc
