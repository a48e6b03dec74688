// SPDX-License-Identifier: MIT
// posenc: the row softmax of attention, with the scale, the position bias and the causal cut fused.
//
//     z_j = scale * s_j + bias_j                  for j < valid
//     p_j = exp(z_j - max_k z_k) / sum_k exp(z_k - max_k z_k)
//     p_j = 0                                     for j >= valid   (keys after the query, causal)
//
// A bias of -inf masks a key (its p_j is exactly 0). `bias` may be null (no bias).
//
// exp is evaluated as 2^n * e^f with n = round(x / ln 2) and f = x - n ln 2 (ln 2 split in two parts,
// Cody & Waite), e^f by a degree-6 polynomial on [-ln2/2, ln2/2]; relative error below 2e-7 over the
// range softmax uses (x <= 0), and exactly 0 below -87.3 (float32 underflow). The xsimd version uses
// WebAssembly-native rounding and conversion (SSE2's float->int conversion is emulated lane by lane
// by Emscripten 3.1.6); the reference is std::exp in float64.
#pragma once

#include <cstddef>

namespace posenc {

// exp of n floats (the kernel softmax uses, exposed for its tests).
void exp_reference(const float* x, float* y, std::size_t n);
void exp_fast(const float* x, float* y, std::size_t n);

// In-place softmax of one row s[0 .. n) as above. Returns the sum of exponentials (after the
// max shift) and writes the row maximum to *max_out (for online softmax); both unused by callers
// that only want probabilities. `normalize` false leaves exp(z_j - max) unnormalised.
// The fast version checks the scaled scores scale * s_j on the way (one subtraction and one
// addition per batch): if one is infinite or NaN (an overflowed dot product, or a scale that
// overflows it), the row is zeroed, 0 is returned and *max_out is NaN, so callers can refuse it
// instead of returning NaN. (A bias of -inf stays a mask.)
struct SoftmaxRow {
  float* s;
  std::size_t n;
  std::size_t valid;
  float scale;
  const float* bias;  // may be null
  bool normalize = true;
};
float softmax_row_reference(const SoftmaxRow& r, float* max_out);
float softmax_row_fast(const SoftmaxRow& r, float* max_out);

}  // namespace posenc
