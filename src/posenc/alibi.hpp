// SPDX-License-Identifier: MIT
// posenc: ALiBi, attention with linear biases (Press, Smith, Lewis 2022, "Train Short, Test Long:
// Attention with Linear Biases Enables Input Length Extrapolation", ICLR 2022).
//
// Slopes, as ofirpress/attention_with_linear_biases computes them (fairseq/models/transformer.py,
// TransformerDecoder.__init__: get_slopes, get_slopes_power_of_2), in float64 like its Python floats:
//
//     pow2(n):   start = 2^(-2^-(log2(n) - 3))                  (= 2^(-8/n))
//                m_i   = start * start^i,  i = 0 .. n-1         (= 2^(-8(i+1)/n), up to rounding)
//     slopes(n): pow2(n)                                 if n is a power of two
//                pow2(c) ++ slopes(2c)[0::2][:n - c]     otherwise, c = 2^floor(log2 n); NOT sorted
//
// e.g. slopes(3) = (1/16, 1/256, 1/4). The model keeps torch.Tensor(slopes) (float32), and every bias
// below uses those float32 slopes.
//
// Bias, [heads][queries][keys] with the geometry of nope.hpp (query i at position p = queryOffset + i,
// key j at position j):
//
//     relative  (the paper, Fig. 3)      b[h,i,j] = m_h * (j - p)      j <= p,  -inf for j > p
//     reference (the reference code)     b[h,i,j] = m_h * j            j <= p,  -inf for j > p
//     symmetric (causal = false)         b[h,i,j] = -(m_h * |j - p|)   every j
//
// The reference form is what TransformerDecoder.buffered_future_mask returns: triu(-inf, 1) + alibi,
// where alibi[h, 0, j] = slopes[h] * arange(maxpos)[j] is the same for every query row. In each row it
// differs from the paper's form by the constant m_h * p, which softmax cancels, so both give the
// same attention. The symmetric form is the one the authors suggest for encoders
// (attention_with_linear_biases issue #5). Each value is the float32 product of the float32 slope and
// the integer distance, rounded once, as the reference's float32 tensors compute it; zeros are +0.
// Precision at long contexts: near the diagonal, where softmax puts its weight, the reference form
// holds m * j ~ m * p, so its rounding error grows with the position, up to 2^-24 m p (4e-4 at
// p = 10^4 for m = 0.7), and softmax does not cancel it. The relative form stays small and exact there.
//
// Kernels. alibi_bias_reference evaluates each element with scalar code. alibi_bias_fast does the same
// arithmetic on xsimd batches: key indices are held as floats (exact up to 2^24), and the mask is a
// select, so no inf * 0 can make a NaN. Its scalar loop finishes each row, or does the whole row
// without SIMD. The two agree bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/nope.hpp"
#include "posenc/status.hpp"

namespace posenc {

enum class AlibiForm : std::int32_t {
  relative = 0,   // m * (j - p): the paper's matrix
  reference = 1,  // m * j: the reference code's matrix (causal only)
};

struct AlibiBiasParams {
  AttentionShape shape;  // heads, queries, keys, query_offset (nope.hpp)
  bool causal = true;    // false: the symmetric encoder form -(m |j - p|)
  AlibiForm form = AlibiForm::relative;
};

// Slope of head h of n heads, in float64, as get_slopes computes it. Precondition: h < n.
double alibi_slope(std::size_t n, std::size_t h);

// All slopes: heads = out.size() (at least 1). The float overload rounds each float64 slope to
// float32, as torch.Tensor(get_slopes(n)) does.
Status alibi_slopes(std::span<double> out);
Status alibi_slopes(std::span<float> out);

// Validate the parameters and the output size (heads * queries * keys).
Status alibi_bias_check(const AlibiBiasParams& params, std::size_t out_size);

// Fill `out` with the bias. Validates first; writes nothing on error. Uses the fast kernel.
Status alibi_bias(const AlibiBiasParams& params, std::span<float> out);

// Scalar reference and the xsimd kernel. Precondition: alibi_bias_check passed.
void alibi_bias_reference(const AlibiBiasParams& params, std::span<float> out);
void alibi_bias_fast(const AlibiBiasParams& params, std::span<float> out);

}  // namespace posenc
