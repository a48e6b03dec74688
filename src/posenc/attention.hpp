// SPDX-License-Identifier: MIT
// posenc: multi-head scaled dot-product attention with every position method plugged in where the
// method puts it.
//
//     out_i = sum_j softmax_j( scale * (q_i . k_j) + b_ij ) v_j        scale = 1 / sqrt(head_dim)
//
//   none      nothing (NoPE; with `causal`, the mask is the only position signal)
//   absolute  a position table (sinusoidal or learned) added to q, k and v at their positions, as
//             x + PE reaches all three through the projections of a transformer layer
//   rope      q and k rotated (rope.hpp, any scaling, either layout)
//   xpos      q and k rotated and scaled (queries up, keys down; one centre for both)
//   alibi     b_ij = -m_h |p_i - j|                       (alibi.hpp slopes)
//   t5        b_ij = table[bucket(j - p_i)][h]             (t5.hpp buckets)
//   kerple    b_ij = -r1_h log(1 + r2_h |p_i - j|) or power (kerple.hpp)
//   shaw      q_i . (k_j + aK[c]) in the logit, v_j + aV[c] in the output, c = clip(j - p_i, -K, K) + K
//             (shaw.hpp; the tables are shared by all heads, as in the paper)
// Query i sits at position p_i = query_offset + i, key j at position j. `causal` masks j > p_i.
//
// Shapes (row-major): q [queries][heads][head_dim], k and v [keys][heads][head_dim], out like q,
// weights [heads][queries][keys] (optional).
//
// Every bias above depends on j - p_i only, so the engine evaluates it once per head for every
// relative distance (queries + keys - 1 values) and reads row i as a contiguous slice: no
// [queries x keys] bias matrix is ever formed.
//
// Two paths, equal up to float32 rounding:
//   plain      per block of 32 queries: scores against every needed key, the fused bias + softmax
//              (softmax.hpp), then P * V (matmul.hpp). Can return the attention weights.
//   streaming  online softmax (Milakov & Gimelshein 2018; as FlashAttention): keys in blocks of 256,
//              a running maximum and sum per query, the output rescaled as the maximum grows. Memory
//              O(block * (keys + head_dim)) per call, so 16k-token sequences fit in a browser tab.
// Per head, q, k and v are gathered into contiguous scratch (and K transposed) once. The scratch
// comes from the caller (attention_workspace_floats) or is malloc'd per call; an allocation
// failure is reported as a Status, never thrown.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/kerple.hpp"
#include "posenc/rope.hpp"
#include "posenc/status.hpp"
#include "posenc/t5.hpp"

namespace posenc {

enum class PositionMethod : std::int32_t {
  none = 0, absolute = 1, rope = 2, xpos = 3, alibi = 4, t5 = 5, kerple = 6, shaw = 7,
};

struct AttentionParams {
  std::size_t queries = 0;
  std::size_t keys = 0;
  std::size_t heads = 1;
  std::size_t head_dim = 0;
  std::int64_t query_offset = -1;  // position of query 0; -1: keys - queries
  bool causal = false;
  double scale = std::nan("");     // unset: 1 / sqrt(head_dim)
  bool streaming = false;

  PositionMethod method = PositionMethod::none;
  // absolute: [rows][head_dim], row p added at position p
  std::span<const float> table;
  // rope / xpos
  std::span<const double> inv_freq;
  double attention_factor = 1.0;
  RopeLayout layout = RopeLayout::half;
  double xpos_gamma = 0.4;
  double xpos_scale_base = 512.0;
  // t5: [num_buckets][heads]
  T5BucketParams t5;
  std::span<const float> t5_table;
  // kerple: one r1 and one r2 per head
  KerpleVariant kerple_variant = KerpleVariant::log;
  std::span<const float> kerple_r1;
  std::span<const float> kerple_r2;
  // shaw: [2 * max_distance + 1][head_dim] each
  std::span<const float> shaw_k;
  std::span<const float> shaw_v;
  std::size_t shaw_max_distance = 0;
};

// The logit scale the engine uses: p.scale, or 1 / sqrt(head_dim) (rounded once from double) when unset.
float attention_scale(const AttentionParams& p);

// Scratch floats attention() needs for these parameters.
std::size_t attention_workspace_floats(const AttentionParams& p);

// Validates everything, then writes out (and weights, when it is not empty: it must then hold
// heads * queries * keys floats, and the path must be plain). Nothing is written on error, except
// when the logits (scale * q.k + bias) or the outputs overflow float32: that is found during the
// computation (the softmax checks each row's maximum; the outputs are scanned once), out and
// weights are zeroed, and the error names the input at fault (q, k, v, scale or position.table).
// xPos positions whose scale zeta^(|position - centre| / scaleBase) leaves float32 are refused
// first (scaleBase).
// `workspace`: at least attention_workspace_floats(p) floats of scratch (nothing is allocated), or
// empty (the scratch is malloc'd and freed inside the call).
Status attention(const AttentionParams& p, std::span<const float> q, std::span<const float> k,
                 std::span<const float> v, std::span<float> out, std::span<float> weights,
                 std::span<float> workspace = {});

}  // namespace posenc
