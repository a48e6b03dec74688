// SPDX-License-Identifier: MIT
// posenc: relative position representations (Shaw, Uszkoreit, Vaswani 2018, "Self-Attention with
// Relative Position Representations", eqs. 3-5), one attention head.
//
//     pos(i)    = query_offset + i            query i;  key j sits at position j
//     idx(i, j) = clip(j - pos(i), -k, k) + k  in [0, 2k]      (k = max_distance)
//     e_ij      = q_i . (k_j + aK[idx(i,j)]) / sqrt(d)          -inf if causal and j > pos(i)
//     alpha_ij  = exp(e_ij - max_j e_ij) / sum_j exp(e_ij - max_j e_ij)
//     z_i       = sum_j alpha_ij (v_j + aV[idx(i,j)])
//
// Tables aK, aV: [2k+1][d]; row r stands for the relative distance r - k, so row 0 serves every key
// k or more positions before the query and row 2k every key k or more after it.
//
//     idx for k = 2, 5 queries, 5 keys, query_offset 0:      j = 0 1 2 3 4
//                                                    i = 0 [ 2 3 4 4 4 ]
//                                                    i = 2 [ 0 1 2 3 4 ]
//                                                    i = 4 [ 0 0 0 1 2 ]
//
// Code whose conventions are followed: tensor2tensor `common_attention`:
// `_generate_relative_positions_matrix` (range_vec_k[None, :] - range_vec_q[:, None], clipped, plus
// max_relative_position; its queries are the last length_q keys, i.e. query_offset = keys - queries)
// and `dot_product_attention_relative` (logits, softmax, weights times (v + relations_values)).
//
// Layouts, row-major: q [queries][d], k and v [keys][d], logits and weights [queries][keys],
// output [queries][d]. query_offset >= 0 keeps key 0 visible to every causal query, so no row is
// fully masked.
//
// Kernels. `shaw_attention_reference` accumulates in float64, one plain loop per formula.
// `shaw_attention_fast` forms q_i . k_j and q_i . aK[r] with an xsimd float32 dot product (the two
// clipped rows r = 0 and r = 2k once per query), takes exp in float64, and accumulates z_i with an
// xsimd axpy: the interior rows of aV once per key, the clipped ones once per query with the summed
// weights. Builds without SIMD run the same algorithm in scalar loops.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/status.hpp"

namespace posenc {

// idx(i, j): the table row for query position `pos` and key position `j`, clip(j - pos, -k, k) + k.
// Non-decreasing in j, so the rows of keys [j0, j1) are shaw_row(pos, j0, k) .. shaw_row(pos, j1 - 1, k).
inline std::size_t shaw_row(std::int64_t pos, std::size_t j, std::int64_t k) {
  return static_cast<std::size_t>(std::clamp(static_cast<std::int64_t>(j) - pos, -k, k) + k);
}

struct ShawParams {
  std::size_t queries = 0;        // rows of q
  std::size_t keys = 0;           // rows of k and v
  std::size_t dim = 0;            // d: columns of q, k, v and the tables
  std::size_t max_distance = 0;   // k: relative distances are clipped to [-k, k]
  std::int64_t query_offset = 0;  // position of query 0 (the package's default: keys - queries)
  bool causal = false;            // mask keys after the query's position
};

struct ShawInputs {
  std::span<const float> q, k, v;           // [queries][d], [keys][d], [keys][d]
  std::span<const float> table_k, table_v;  // aK, aV: [2k+1][d]
};

struct ShawOutputs {
  std::span<float> logits;   // [queries][keys], -inf where masked
  std::span<float> weights;  // [queries][keys], rows sum to 1, 0 where masked
  std::span<float> output;   // [queries][d]
};

// Validate queries, keys, max_distance and query_offset (what the index matrix needs).
Status shaw_check_positions(const ShawParams& params);

// Validate everything shaw_attention needs, including the span sizes and finite inputs.
Status shaw_check(const ShawParams& params, const ShawInputs& in, const ShawOutputs& out);

// out[i * keys + j] = idx(i, j). Validates first; writes nothing on error.
Status shaw_indices(const ShawParams& params, std::span<std::int32_t> out);

// Single-head attention with relative representations (fast kernel). Validates first; writes
// nothing on error.
Status shaw_attention(const ShawParams& params, const ShawInputs& in, const ShawOutputs& out);

// Scalar float64 reference (allocates one row of doubles). Preconditions: shaw_check passed.
void shaw_attention_reference(const ShawParams& params, const ShawInputs& in, const ShawOutputs& out);

// Fast kernel: xsimd dot products and axpys, scalar tails. Preconditions: shaw_check passed.
void shaw_attention_fast(const ShawParams& params, const ShawInputs& in, const ShawOutputs& out);

}  // namespace posenc
