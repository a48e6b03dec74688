// SPDX-License-Identifier: MIT
// posenc: the two physical limits the benchmarks compare the kernels with, measured in the same
// process and build as the kernels themselves (bench/kernels.mjs).
//
//   roofline_peak_muladd  y = y * b + c on 8 independent f32x4 accumulators (8 flops per lane pair
//                         of instructions; WebAssembly SIMD has no fused multiply-add), the
//                         arithmetic ceiling of a float32 kernel in this build.
//   roofline_stream       copy n floats, 16 bytes at a time: the memory ceiling of a kernel that
//                         reads one buffer and writes another (memcpy-style).
//   roofline_scale        x[i] *= k in place: the ceiling of a kernel that reads and writes the same
//                         bytes (RoPE in place reads and writes x once; no write-allocate traffic).
// Without SIMD both run scalar code, which is the ceiling of the baseline build.
#pragma once

#include <cstddef>

namespace posenc {

// Runs `iterations` rounds; returns a value that depends on every accumulator (so the loop is not
// optimised away). Floating-point operations done: iterations * 64.
float roofline_peak_muladd(std::size_t iterations);

// dst[i] = src[i] for i < n (the buffers must not overlap).
void roofline_stream(const float* src, float* dst, std::size_t n);

// x[i] *= k for i < n.
void roofline_scale(float* x, std::size_t n, float k);

}  // namespace posenc
