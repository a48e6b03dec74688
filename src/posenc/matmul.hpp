// SPDX-License-Identifier: MIT
// posenc: the small dense products attention is made of (float32, row-major).
//
//     C[m x n] = A[m x k] * B[k x n]            (accumulate: C += A * B)
//
// Leading dimensions (lda, ldb, ldc) are row strides in floats, so blocks of larger matrices can be
// passed. Attention uses it twice per block: scores = Q * K^T (with K^T packed once per head) and
// out = P * V.
//
// The fast kernel computes 4 x 8 tiles of C in registers: for each step along k it broadcasts four
// entries of A, loads eight of B, and does 8 multiplies and 8 adds on f32x4 (WebAssembly SIMD has no
// fused multiply-add), so each loaded value is used four or eight times. Edges fall back to
// narrower tiles and a scalar loop. The reference is the textbook triple loop with float64 sums.
#pragma once

#include <cstddef>

namespace posenc {

struct MatmulArgs {
  std::size_t m, n, k;
  const float* a;
  std::size_t lda;
  const float* b;
  std::size_t ldb;
  float* c;
  std::size_t ldc;
  bool accumulate = false;
};

void matmul_reference(const MatmulArgs& p);
void matmul_fast(const MatmulArgs& p);

}  // namespace posenc
