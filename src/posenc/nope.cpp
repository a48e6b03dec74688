// SPDX-License-Identifier: MIT
// posenc: NoPE, the causal mask alone, and the shared attention geometry (see nope.hpp).
#include "posenc/nope.hpp"

#include <algorithm>
#include <limits>

#include "posenc/simd.hpp"

namespace posenc {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

inline float mask_value(std::int64_t p, std::int64_t j) { return j <= p ? 0.0f : neg_inf; }

// Row [0, n) with n a multiple of the batch size, for query position p; returns n.
#if POSENC_HAVE_SIMD
std::size_t mask_row_simd(float* row, std::size_t keys, float p) {
  using B = simd::batch_f32;
  constexpr std::size_t lanes = B::size;
  alignas(64) float first[lanes];
  for (std::size_t k = 0; k < lanes; ++k) first[k] = static_cast<float>(k);
  B j = B::load_aligned(first);  // key indices as floats: exact up to 2^24
  const B step(static_cast<float>(lanes)), pos(p), zero(0.0f), masked(neg_inf);
  const std::size_t n = keys / lanes * lanes;
  for (std::size_t k = 0; k < n; k += lanes, j += step) xsimd::select(j <= pos, zero, masked).store_unaligned(row + k);
  return n;
}
#else
std::size_t mask_row_simd(float*, std::size_t, float) { return 0; }
#endif

}  // namespace

Status attention_shape_check(const AttentionShape& s, std::size_t out_size) {
  if (s.heads == 0 || s.heads > max_heads) return Status::range("heads", "must be in [1, 65536]");
  if (s.queries == 0) return Status::range("queries", "must be at least 1");
  if (s.keys == 0) return Status::range("keys", "must be at least 1");
  if (s.keys > static_cast<std::uint64_t>(max_position) + 1)
    return Status::range("keys", "must be at most 2^24 + 1 (key j is at position j <= 2^24)");
  if (s.queries > max_output_floats / s.keys || s.heads > max_output_floats / (s.queries * s.keys))
    return Status::range("queries", "heads * queries * keys exceeds the 256 MiB output limit");
  if (!s.query_offset && s.keys < s.queries)
    return Status::range("queryOffset", "defaults to keys - queries, which is negative here: give it explicitly");
  const std::int64_t p0 = first_query_position(s);
  if (p0 < 0) return Status::range("queryOffset", "must be >= 0");
  if (p0 > max_position - static_cast<std::int64_t>(s.queries - 1))
    return Status::range("queryOffset", "queryOffset + queries - 1 exceeds the largest position, 2^24");
  if (out_size != s.heads * s.queries * s.keys)
    return Status::range("out", "must hold exactly heads * queries * keys floats");
  return Status::success();
}

std::int64_t first_query_position(const AttentionShape& s) {
  return s.query_offset.value_or(static_cast<std::int64_t>(s.keys) - static_cast<std::int64_t>(s.queries));
}

Status nope_bias(const NopeParams& params, std::span<float> out) {
  if (Status s = attention_shape_check(params.shape, out.size()); !s.ok()) return s;
  nope_bias_fast(params, out);
  return Status::success();
}

void nope_bias_reference(const NopeParams& params, std::span<float> out) {
  fill_bias_reference(params.shape, out, [&](std::size_t, std::int64_t p, std::int64_t j) {
    return params.causal ? mask_value(p, j) : 0.0f;
  });
}

void nope_bias_fast(const NopeParams& params, std::span<float> out) {
  const AttentionShape& s = params.shape;
  if (!params.causal) {
    std::fill(out.begin(), out.end(), 0.0f);
    return;
  }
  const std::int64_t p0 = first_query_position(s);
  for (std::size_t h = 0; h < s.heads; ++h) {
    for (std::size_t i = 0; i < s.queries; ++i) {
      const std::int64_t p = p0 + static_cast<std::int64_t>(i);
      float* row = out.data() + (h * s.queries + i) * s.keys;
      std::size_t j = mask_row_simd(row, s.keys, static_cast<float>(p));
      for (; j < s.keys; ++j) row[j] = mask_value(p, static_cast<std::int64_t>(j));
    }
  }
}

}  // namespace posenc
