// SPDX-License-Identifier: MIT
// Embind surface of the core. Only type conversion happens here, no math.
//
// Conventions (the package in web/package relies on them):
// - Buffers are allocated by the caller (JavaScript, with _malloc) and passed as byte addresses.
// - Every function returns an int status: 0 = ok, 1 = TypeError, 2 = RangeError. After a failure,
//   errorParam() and errorMessage() describe it. Nothing throws, so no exception crosses Embind.
// - Names are camelCase from here on; the C++ core is snake_case.
#include <emscripten/bind.h>
#include <emscripten/stack.h>
#include <malloc.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include "posenc/simd.hpp"
#include "posenc/sinusoidal.hpp"

namespace {

std::string g_error_param;
std::string g_error_message;

int report(const posenc::Status& s) {
  if (s.ok()) return 0;
  g_error_param = s.param;
  g_error_message = s.message;
  return static_cast<int>(s.code);
}

template <class T>
std::span<T> buffer(std::uintptr_t address, std::uint32_t count) {
  return {reinterpret_cast<T*>(address), count};
}

// JavaScript numbers arrive as double; a position must be an integer in range.
bool to_position(double x, std::int64_t& out) {
  if (!std::isfinite(x) || x != std::floor(x) || std::abs(x) > double(posenc::max_position) + 1) return false;
  out = static_cast<std::int64_t>(x);
  return true;
}

int sinusoidal(std::uintptr_t out, std::uint32_t out_count, std::uint32_t length, std::uint32_t dim, double base,
               std::int32_t layout, double offset) {
  posenc::SinusoidalParams p{.length = length, .dim = dim, .base = base,
                             .layout = static_cast<posenc::SinusoidalLayout>(layout)};
  if (!to_position(offset, p.offset)) return report(posenc::Status::range("offset", "must be an integer position"));
  return report(posenc::sinusoidal_table(p, buffer<float>(out, out_count)));
}

std::string error_param() { return g_error_param; }
std::string error_message() { return g_error_message; }
std::string simd_arch() { return posenc::simd::arch_name(); }
// Diagnostics for leak tests: bytes in use by malloc, and the current stack pointer.
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }
double stack_pointer() { return static_cast<double>(emscripten_stack_get_current()); }

}  // namespace

EMSCRIPTEN_BINDINGS(posenc) {
  emscripten::function("sinusoidal", &sinusoidal);
  emscripten::function("errorParam", &error_param);
  emscripten::function("errorMessage", &error_message);
  emscripten::function("simdArch", &simd_arch);
  emscripten::function("heapInUse", &heap_in_use);
  emscripten::function("stackPointer", &stack_pointer);
}
