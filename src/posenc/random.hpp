// SPDX-License-Identifier: MIT
// posenc: the one pseudo-random generator of the library, SplitMix64 (Steele, Lea & Flood 2014;
// Vigna's splitmix64.c): a 64-bit state advanced by the golden-ratio increment and mixed. Integer
// operations only, so every build and platform draws the same numbers for a seed.
#pragma once

#include <cstdint>

namespace posenc {

inline constexpr std::uint64_t splitmix64_increment = 0x9E3779B97F4A7C15ull;

// splitmix64's output function (also usable alone, to derive seeds from keys).
constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() { return splitmix64_mix(state += splitmix64_increment); }
  // Uniform in [0, 1): the top 53 bits scaled by 2^-53 (exact).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) by multiply-shift of the high 32 bits (bias below n * 2^-32), n <= 2^32.
  std::uint64_t below(std::uint64_t n) { return ((next() >> 32) * n) >> 32; }
};

}  // namespace posenc
