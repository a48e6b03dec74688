// SPDX-License-Identifier: MIT
// Shared by the native fuzz targets (one per group of core entry points): turning the fuzzer's bytes
// into sizes, numbers and arrays, and the properties every call must keep.
//
// Properties checked by every target (besides what AddressSanitizer and UndefinedBehaviorSanitizer
// see): a failed Status names a parameter and has a message; a successful one leaves only finite
// numbers in the outputs (no silent NaN or infinity); an output of a failed call is untouched where
// the function promises "nothing is written on error".
//
// Sizes are drawn so that the products the core forms (heads * queries * keys, rows * dim, ...) often
// wrap a 32-bit or 64-bit size_t, and the buffers handed over are sized by the same wrapped product
// when it is small: a core that multiplied without checking would then accept the call and write
// past the buffer, which AddressSanitizer reports.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "posenc/status.hpp"

namespace posenc::fuzz {

// Aborts (a crash the fuzzer records, with the input) when a property fails.
#define POSENC_FUZZ_CHECK(cond)                                                      \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

// Floats allocated for any single buffer at most (keeps each run fast under the sanitizers).
inline constexpr std::size_t max_buffer = std::size_t{1} << 12;

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}

  std::size_t remaining() const { return n_; }

  template <class T>
  T take() {
    T v{};
    const std::size_t k = n_ < sizeof(T) ? n_ : sizeof(T);
    std::memcpy(&v, p_, k);
    p_ += k;
    n_ -= k;
    return v;
  }

  bool flag() { return take<std::uint8_t>() & 1; }

  // An integer in [0, n) (n >= 1).
  std::uint32_t below(std::uint32_t n) { return take<std::uint32_t>() % n; }

  // A size: mostly small, sometimes at the limits the core enforces, or where products wrap.
  std::size_t size() {
    static constexpr std::uint64_t edges[] = {
        0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 4095, 4096, 8191, 8192, 8193,
        65535, 65536, 65537, (1u << 19), (1u << 19) + 1, (1u << 20), (1u << 20) + 1, (1u << 24), (1u << 24) + 1,
        (1u << 26), (1u << 30), 0x7fffffffu, 0x80000000u, 0xffffffffu, std::uint64_t{1} << 32,
        (std::uint64_t{1} << 32) + 1, std::uint64_t{1} << 62, std::uint64_t{1} << 63, ~std::uint64_t{0}};
    const std::uint8_t mode = take<std::uint8_t>();
    if (mode < 160) return mode % 41;
    if (mode < 240) return saturate(edges[take<std::uint8_t>() % std::size(edges)]);
    return saturate(take<std::uint64_t>());
  }

  // A small size in [lo, hi] (loop counts, model sizes that must stay cheap).
  std::size_t small(std::size_t lo, std::size_t hi) { return lo + take<std::uint16_t>() % (hi - lo + 1); }

  std::int64_t integer() {
    static constexpr std::int64_t edges[] = {0, 1, -1, 2, 100, 4096, (1 << 24) - 1, 1 << 24, (1 << 24) + 1,
                                             std::numeric_limits<std::int32_t>::max(),
                                             std::numeric_limits<std::int32_t>::min(),
                                             std::numeric_limits<std::int64_t>::max(),
                                             std::numeric_limits<std::int64_t>::min()};
    const std::uint8_t mode = take<std::uint8_t>();
    if (mode < 128) return static_cast<std::int64_t>(mode % 64) - 8;
    if (mode < 224) return edges[take<std::uint8_t>() % std::size(edges)];
    return take<std::int64_t>();
  }

  // A double: ordinary values, the special ones, or raw bits.
  double number() {
    static constexpr double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 1e-30, 1e19, 1e30, 1e38, 3.4e38,
                                       3.5e38, 1e300, 1e308, 16777216.0, 4294967296.0, 18446744073709551616.0,
                                       std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity(),
                                       std::numeric_limits<double>::quiet_NaN()};
    const std::uint8_t mode = take<std::uint8_t>();
    if (mode < 128) return static_cast<double>(take<std::int16_t>()) / 256.0;
    if (mode < 224) return (mode & 1 ? -1.0 : 1.0) * edges[take<std::uint8_t>() % std::size(edges)];
    return take<double>();
  }

  float value() { return static_cast<float>(number()); }

  // n floats: a scale chosen once (ordinary or huge), then ordinary values with a few specials.
  std::vector<float> floats(std::size_t n) {
    std::vector<float> v(n);
    const float scale = static_cast<float>(flag() ? 1.0 : number());
    for (std::size_t i = 0; i < n; ++i)
      v[i] = remaining() == 0 ? 0.5f : (i % 7 == 3 ? value() : scale * (static_cast<float>(take<std::int8_t>()) / 64.0f));
    return v;
  }
  std::vector<double> doubles(std::size_t n) {
    std::vector<double> v(n);
    for (double& x : v) x = flag() ? std::ldexp(1.0, -static_cast<int>(take<std::uint8_t>() % 40)) : number();
    return v;
  }
  std::vector<std::int32_t> ints(std::size_t n, std::int32_t lo, std::int32_t hi) {
    std::vector<std::int32_t> v(n);
    for (std::int32_t& x : v) x = flag() ? static_cast<std::int32_t>(lo + std::int64_t(below(std::uint32_t(hi - lo) + 1))) : take<std::int32_t>();
    return v;
  }

 private:
  static std::size_t saturate(std::uint64_t x) {
    return x > std::numeric_limits<std::size_t>::max() ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(x);
  }
  const std::uint8_t* p_;
  std::size_t n_;
};

// The product of the dimensions as size_t arithmetic wraps it (as an unchecked core would form it),
// if that is at most max_buffer; otherwise a small length (never the true, huge, product).
inline std::size_t wrapped(std::initializer_list<std::size_t> dims, std::size_t fallback = 0) {
  std::size_t p = 1;
  for (std::size_t d : dims) p *= d;
  return p <= max_buffer ? p : fallback % (max_buffer + 1);
}

// The true product, saturated (for deciding whether a call is cheap enough to make).
inline double product(std::initializer_list<std::size_t> dims) {
  double p = 1;
  for (std::size_t d : dims) p *= static_cast<double>(d);
  return p;
}

inline void check_status(const Status& s) {
  if (s.ok()) return;
  POSENC_FUZZ_CHECK(s.code == Errc::type_error || s.code == Errc::range_error);
  POSENC_FUZZ_CHECK(s.param != nullptr && s.param[0] != '\0');
  POSENC_FUZZ_CHECK(s.message != nullptr && s.message[0] != '\0');
}

template <class T>
bool all_finite(std::span<const T> x) {
  for (T v : x)
    if (!std::isfinite(v)) return false;
  return true;
}
template <class T>
bool all_finite(const std::vector<T>& x) { return all_finite(std::span<const T>(x)); }

// A Status that is either a named error or a success with finite outputs.
template <class... V>
void check_result(const Status& s, const V&... outputs) {
  check_status(s);
  const bool finite = (all_finite(outputs) && ...);
  if (s.ok()) POSENC_FUZZ_CHECK(finite);
}

// The same floats bit for bit (NaN payloads too).
inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Nothing written on error: every element still holds the sentinel it was filled with.
template <class T>
bool untouched(const std::vector<T>& x, T sentinel) {
  for (T v : x)
    if (std::memcmp(&v, &sentinel, sizeof(T)) != 0) return false;
  return true;
}

}  // namespace posenc::fuzz
