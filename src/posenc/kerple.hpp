// SPDX-License-Identifier: MIT
// posenc: KERPLE, kernelized relative positional embedding (Chi, Fan, Ramadge, Rudnicky 2022, "KERPLE:
// Kernelized Relative Positional Embedding for Length Extrapolation", NeurIPS 2022).
//
// The bias is a shift-invariant conditionally positive definite kernel of the distance d = |p_i - j|
// (negated), with two positive parameters per head. With the geometry of nope.hpp
// (p_i = queryOffset + i):
//
//     log   : bias[h][i][j] = -r1_h * log(1 + r2_h * d)       r1, r2 > 0
//     power : bias[h][i][j] = -r1_h * d^r2_h                  r1 > 0, 0 < r2 <= 2
//     causal: -inf where j > p_i (the decoder's mask); causal = false: the kernel for every j
//
// Reference code: chijames/KERPLE, megatron/mpu/layers.py. ParallelKerpleLog computes
// -bias_p * log(1 + bias_a * diff), so r1 = bias_p and r2 = bias_a. ParallelKerplePower computes
// -bias_a * diff^bias_p, so r1 = bias_a and r2 = bias_p; the names are swapped. diff =
// tril(i - j), and the causal mask is applied separately. Both are learned per head. The
// reference starts them uniformly in (0, 2) for p and (0, 1) for a, and clamps them to >= 0.01
// (p <= 2 for the power kernel). Since there is no canonical value, the caller gives them.
//
// Precision. r1 and r2 are float32 (the model's parameters). Each value is the formula evaluated in
// float64 (log1p, pow) and rounded once to float32. Zeros (d = 0) are +0. A bias too large for float32
// is refused (see kerple_bias_check).
//
// Kernels. kerple_bias_reference evaluates every element. The bias depends on p_i - j only (a
// Toeplitz matrix per head), so kerple_bias_fast evaluates the first row, builds each next row by a
// one-element shift (row i+1 = [new value] ++ row i [0 .. keys-2]), and so costs one log or pow per
// row plus a memcpy. Per-element evaluation with xsimd would still cost a log per element, and its
// float32 log is a few ulp off. Both kernels give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/nope.hpp"
#include "posenc/status.hpp"

namespace posenc {

enum class KerpleVariant : std::int32_t {
  log = 0,    // -r1 log(1 + r2 d)
  power = 1,  // -r1 d^r2
};

struct KerpleBiasParams {
  AttentionShape shape;  // heads, queries, keys, query_offset (nope.hpp)
  bool causal = true;    // false: the kernel at every key (encoders)
  KerpleVariant variant = KerpleVariant::log;
};

// Validate: the shape, r1 and r2 (one value per head, finite, > 0; r2 <= 2 for power), the output
// size, and that no value overflows float32 (r1 * kernel(largest distance) <= FLT_MAX).
Status kerple_bias_check(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                         std::size_t out_size);

// Fill `out` ([heads][queries][keys]) with the bias. Validates first; writes nothing on error.
Status kerple_bias(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                   std::span<float> out);

// Scalar reference and the row-shift kernel. Precondition: kerple_bias_check passed.
void kerple_bias_reference(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                           std::span<float> out);
void kerple_bias_fast(const KerpleBiasParams& params, std::span<const float> r1, std::span<const float> r2,
                      std::span<float> out);

}  // namespace posenc
