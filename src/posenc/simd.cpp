// SPDX-License-Identifier: MIT
#include "posenc/simd.hpp"

namespace posenc::simd {

const char* arch_name() {
#if POSENC_HAVE_SIMD && defined(__EMSCRIPTEN__)
  return "wasm-simd128";  // xsimd's sse2 kernels, translated to SIMD128 by Emscripten
#elif POSENC_HAVE_SIMD
  return xsimd::default_arch::name();
#else
  return "scalar";
#endif
}

}  // namespace posenc::simd
