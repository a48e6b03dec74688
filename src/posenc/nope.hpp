// SPDX-License-Identifier: MIT
// posenc: NoPE (no positional encoding), and the attention-bias geometry shared by alibi, t5 and
// kerple.
//
// NoPE (Haviv et al. 2022, "Transformer Language Models without Positional Encodings Still Learn
// Positional Information"; Kazemnejad et al. 2023, "The Impact of Positional Encoding on Length
// Generalization in Transformers") adds nothing to the attention scores. All that is left is the
// mask, so that is what nope_bias returns:
//
//     bias[h, i, j] = 0       j <= p_i           p_i = queryOffset + i (position of query i)
//                   = -inf    j >  p_i           causal = false: 0 everywhere
//
// Why a decoder can do without positions. With no position signal, self-attention is permutation
// equivariant: reordering the tokens reorders the outputs and changes nothing else, so an encoder
// (full mask) sees a bag of tokens. The causal mask breaks that symmetry, because query i sees
// exactly p_i + 1 keys. For example, attention that is uniform over the visible keys gives weights
// 1/(p_i + 1), which a later layer can read as a position. Kazemnejad et al. (Theorem 1) build the
// absolute positions this way in the first layer. Haviv et al. find causal language models without
// positions close to ones with positions, and masked (encoder) models without positions far behind.
//
// Geometry of every attention bias in posenc (AttentionShape). Row-major [heads][queries][keys].
// Query i sits at position p_i = queryOffset + i, and key j at position j. The default queryOffset
// is keys - queries: the queries are the last positions, as when decoding with a key-value cache.
//
//     out: | head 0: query 0 [key 0 .. key K-1] | query 1 [...] | ... | head 1: query 0 [...] | ...
//
// Positions lie in [0, 2^24], heads in [1, 65536], and no output exceeds 256 MiB (status.hpp).
// Masked entries are -inf, and the zeros are +0.
//
// Kernels. nope_bias_reference tests every element. nope_bias_fast fills each row with xsimd
// (select(j <= p, 0, -inf)) and finishes the tail with the scalar loop. Without SIMD, the scalar loop
// fills the whole row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "posenc/status.hpp"

namespace posenc {

// The largest head count accepted (models use at most a few hundred).
inline constexpr std::size_t max_heads = 65536;

// The shape of a [heads][queries][keys] attention bias.
struct AttentionShape {
  std::size_t heads = 1;
  std::size_t queries = 0;
  std::size_t keys = 0;
  std::optional<std::int64_t> query_offset;  // position of query 0; unset: keys - queries
};

// Validate the shape and the output size (out_size must be heads * queries * keys). The parameter
// names in the errors are the JavaScript ones: heads, queries, keys, queryOffset, out.
Status attention_shape_check(const AttentionShape& shape, std::size_t out_size);

// Position of query 0 (query_offset, or keys - queries when unset). Precondition: the check passed.
std::int64_t first_query_position(const AttentionShape& shape);

// Write f(head, query position, key position) to every element of a [heads][queries][keys] bias,
// in order: the loop of every scalar reference kernel. Precondition: the check passed.
template <class F>
void fill_bias_reference(const AttentionShape& s, std::span<float> out, F f) {
  const std::int64_t p0 = first_query_position(s);
  float* o = out.data();
  for (std::size_t h = 0; h < s.heads; ++h)
    for (std::size_t i = 0; i < s.queries; ++i)
      for (std::size_t j = 0; j < s.keys; ++j)
        *o++ = f(h, p0 + static_cast<std::int64_t>(i), static_cast<std::int64_t>(j));
}

struct NopeParams {
  AttentionShape shape;
  bool causal = true;  // false: no mask (all zeros)
};

// Fill `out` ([heads][queries][keys]) with the mask. Validates first and writes nothing on error.
Status nope_bias(const NopeParams& params, std::span<float> out);

// Scalar reference: one comparison per element. Precondition: the check passed.
void nope_bias_reference(const NopeParams& params, std::span<float> out);

// Fast kernel: xsimd select per row where the build has SIMD, scalar otherwise. Same precondition.
void nope_bias_fast(const NopeParams& params, std::span<float> out);

}  // namespace posenc
