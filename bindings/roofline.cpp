// SPDX-License-Identifier: MIT
// Embind: the ceilings the benchmarks measure against (src/posenc/roofline.hpp). Diagnostics for
// bench/, not part of the package's API.
#include <emscripten/bind.h>

#include "common.hpp"
#include "posenc/roofline.hpp"

namespace {

double roofline_peak_js(double iterations) {
  return posenc::roofline_peak_muladd(static_cast<std::size_t>(iterations > 0 ? iterations : 0));
}

void roofline_stream_js(std::uintptr_t src, std::uintptr_t dst, std::uint32_t n) {
  posenc::roofline_stream(reinterpret_cast<const float*>(src), reinterpret_cast<float*>(dst), n);
}

void roofline_scale_js(std::uintptr_t x, std::uint32_t n, float k) {
  posenc::roofline_scale(reinterpret_cast<float*>(x), n, k);
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_roofline) {
  emscripten::function("rooflinePeak", &roofline_peak_js);
  emscripten::function("rooflineStream", &roofline_stream_js);
  emscripten::function("rooflineScale", &roofline_scale_js);
}
