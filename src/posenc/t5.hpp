// SPDX-License-Identifier: MIT
// posenc: T5 relative position buckets and bias (Raffel et al. 2020, "Exploring the Limits of Transfer
// Learning with a Unified Text-to-Text Transformer", sec. 2.1).
//
// Buckets as Hugging Face transformers computes them (src/transformers/models/t5/modeling_t5.py,
// T5Attention._relative_position_bucket), for rp = key position - query position (negative: the key
// comes before the query):
//
//     n = num_buckets, base = 0
//     bidirectional:  n = n // 2;  base = n if rp > 0;  r = |rp|
//     causal:         r = max(-rp, 0)                        (keys after the query: bucket 0)
//     e = n // 2                                             (max_exact)
//     bucket = base + r                                                       r < e
//            = base + min(n - 1, e + trunc(f32(log(f32(r) / e)) / f32(log(max_distance / e)) * (n - e)))
//
// The large branch runs in float32 as the reference does (relative_position.float(); the divisor is
// Python's float64 math.log, which torch rounds to float32 for a float32 tensor), the log is taken in
// float32 (logf), and trunc rounds toward zero (.to(torch.long)). This matters where the exact value is
// an integer: with num_buckets 20 and max_distance 160, |rp| = 10 gives exactly 1 in float32 (bucket 6)
// and 1 - 1e-16 in float64 (bucket 5).
//
// Domain: e >= 1 (num_buckets >= 2, or >= 4 when bidirectional) and max_distance > e, so the log
// ratio is positive and finite. An odd num_buckets is accepted with the reference's floor division
// (when bidirectional, the last bucket is then never used).
//
// Bias (T5Attention.compute_bias): a learned table, relative_attention_bias.weight, of shape
// [num_buckets][heads] (row-major: table[b * heads + h]); with the geometry of nope.hpp
//
//     bias[h][i][j] = table[bucket(j - p_i)][h]        p_i = queryOffset + i
//
// No mask is applied (T5's decoder adds its causal mask separately: add nope_bias for it).
//
// Kernels. t5_bias_reference computes the bucket of every element. The bias depends on j - i only
// (a Toeplitz matrix per head), so t5_bias_fast computes the first row of each head, and builds each
// next row by a one-element shift (row i+1 = [new value] ++ row i [0 .. keys-2]): one bucket per
// row and a memcpy. The copy is already vectorised by the library, and a table gather has no SSE2
// form, so xsimd adds nothing here. Both kernels give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/nope.hpp"
#include "posenc/status.hpp"

namespace posenc {

struct T5BucketParams {
  bool bidirectional = true;        // encoder (true) or decoder (false)
  std::int32_t num_buckets = 32;    // T5's relative_attention_num_buckets
  std::int32_t max_distance = 128;  // T5's relative_attention_max_distance
};

struct T5BiasParams {
  AttentionShape shape;  // heads, queries, keys, query_offset (nope.hpp)
  T5BucketParams buckets;
};

// Validate the bucket parameters: num_buckets in [2, 65536] with max_exact >= 1, max_distance > max_exact.
Status t5_bucket_check(const T5BucketParams& params);

// The bucket of one relative position. Precondition: t5_bucket_check passed.
std::int32_t t5_bucket(std::int64_t relative_position, const T5BucketParams& params);

// Buckets of many relative positions (out.size() == relative_positions.size()).
Status t5_buckets(std::span<const std::int32_t> relative_positions, const T5BucketParams& params,
                  std::span<std::int32_t> out);

// Validate the bias parameters, the table (num_buckets * heads finite values) and the output size.
Status t5_bias_check(const T5BiasParams& params, std::span<const float> table, std::size_t out_size);

// Fill `out` ([heads][queries][keys]) with the bias. Validates first; writes nothing on error.
Status t5_bias(const T5BiasParams& params, std::span<const float> table, std::span<float> out);

// Scalar reference and the row-shift kernel. Precondition: t5_bias_check passed.
void t5_bias_reference(const T5BiasParams& params, std::span<const float> table, std::span<float> out);
void t5_bias_fast(const T5BiasParams& params, std::span<const float> table, std::span<float> out);

}  // namespace posenc
