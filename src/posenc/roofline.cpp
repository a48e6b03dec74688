// SPDX-License-Identifier: MIT
// posenc: arithmetic and memory ceilings (see roofline.hpp).
#include "posenc/roofline.hpp"

#include "posenc/simd.hpp"

namespace posenc {

float roofline_peak_muladd(std::size_t iterations) {
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  static_assert(B::size == 4, "64 flops per round assumes 4 lanes");
  const B b(0.999999f), c(1e-7f);
  B a0(0.0f), a1(0.1f), a2(0.2f), a3(0.3f), a4(0.4f), a5(0.5f), a6(0.6f), a7(0.7f);
  for (std::size_t i = 0; i < iterations; ++i) {
    a0 = a0 * b + c;
    a1 = a1 * b + c;
    a2 = a2 * b + c;
    a3 = a3 * b + c;
    a4 = a4 * b + c;
    a5 = a5 * b + c;
    a6 = a6 * b + c;
    a7 = a7 * b + c;
  }
  return simd::reduce_add(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
#else
  float a[32];
  for (int k = 0; k < 32; ++k) a[k] = 0.01f * float(k);
  for (std::size_t i = 0; i < iterations; ++i)
    for (int k = 0; k < 32; ++k) a[k] = a[k] * 0.999999f + 1e-7f;
  float s = 0.0f;
  for (float x : a) s += x;
  return s;
#endif
}

void roofline_stream(const float* src, float* dst, std::size_t n) {
  std::size_t i = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  for (; i + 4 * B::size <= n; i += 4 * B::size) {
    const B x0 = B::load_unaligned(src + i), x1 = B::load_unaligned(src + i + B::size);
    const B x2 = B::load_unaligned(src + i + 2 * B::size), x3 = B::load_unaligned(src + i + 3 * B::size);
    x0.store_unaligned(dst + i);
    x1.store_unaligned(dst + i + B::size);
    x2.store_unaligned(dst + i + 2 * B::size);
    x3.store_unaligned(dst + i + 3 * B::size);
  }
#endif
  for (; i < n; ++i) dst[i] = src[i];
}

void roofline_scale(float* x, std::size_t n, float k) {
  std::size_t i = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  const B kb(k);
  for (; i + 2 * B::size <= n; i += 2 * B::size) {
    (B::load_unaligned(x + i) * kb).store_unaligned(x + i);
    (B::load_unaligned(x + i + B::size) * kb).store_unaligned(x + i + B::size);
  }
#endif
  for (; i < n; ++i) x[i] *= k;
}

}  // namespace posenc
