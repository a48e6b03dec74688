// SPDX-License-Identifier: MIT
// posenc: rows of sin(p w_i) and cos(p w_i), the table behind sinusoidal encodings and RoPE caches.
//
// For rows r = 0 .. rows-1 (position p = first + r) and frequencies w_0 .. w_{m-1}:
//
//     S[r][i] = scale * sin(p * w_i)      C[r][i] = scale * cos(p * w_i)
//
// written in one of two layouts (row r starts at r * stride floats from the base pointers):
//
//     interleaved:  base:  | S0 | C0 | S1 | C1 | ... | S_{m-1} | C_{m-1} |        (Vaswani tables)
//     planar:       sin:   | S0 | S1 | ... | S_{m-1} |                           (fairseq tables,
//                   cos:   | C0 | C1 | ... | C_{m-1} |                            RoPE caches)
//
// Angles are formed in float64 and each value is rounded once to float32 (within about 3e-8 of the
// float64 formula for |scale| <= 1). The reference evaluates sin/cos per element. The fast kernel
// advances each (sin, cos) pair from row to row by a float64 rotation through the angle w,
//     sin(p w + w) = sin(p w) cos(w) + cos(p w) sin(w),   cos(p w + w) = cos(p w) cos(w) - sin(p w) sin(w),
// vectorised across frequencies (xsimd f64x2; a scalar loop without SIMD, the same algorithm), and
// re-anchors from the direct formula every 256 rows, so the float64 error stays near 1e-13.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace posenc {

enum class SincosLayout : std::int32_t { interleaved = 0, planar = 1 };

struct SincosOut {
  SincosLayout layout = SincosLayout::planar;
  float* sin = nullptr;     // interleaved: the row base; planar: the sine plane
  float* cos = nullptr;     // planar: the cosine plane (unused when interleaved)
  std::size_t stride = 0;   // floats from one row to the next
};

// Preconditions (callers validate): every |first + r| <= max_position, w finite, out large enough.
void sincos_rows_reference(std::span<const double> w, std::int64_t first, std::size_t rows, double scale,
                           const SincosOut& out);
void sincos_rows_fast(std::span<const double> w, std::int64_t first, std::size_t rows, double scale,
                      const SincosOut& out);

}  // namespace posenc
