// SPDX-License-Identifier: MIT
// posenc: the analyses the demo site draws. The numbers come from the core's own encodings and
// attention engine; these functions only arrange and compare them.
//
// Similarity of position vectors: X is an absolute table [rows][dim] (sinusoidal, learned, ...).
//
//     dot      S = X X^T                                   matmul_fast (float32 sums over dim)
//     cosine   S = U U^T,  u_i = x_i / |x_i|               norms in float64; S clamped to [-1, 1];
//                                                          S_ii = 1 exactly
//
// S is exactly symmetric (the lower triangle is copied from the upper one). A zero row has cosine 0
// with every row, itself included, as scikit-learn's cosine_similarity (it normalises a zero row to
// zero) and torch.nn.functional.cosine_similarity (its eps turns 0/0 into 0) give.
//
// Relative score curves, as functions of the distance d = m - n from the key position n to the query
// position m (d > 0: the key comes first, the side a causal mask keeps). Output [heads][distances].
//
//     rope     s(d)   = <R(n + d) q, R(n) k>                n = max(0, -min d)
//     alibi    s_h(d) = -m_h |d|                            alibi_bias, the symmetric form
//     t5       s_h(d) = table[bucket(-d)][h]                t5_bias (its buckets take key - query)
//     kerple   s_h(d) = -r1_h log(1 + r2_h |d|)             kerple_bias, causal = false
//                     = -r1_h |d|^r2_h                      (power variant)
//
// RoPE rotates copies of q and k with rope_apply (any frequencies and attention factor, either
// layout) and sums the product of the float32 results in float64: one curve, heads = 1. The factor
// af multiplies both rotated vectors, so the rotary part of s(d) carries af^2, as Hugging Face's
// q.k does; coordinates past the rotary dimension pass through unchanged. With q = k = ones(2h)
// (RoFormer, Su et al. 2021, sec. 3.4.3 and Fig. 2): s(d) = 2 af^2 sum_i cos(d w_i).
// The bias methods fill one query row of the core's bias, the query at position p = max(0, max d)
// and keys 0 .. p - min d, and read distance d at key p - d.
//
// RoPE's relative property (RoFormer eq. 16): <R(m) q, R(n) k> depends on m - n only. The check
// evaluates the curve for `samples` key positions spread evenly over [n_0, max_position - max(0, max d)]
// (n_0 = max(0, -min d), both ends included) and returns
//
//     deviation = max over samples s and distances t of |s_{n_s}(d_t) - s_{n_0}(d_t)|
//
// which is float32 rounding only (of cos, sin and the rotated coordinates); the float64 angles are
// within 2e-9 rad at 2^24 (status.hpp). `bound` = af^2 |q_r| |k_r| + |q_p| |k_p| (rotary and
// pass-through parts) bounds |s(d)| for every d, to put the deviation in proportion.
//
// Permutation test (CLAIMS.md, claim 2). Self-attention A over L tokens (queries = keys = L, query i
// at position i). Permuting the tokens, y_i = x_perm[i] for q, k and v together, gives
//
//     error = max over i, heads, coordinates of |A(y)_i - A(x)_perm[i]|
//
// Without positions and without a mask, A is permutation-equivariant and the error is float32
// rounding (the sums run in another order). Every position method, and the causal mask alone, makes
// it large. The seeded permutation is a Fisher-Yates shuffle driven by splitmix64 (Steele, Lea,
// Flood 2014), j = (r >> 32) * (i + 1) >> 32; a shuffle that comes out as the identity is drawn again
// (so L >= 2 always moves some token).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/attention.hpp"
#include "posenc/kerple.hpp"
#include "posenc/rope.hpp"
#include "posenc/status.hpp"
#include "posenc/t5.hpp"

namespace posenc {

enum class SimilarityMetric : std::int32_t { dot = 0, cosine = 1 };

// out [rows][rows] = similarity of the rows of table [rows][dim]. Validates (finite entries; for dot,
// every product within float32: max |x_i|^2 <= FLT_MAX); writes nothing on error.
Status similarity(std::span<const float> table, std::size_t rows, std::size_t dim, SimilarityMetric metric,
                  std::span<float> out);

enum class RelativeMethod : std::int32_t { rope = 0, alibi = 1, t5 = 2, kerple = 3 };

struct RelativeScoreParams {
  RelativeMethod method = RelativeMethod::rope;
  // rope: q and k have head_dim floats each; 2 * inv_freq.size() <= head_dim
  std::span<const double> inv_freq;
  double attention_factor = 1.0;
  RopeLayout layout = RopeLayout::half;
  std::span<const float> q;
  std::span<const float> k;
  // alibi, t5, kerple
  std::size_t heads = 1;
  T5BucketParams t5;
  std::span<const float> t5_table;  // [num_buckets][heads]
  KerpleVariant kerple_variant = KerpleVariant::log;
  std::span<const float> kerple_r1;  // one per head
  std::span<const float> kerple_r2;
};

// Heads of the curves: 1 for rope, params.heads otherwise.
std::size_t relative_heads(const RelativeScoreParams& params);

// out [relative_heads][distances.size()]. Distances are integers with every position involved in
// [0, 2^24]. Validates; writes nothing on error.
Status relative_scores(const RelativeScoreParams& params, std::span<const std::int32_t> distances,
                       std::span<float> out);

struct RelativeCheck {
  double deviation = 0.0;  // max |s_n(d) - s_{n_0}(d)| over the sampled key positions n
  double bound = 0.0;      // af^2 |q_r| |k_r| + |q_p| |k_p| >= |s(d)|
};

// The check above, for params.method == rope. samples in [2, 4096]; max_position in [0, 2^24] must
// leave room for every distance.
Status rope_relative_check(const RelativeScoreParams& params, std::span<const std::int32_t> distances,
                           std::int64_t max_position, std::size_t samples, RelativeCheck& result);

// A seeded permutation of 0 .. out.size() - 1 (never the identity when out.size() >= 2).
Status random_permutation(std::uint64_t seed, std::span<std::int32_t> out);

// y[i] = x[perm[i]] for rows of row_size floats (x and y of perm.size() * row_size floats).
Status permute_rows(std::span<const float> x, std::size_t row_size, std::span<const std::int32_t> perm,
                    std::span<float> y);

// max |permuted_out[i] - out[perm[i]]| over rows i of row_size floats (NaN if any difference is NaN).
Status equivariance_error(std::span<const float> out, std::span<const float> permuted_out, std::size_t row_size,
                          std::span<const std::int32_t> perm, double& error);

// Attention of (q, k, v) into out and of the permuted tokens into permuted_out, and their
// equivariance error. p.queries == p.keys, query_offset 0 (or unset); weights are not formed.
Status permutation_test(const AttentionParams& p, std::span<const float> q, std::span<const float> k,
                        std::span<const float> v, std::span<const std::int32_t> perm, std::span<float> out,
                        std::span<float> permuted_out, double& error);

}  // namespace posenc
