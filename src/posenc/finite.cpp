// SPDX-License-Identifier: MIT
#include "posenc/finite.hpp"

#include <cmath>

#include "posenc/simd.hpp"

namespace posenc {

std::size_t first_non_finite(std::span<const float> data) {
  std::size_t i = 0;
#if POSENC_HAVE_SIMD
  using B = simd::batch_f32;
  // x - x is 0 for finite x and NaN for NaN or infinity; scan 4 batches at a time.
  for (; i + 4 * B::size <= data.size(); i += 4 * B::size) {
    const float* p = data.data() + i;
    const B a = B::load_unaligned(p), b = B::load_unaligned(p + B::size);
    const B c = B::load_unaligned(p + 2 * B::size), d = B::load_unaligned(p + 3 * B::size);
    const B z = ((a - a) + (b - b)) + ((c - c) + (d - d));
    if (xsimd::any(z != B(0.0f))) break;  // the exact index is found by the scalar loop below
  }
#endif
  for (; i < data.size(); ++i)
    if (!std::isfinite(data[i])) return i;
  return data.size();
}

std::size_t first_non_finite(std::span<const double> data) {
  for (std::size_t i = 0; i < data.size(); ++i)
    if (!std::isfinite(data[i])) return i;
  return data.size();
}

}  // namespace posenc
