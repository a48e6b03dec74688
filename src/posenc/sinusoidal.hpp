// SPDX-License-Identifier: MIT
// posenc: sinusoidal absolute position encodings.
//
// Two layouts are in use, and they differ in their frequencies, not only in the order of columns.
//
// vaswani (Vaswani et al. 2017, "Attention Is All You Need", sec. 3.5; numbers match the PyTorch
// table of harvardnlp/annotated-transformer, `PositionalEncoding`):
//
//     w_i        = base^(-2i/d)               i = 0 .. ceil(d/2)-1
//     PE[p, 2i]   = sin(p * w_i)
//     PE[p, 2i+1] = cos(p * w_i)
//
//     row p:  | sin w0 p | cos w0 p | sin w1 p | cos w1 p | ... |      (pairs interleaved)
//
// fairseq (facebookresearch/fairseq `SinusoidalPositionalEmbedding.get_embedding`; tensor2tensor's
// `get_timing_signal_1d` is the same formula):
//
//     h          = floor(d/2)
//     w_k        = exp(-k * ln(base) / (h - 1))   k = 0 .. h-1      (note h-1: w_{h-1} = 1/base)
//     PE[p, k]    = sin(p * w_k)
//     PE[p, h+k]  = cos(p * w_k)
//
//     row p:  | sin w0 p | sin w1 p | ... | sin w_{h-1} p | cos w0 p | ... | cos w_{h-1} p | (0) |
//
// Odd d. vaswani: the formula applies column by column, so the last column d-1 (even) holds
// sin(p * w_{(d-1)/2}) and has no cosine partner. fairseq: as fairseq does, a zero column is
// appended after the h sines and h cosines. fairseq needs h >= 2, i.e. d >= 4 (with h = 1 its
// denominator h - 1 is zero and the reference produces NaN).
//
// Positions. Row r of the table is position `offset + r`. fairseq's module, given padding_idx P,
// numbers the tokens of an unpadded sequence from P + 1 (its row P is all zeros): use offset = P + 1.
//
// Precision. Angles are formed in float64 and the result is rounded once to float32, so each value
// is within one float32 rounding (about 3e-8) of the float64 evaluation of the formula. The
// references compute p * w in float32, whose error grows with p (1.6e-5 at p = 2047 for d = 16);
// compared against their float32 output the difference is that reference's own error.
//
// Kernels. `sinusoidal_table_reference` evaluates sin/cos per element. The fast kernel is
// sincos_rows_fast (sincos.hpp): a float64 rotation from row to row, vectorised across frequencies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/status.hpp"

namespace posenc {

enum class SinusoidalLayout : std::int32_t {
  vaswani = 0,  // sin at even columns, cos at odd columns, w_i = base^(-2i/d)
  fairseq = 1,  // [sin | cos] halves, w_k = base^(-k/(h-1)); also tensor2tensor
};

struct SinusoidalParams {
  std::size_t length = 0;                            // rows (positions)
  std::size_t dim = 0;                               // columns (model dimension d)
  double base = 10000.0;                             // the wavelength scale (max timescale)
  SinusoidalLayout layout = SinusoidalLayout::vaswani;
  std::int64_t offset = 0;                           // position of row 0
};

// Validate the parameters and the output size (out_size must equal length * dim).
Status sinusoidal_check(const SinusoidalParams& params, std::size_t out_size);

// Number of distinct frequencies of a layout: ceil(d/2) for vaswani, floor(d/2) for fairseq.
std::size_t sinusoidal_frequency_count(const SinusoidalParams& params);

// The angular frequency w of frequency index i (radians per position), in float64.
double sinusoidal_frequency(const SinusoidalParams& params, std::size_t i);

// Fill `out` (row-major [length][dim]) with the table. Validates first; writes nothing on error.
// Uses the fast kernel.
Status sinusoidal_table(const SinusoidalParams& params, std::span<float> out);

// Scalar reference: one sin or cos per element. Preconditions: sinusoidal_check passed.
void sinusoidal_table_reference(const SinusoidalParams& params, std::span<float> out);

// Fast kernel (sincos_rows_fast): rotation recurrence, xsimd where the build has SIMD.
// Preconditions: sinusoidal_check passed.
void sinusoidal_table_fast(const SinusoidalParams& params, std::span<float> out);

}  // namespace posenc
