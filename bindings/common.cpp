// SPDX-License-Identifier: MIT
// Embind: the error channel and the diagnostics shared by every method.
#include "common.hpp"

#include <emscripten/bind.h>
#include <emscripten/stack.h>
#include <malloc.h>

#include <string>

#include "posenc/finite.hpp"
#include "posenc/simd.hpp"

namespace posenc::bind {

namespace {
// Static strings (Status holds only those): recording an error allocates nothing.
const char* g_error_param = "";
const char* g_error_message = "";
double g_error_index = -1;
}  // namespace

int report(const Status& s) { return report(s, -1); }

int report(const Status& s, double index) {
  if (s.ok()) return 0;
  g_error_param = s.param;
  g_error_message = s.message;
  g_error_index = index;
  return static_cast<int>(s.code);
}

namespace {
std::string error_param() { return g_error_param; }
std::string error_message() { return g_error_message; }
double error_index() { return g_error_index; }
std::string simd_arch() { return simd::arch_name(); }
// Diagnostics for leak tests: bytes in use by malloc, and the current stack pointer.
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }
double stack_pointer() { return static_cast<double>(emscripten_stack_get_current()); }
// Argument checks of large inputs (web/package/lib/runtime.js): index of the first NaN/infinity, or -1.
double first_non_finite_f32(std::uintptr_t p, std::uint32_t n) {
  const std::size_t i = first_non_finite(buffer<const float>(p, n));
  return i == n ? -1.0 : static_cast<double>(i);
}
double first_non_finite_f64(std::uintptr_t p, std::uint32_t n) {
  const std::size_t i = first_non_finite(buffer<const double>(p, n));
  return i == n ? -1.0 : static_cast<double>(i);
}
}  // namespace

}  // namespace posenc::bind

EMSCRIPTEN_BINDINGS(posenc_common) {
  using namespace posenc::bind;
  emscripten::function("errorParam", &error_param);
  emscripten::function("errorMessage", &error_message);
  emscripten::function("errorIndex", &error_index);
  emscripten::function("simdArch", &simd_arch);
  emscripten::function("heapInUse", &heap_in_use);
  emscripten::function("stackPointer", &stack_pointer);
  emscripten::function("firstNonFiniteF32", &first_non_finite_f32);
  emscripten::function("firstNonFiniteF64", &first_non_finite_f64);
}
