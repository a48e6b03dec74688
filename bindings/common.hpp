// SPDX-License-Identifier: MIT
// Shared helpers of the Embind layer. Only type conversion happens in bindings/, no math.
//
// Conventions (web/package/lib/runtime.js relies on them):
// - Buffers are allocated by the caller (JavaScript, with _malloc) and passed as byte addresses
//   (std::uintptr_t) with their element counts.
// - Every function returns an int status: 0 = ok, 1 = TypeError, 2 = RangeError. After a failure,
//   errorParam() and errorMessage() describe it. Nothing throws, so no exception crosses Embind.
// - JavaScript names are camelCase from here on; the C++ core is snake_case.
// - One file per method (bindings/<method>.cpp), each with its own EMSCRIPTEN_BINDINGS(posenc_<method>).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "posenc/status.hpp"

namespace posenc::bind {

// Record a failed status for errorParam()/errorMessage() and return its code (0 when ok).
int report(const Status& s);
// The same, with the index of the offending element of the parameter for errorIndex() (-1: none).
int report(const Status& s, double index);

// A typed view of a caller-allocated buffer.
template <class T>
std::span<T> buffer(std::uintptr_t address, std::uint32_t count) {
  return {reinterpret_cast<T*>(address), count};
}

// JavaScript numbers arrive as double: is x an integer in [lo, hi]?
inline bool whole(double x, double lo, double hi) {
  return std::isfinite(x) && x == std::floor(x) && x >= lo && x <= hi;
}

// A seed is any JavaScript safe integer in [0, 2^53 - 1] (every such double converts exactly).
inline bool is_seed(double x) { return whole(x, 0, 9007199254740991.0); }

// A position must be an integer in [0, max_position].
inline bool to_position(double x, std::int64_t& out) {
  if (!std::isfinite(x) || x != std::floor(x) || x < 0 || x > double(max_position)) return false;
  out = static_cast<std::int64_t>(x);
  return true;
}

}  // namespace posenc::bind
