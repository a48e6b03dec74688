// SPDX-License-Identifier: MIT
// posenc: the fused softmax row of attention (see softmax.hpp).
#include "posenc/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "posenc/simd.hpp"

namespace posenc {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

// Scalar exp with the same algorithm as the xsimd kernel (tails, and builds without SIMD).
inline float exp_scalar(float x) {
  if (std::isnan(x)) return x;  // (NaN would reach the float-to-int conversion below)
  if (x < -87.33654f) return 0.0f;
  x = std::min(x, 88.3762626647949f);
  const float n = std::nearbyint(x * 1.44269504088896341f);
  const float f = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * f + 1.3981999507e-3f;
  y = y * f + 8.3334519073e-3f;
  y = y * f + 4.1665795894e-2f;
  y = y * f + 1.6666665459e-1f;
  y = y * f + 5.0000001201e-1f;
  y = y * (f * f) + f + 1.0f;
  return std::ldexp(y, static_cast<int>(n));
}

}  // namespace

void exp_reference(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(std::exp(static_cast<double>(x[i])));
}

void exp_fast(const float* x, float* y, std::size_t n) {
  std::size_t i = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  for (; i + B::size <= n; i += B::size) simd::exp(B::load_unaligned(x + i)).store_unaligned(y + i);
#endif
  for (; i < n; ++i) y[i] = exp_scalar(x[i]);
}

float softmax_row_reference(const SoftmaxRow& r, float* max_out) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < r.valid; ++j) {
    const double z = double(r.scale) * double(r.s[j]) + (r.bias ? double(r.bias[j]) : 0.0);
    r.s[j] = static_cast<float>(z);
    m = std::max(m, z);
  }
  double sum = 0.0;
  for (std::size_t j = 0; j < r.valid; ++j) {
    const double e = std::isinf(m) ? 0.0 : std::exp(double(r.s[j]) - m);
    r.s[j] = static_cast<float>(e);
    sum += e;
  }
  for (std::size_t j = 0; j < r.valid; ++j)
    if (r.normalize) r.s[j] = sum > 0 ? static_cast<float>(double(r.s[j]) / sum) : 0.0f;
  for (std::size_t j = r.valid; j < r.n; ++j) r.s[j] = 0.0f;
  if (max_out) *max_out = static_cast<float>(m);
  return static_cast<float>(sum);
}

float softmax_row_fast(const SoftmaxRow& r, float* max_out) {
  float* s = r.s;
  const std::size_t n = r.valid;
  float m = neg_inf;
  std::size_t j = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  constexpr std::size_t W = B::size;
  const std::size_t nvec = n / W * W;
  const B scale(r.scale);
  B vmax(neg_inf), vbad(0.0f);
  for (; j < nvec; j += W) {
    const B t = scale * B::load_unaligned(s + j);
    vbad += t - t;  // 0, or NaN once a scaled score is infinite or NaN
    const B z = r.bias ? t + B::load_unaligned(r.bias + j) : t;
    z.store_unaligned(s + j);
    vmax = simd::fast_max(vmax, z);
  }
  m = simd::reduce_max(vmax);
  bool bad = simd::reduce_add(vbad) != 0.0f;
#else
  bool bad = false;
#endif
  for (; j < n; ++j) {
    const float t = r.scale * s[j];
    bad = bad || !std::isfinite(t);
    s[j] = t + (r.bias ? r.bias[j] : 0.0f);
    m = std::max(m, s[j]);
  }
  if (bad) m = std::numeric_limits<float>::quiet_NaN();
  if (max_out) *max_out = m;
  if (bad) {  // overflowed or NaN scores: no distribution (the caller sees the NaN maximum)
    std::fill(s, s + r.n, 0.0f);
    return 0.0f;
  }
  if (m == neg_inf) {  // every key masked: no attention at all
    std::fill(s, s + r.n, 0.0f);
    return 0.0f;
  }

  float sum = 0.0f;
  j = 0;
#if POSENC_HAVE_SIMD
  const B shift(m);
  B vsum(0.0f);
  for (; j < nvec; j += W) {
    const B e = simd::exp(B::load_unaligned(s + j) - shift);
    e.store_unaligned(s + j);
    vsum += e;
  }
  sum = simd::reduce_add(vsum);
#endif
  for (; j < n; ++j) {
    s[j] = exp_scalar(s[j] - m);
    sum += s[j];
  }

  if (r.normalize) {
    const float inv = 1.0f / sum;
    j = 0;
#if POSENC_HAVE_SIMD
    const B k(inv);
    for (; j < nvec; j += W) (B::load_unaligned(s + j) * k).store_unaligned(s + j);
#endif
    for (; j < n; ++j) s[j] *= inv;
  }
  std::fill(s + n, s + r.n, 0.0f);
  return sum;
}

}  // namespace posenc
