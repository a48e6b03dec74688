// SPDX-License-Identifier: MIT
// posenc: small dense products (see matmul.hpp).
#include "posenc/matmul.hpp"

#include "posenc/simd.hpp"

namespace posenc {

void matmul_reference(const MatmulArgs& p) {
  for (std::size_t i = 0; i < p.m; ++i) {
    for (std::size_t j = 0; j < p.n; ++j) {
      double s = p.accumulate ? p.c[i * p.ldc + j] : 0.0;
      for (std::size_t kk = 0; kk < p.k; ++kk) s += double(p.a[i * p.lda + kk]) * double(p.b[kk * p.ldb + j]);
      p.c[i * p.ldc + j] = static_cast<float>(s);
    }
  }
}

namespace {

// Rows [i0, i1) x columns [j0, j1) of C, one scalar at a time (edges, and builds without SIMD).
void block_scalar(const MatmulArgs& p, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
  for (std::size_t i = i0; i < i1; ++i) {
    float* c = p.c + i * p.ldc;
    if (!p.accumulate)
      for (std::size_t j = j0; j < j1; ++j) c[j] = 0.0f;
    for (std::size_t kk = 0; kk < p.k; ++kk) {
      const float a = p.a[i * p.lda + kk];
      const float* b = p.b + kk * p.ldb;
      for (std::size_t j = j0; j < j1; ++j) c[j] += a * b[j];
    }
  }
}

#if POSENC_HAVE_SIMD
using B = simd::batch_f32;
constexpr std::size_t W = B::size;

// An MR x (NV * W) tile of C at (i, j), accumulated in registers over all of k.
template <std::size_t MR, std::size_t NV>
inline void tile(const MatmulArgs& p, std::size_t i, std::size_t j) {
  B acc[MR][NV];
  for (std::size_t r = 0; r < MR; ++r)
    for (std::size_t v = 0; v < NV; ++v) acc[r][v] = B(0.0f);
  const float* a = p.a + i * p.lda;
  const float* b = p.b + j;
  for (std::size_t kk = 0; kk < p.k; ++kk, b += p.ldb) {
    B bv[NV];
    for (std::size_t v = 0; v < NV; ++v) bv[v] = B::load_unaligned(b + v * W);
    for (std::size_t r = 0; r < MR; ++r) {
      const B av = simd::broadcast_load(a + r * p.lda + kk);
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (std::size_t r = 0; r < MR; ++r) {
    float* c = p.c + (i + r) * p.ldc + j;
    for (std::size_t v = 0; v < NV; ++v) {
      const B out = p.accumulate ? B::load_unaligned(c + v * W) + acc[r][v] : acc[r][v];
      out.store_unaligned(c + v * W);
    }
  }
}

template <std::size_t MR>
inline void row_panel(const MatmulArgs& p, std::size_t i) {
  std::size_t j = 0;
  for (; j + 2 * W <= p.n; j += 2 * W) tile<MR, 2>(p, i, j);
  for (; j + W <= p.n; j += W) tile<MR, 1>(p, i, j);
  if (j < p.n) block_scalar(p, i, i + MR, j, p.n);
}
#endif

}  // namespace

void matmul_fast(const MatmulArgs& p) {
#if POSENC_HAVE_SIMD
  std::size_t i = 0;
  for (; i + 4 <= p.m; i += 4) row_panel<4>(p, i);
  for (; i < p.m; ++i) row_panel<1>(p, i);
#else
  block_scalar(p, 0, p.m, 0, p.n);
#endif
}

}  // namespace posenc
